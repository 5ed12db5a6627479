/**
 * Stand-in preview services in a process of their own. A load generator and the server it loads
 * in one process share one event loop: on a 2-core machine each starves the other, and the scrapes
 * with them. Here the tool under test loads from the test's process and the services answer from
 * the host's (previewServiceHost.ts), as a real endpoint does from its own.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { HostAsk } from "./previewServiceHost";
import type { PreviewFaults, PreviewService } from "./previewService";

type Recorded = PreviewService["requests"];

/** One service of the host: what {@link PreviewService} is, with its record asked for over IPC. */
export interface HostedPreviewService {
  readonly url: string;
  readonly target: string;
  requests(): Promise<Recorded>;
  requestCount(): Promise<number>;
}

export interface PreviewServiceHost {
  start(faults?: PreviewFaults): Promise<HostedPreviewService>;
  stop(): Promise<void>;
}

/** How long the host may take to load (tsx compiles the stand-in and the metric contract). */
const READY_WITHIN_MS = 20_000;

type Reply = { readonly id: number; readonly value?: unknown; readonly error?: string } | { readonly ready: true };

export async function startPreviewServiceHost(): Promise<PreviewServiceHost> {
  const child: ChildProcess = fork(join(__dirname, "previewServiceHost.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { done: (value: unknown) => void; fail: (error: Error) => void }>();
  let next = 0;
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`the preview service host did not start within ${READY_WITHIN_MS / 1000} s`));
    }, READY_WITHIN_MS);
    child.once("error", fail);
    child.once("exit", (code) => {
      fail(new Error(`the preview service host exited (${code})`));
    });
    child.on("message", (reply: Reply) => {
      if ("ready" in reply) {
        clearTimeout(timer);
        ready();
        return;
      }
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.fail(new Error(reply.error));
      else waiter?.done(reply.value);
    });
  });
  const ask = <T>(request: HostAsk): Promise<T> =>
    new Promise<T>((done, fail) => {
      const id = next++;
      pending.set(id, { done: done as (value: unknown) => void, fail });
      child.send({ ...request, id });
    });
  return {
    start: async (faults = {}) => {
      const { service, url, target } = await ask<{ service: number; url: string; target: string }>({
        op: "start",
        faults,
      });
      return {
        url,
        target,
        requests: () => ask<Recorded>({ op: "requests", service }),
        requestCount: () => ask<number>({ op: "count", service }),
      };
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) {
          done();
          return;
        }
        child.once("exit", () => {
          done();
        });
        child.kill();
      }),
  };
}
