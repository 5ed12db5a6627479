/**
 * A real Prometheus server (Debian's `prometheus`) on a free loopback port, holding synthetic
 * series written as OpenMetrics text and turned into TSDB blocks by `promtool tsdb
 * create-blocks-from openmetrics`. Never skipped: a missing binary is a failure that says what to
 * install.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const PROMETHEUS = process.env.PROMETHEUS ?? "prometheus";
const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const INSTALL = "install Debian's `prometheus` package (apt-get install prometheus; `bash .ci/run` does)";

/** How long the server may take to become ready. */
const READY_WITHIN_MS = 30_000;

export interface LocalPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

/** A loopback port nobody listens on (now). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === "string") fail(new Error("no port"));
        else done(address.port);
      });
    });
  });
}

/**
 * Starts Prometheus holding `documents` (OpenMetrics texts ending in `# EOF`), or nothing. Each
 * document becomes its own blocks: promtool re-reads its whole input for every 2-hour block it
 * writes, so one document per soak keeps that work proportional to the data.
 */
export async function startPrometheus(
  documents: readonly string[] = [],
  options: { readonly scrapeTargets?: readonly string[] } = {},
): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "gate-prometheus-"));
  const data = join(dir, "data");
  const createBlocks = async (index: number) => {
    const file = join(dir, `series-${index}.om`);
    writeFileSync(file, documents[index]!);
    await promisify(execFile)(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", "--quiet", file, data]);
  };
  try {
    // Two at a time: CI machines have two cores.
    for (let index = 0; index < documents.length; index += 2) {
      await Promise.all([createBlocks(index), ...(index + 1 < documents.length ? [createBlocks(index + 1)] : [])]);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`promtool not found (${PROMTOOL}): ${INSTALL}`);
    throw error;
  }
  // Without scrape targets the server holds only the synthetic series; with them (host:port on
  // loopback, e.g. the stand-in preview service) it scrapes each every second.
  const targets = options.scrapeTargets ?? [];
  writeFileSync(
    join(dir, "prometheus.yml"),
    targets.length === 0
      ? "global:\n  scrape_interval: 1m\n"
      : `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: planning-engine\n    static_configs:\n      - targets: ${JSON.stringify(targets)}\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Retention counts back from the newest block, and the scenarios span weeks.
      "--storage.tsdb.retention.time=10y",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  server.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((done) => {
    server.once("exit", () => {
      done();
    });
  });
  const failed = new Promise<never>((_, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      fail(error.code === "ENOENT" ? new Error(`prometheus not found (${PROMETHEUS}): ${INSTALL}`) : error);
    });
    void exited.then(() => {
      fail(new Error(`prometheus exited before it was ready:\n${log}`));
    });
  });
  // Only the wait for readiness listens; a later exit (stop) is expected.
  failed.catch(() => undefined);
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill("SIGTERM");
      const killed = setTimeout(() => server.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([ready(url), failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

async function ready(url: string): Promise<void> {
  const until = Date.now() + READY_WITHIN_MS;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`prometheus at ${url} was not ready within ${READY_WITHIN_MS / 1000} s`);
}
