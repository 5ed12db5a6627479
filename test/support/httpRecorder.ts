/** A real local HTTP server that records every request and answers as told (or never). */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** When the request arrived (ms since the epoch). */
  readonly at: number;
}

export interface Recorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** `answer` writes the response; one that writes nothing keeps the connection open and silent. */
export type Answer = (request: RecordedRequest, response: ServerResponse) => unknown;

export function recorder(answer: Answer): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, at };
      requests.push(recorded);
      void Promise.resolve(answer(recorded, res)).catch(() => res.destroy());
    });
  });
  return new Promise((done) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      done({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((closed) => {
            server.closeAllConnections();
            server.close(() => {
              closed();
            });
          }),
      });
    });
  });
}

/** Forwards each request to `target` (a real Prometheus) and relays its answer. */
export function proxyTo(target: string): Answer {
  return async (request, response) => {
    const answer = await fetch(`${target}${request.path}`, {
      method: request.method,
      headers: { "content-type": request.headers["content-type"] ?? "" },
      body: request.method === "POST" ? request.body : undefined,
    });
    response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
    response.end(await answer.text());
  };
}
