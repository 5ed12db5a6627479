/**
 * Benchmark of the load test's load generator (tools/loadTest/load.ts: autocannon with a body per
 * request, every answer's body parsed and judged, every latency kept) against Debian's `hey`, on
 * the same local server that answers at once (a child process, so the server never shares an
 * event loop with the generator). Reported as a ratio of request rates (goal >= 0.8); the machine
 * is printed.
 *
 *   npm run bench:load-test [-- --seconds 10 --concurrency 16]
 */
import { execFileSync, spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { StackConfigSchema } from "../../components/config/schema";
import { startLoad } from "../loadTest/load";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, concurrency: { type: "string", default: "16" } },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

// The server: answers every POST at once with preview data, in a process of its own.
const SERVER = `
const http = require("node:http");
const strategies = ["compress_intervals", "drop_accessories", "shorten_warmup"];
let n = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ strategy: strategies[n++ % 3], sessions: [] }));
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
`;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((done, fail) => {
    child.stdout.once("data", (data: Buffer) => {
      done(data.toString().trim());
    });
    child.once("exit", () => {
      fail(new Error("the bench server exited"));
    });
  });
  return { url: `http://127.0.0.1:${port}/api/time-crunch/preview`, stop: () => child.kill() };
}

async function ours(url: string): Promise<number> {
  const endpoint = StackConfigSchema.shape.previewEndpoint.parse(undefined);
  const run = startLoad({ url, token: undefined, endpoint }, { connections: CONCURRENCY, durationSeconds: SECONDS });
  const record = await run.done;
  return record.latencyMs.length / ((record.endedAt - record.startedAt) / 1000);
}

function hey(url: string): number {
  const out = execFileSync(
    "hey",
    [
      "-z",
      `${SECONDS}s`,
      "-c",
      String(CONCURRENCY),
      "-m",
      "POST",
      "-T",
      "application/json",
      "-d",
      '{"targetMinutes":30}',
      url,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const match = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (!match) throw new Error(`hey printed no Requests/sec:\n${out}`);
  return Number(match[1]);
}

async function main(): Promise<void> {
  try {
    execFileSync("hey", ["-n", "1", "-c", "1", "http://127.0.0.1:9/"], { stdio: "ignore" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("hey not found: install Debian's `hey` (apt-get install -y hey)");
    }
  }
  const server = await startServer();
  try {
    process.stderr.write(
      `bench:load-test: ${SECONDS} s at ${CONCURRENCY} in flight, load-test's generator then hey…\n`,
    );
    // A short unmeasured run warms the server and the generator's JIT, for both.
    await startLoad(
      { url: server.url, token: undefined, endpoint: StackConfigSchema.shape.previewEndpoint.parse(undefined) },
      { connections: CONCURRENCY, durationSeconds: 1 },
    ).done;
    const ourRate = await ours(server.url);
    const heyRate = hey(server.url);
    const cpu = cpus();
    console.log(
      `Machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, node ${process.version}, load average ${loadavg()[0]?.toFixed(1) ?? "?"}.`,
    );
    console.log("");
    console.log(`| ${SECONDS} s, ${CONCURRENCY} in flight, POST, server answers at once | requests/s |`);
    console.log("| --- | ---: |");
    console.log(`| load-test (autocannon, body per request, every answer judged) | ${ourRate.toFixed(0)} |`);
    console.log(`| hey | ${heyRate.toFixed(0)} |`);
    console.log(`| ratio (goal >= 0.8) | ${(ourRate / heyRate).toFixed(2)} |`);
  } finally {
    server.stop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench:load-test failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
