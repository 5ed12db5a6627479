/**
 * `npm run gate` against a real Prometheus, mostly as a user runs it (a child process): the exit
 * codes, the report files, the Slack post (to a real local HTTP server that records it), the
 * bounds on an unreachable or silent Prometheus, and that no credential or webhook URL is ever
 * shown.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StackConfigSchema } from "../components/config/schema";
import { queries } from "../components/observability/metrics";
import { soakWindow } from "../components/soak/soakCriteria";
import { gateCharts } from "../tools/charts/charts";
import { chartSvg } from "../tools/charts/svg";
import { gateCli, gateMain, type GateResult } from "./support/gateCli";
import { proxyTo, recorder, type Recorder } from "./support/httpRecorder";
import { freePort, startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { endOf, httpServerMetrics, openMetrics, OTHER_ROUTES, type Soak } from "./support/soakSeries";
import { cases } from "./support/cases";

const SOAK: Soak = { start: Date.parse("2026-02-02T00:00:00Z") / 1000, minutes: 26 * 60 };
const END = String(endOf(SOAK));
const WEBHOOK_SECRET = "T0GATE/B0GATE/webhook-secret-for-the-test";
const TOKEN = "bearer-token-for-the-test";
const scratch = mkdtempSync(join(tmpdir(), "gate-cli-"));
const goReport = join(scratch, "go");
const noGoReport = join(scratch, "no-go");

let prometheus: LocalPrometheus | undefined;
let slack: Recorder | undefined;
let proxy: Recorder | undefined;
let silent: Recorder | undefined;
const runs: Record<"go" | "noGo" | "silent", GateResult> = {} as never;

beforeAll(async () => {
  // The engine's other routes, steady from a day before the soak: the regression criterion's baseline.
  const other = { start: SOAK.start - SOAK.minutes * 60, minutes: 2 * SOAK.minutes, routes: OTHER_ROUTES };
  prometheus = await startPrometheus([openMetrics(SOAK, 2), httpServerMetrics(other, 2)]);
  [slack, proxy, silent] = await Promise.all([
    recorder((_, response) => {
      response.end("ok");
    }),
    recorder(proxyTo(prometheus.url)),
    recorder(() => undefined), // never answers
  ]);
  // The GO run in this process (the same `main`); the others as processes, at once, so the machine
  // waits for their starts only once.
  [runs.go, runs.noGo, runs.silent] = await Promise.all([
    gateMain(
      [
        "--prometheus-url",
        prometheus.url,
        "--stack",
        "staging",
        "--end",
        END,
        "--report",
        goReport,
        "--format",
        "json",
      ],
      {},
    ),
    gateCli(["--stack", "staging", "--end", END, "--window", "48h", "--report", noGoReport, "--post-to-slack"], {
      PROMETHEUS_URL: proxy.url,
      PROMETHEUS_BEARER_TOKEN: TOKEN,
      SLACK_WEBHOOK_URL: `${slack.url}/services/${WEBHOOK_SECRET}`,
    }),
    gateCli(["--prometheus-url", silent.url, "--end", END, "--query-timeout", "2s", "--deadline", "3s"]),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), slack?.close(), proxy?.close(), silent?.close()]);
  rmSync(scratch, { recursive: true, force: true });
});

/** Every file under `dir`, as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, "utf8")];
  });
}

const NO_STACK_TRACE = /^\s+at /m;

describe("npm run gate, run as a user runs it", () => {
  it("returns 0 on GO and prints the JSON report", () => {
    expect(runs.go.stderr).toBe("");
    expect(runs.go.code).toBe(0);
    expect(JSON.parse(runs.go.stdout)).toMatchObject({ verdict: "GO", failing: [], stack: "staging" });
  });

  it("writes report.md with the verdict and a Mermaid chart per panel, and report.json", () => {
    const markdown = readFileSync(join(goReport, "report.md"), "utf8");
    expect(markdown).toContain("## Time Crunch soak gate: ✅ GO");
    expect(markdown).toContain("| success rate | > 95% | 97% | pass |");
    expect(markdown.match(/```mermaid\n[^`]*xychart-beta/g)).toHaveLength(6);
    const json = JSON.parse(readFileSync(join(goReport, "report.json"), "utf8")) as { charts: { file: string }[] };
    expect(json).toMatchObject({ ...(JSON.parse(runs.go.stdout) as object), charts: expect.any(Array) as unknown });
    expect(json.charts.map((c) => c.file).sort()).toEqual(
      readdirSync(join(goReport, "charts"))
        .map((f) => `charts/${f}`)
        .sort(),
    );
  });

  it("writes one valid SVG per dashboard panel (and the success/error chart), thresholds drawn as lines", () => {
    const charts = readdirSync(join(goReport, "charts")).sort();
    expect(charts).toEqual([
      "compression-strategy-distribution.svg",
      "fallback-reasons.svg",
      "preview-request-rate.svg",
      "response-time.svg",
      "success-and-error-rate.svg",
      "time-constraint-success-rate.svg",
    ]);
    const thresholds: Record<string, string[]> = {
      "response-time.svg": ["average < 2 s", "p95 < 5 s"],
      "success-and-error-rate.svg": ["success > 95%", "errors < 5%"],
      "time-constraint-success-rate.svg": ["gate > 80%"],
    };
    for (const file of charts) {
      const svg = readFileSync(join(goReport, "charts", file), "utf8");
      expect([file, XMLValidator.validate(svg)]).toEqual([file, true]);
      const rules = thresholdLines(svg);
      expect([file, rules.lines]).toEqual([file, (thresholds[file] ?? []).length]);
      for (const label of thresholds[file] ?? []) expect(rules.labels).toContain(label);
      expect(svg).toMatch(/mark-line role-mark/);
    }
  });

  it("renders a valid chart file for a window without data", async () => {
    const window = soakWindow("24h", Number(END));
    const [spec] = gateCharts(queries(), StackConfigSchema.shape.soakGate.parse(undefined), window);
    const svg = await chartSvg({ spec: spec!, window, step: 600, series: [] });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain("no data in the window");
  });

  it("exits 1 on NO-GO and posts the summary to Slack's webhook as Block Kit within Slack's limits", () => {
    expect(runs.noGo.code).toBe(1);
    expect(runs.noGo.stderr).toBe("gate: posted the summary to Slack\n");
    expect(slack!.requests).toHaveLength(1);
    const [post] = slack!.requests;
    expect(post!.path).toBe(`/services/${WEBHOOK_SECRET}`);
    const message = JSON.parse(post!.body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(message.text).toMatch(/^Time Crunch soak gate: NO-GO \(failing: .*coverage/);
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Time Crunch soak gate: NO-GO" },
    });
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const block of message.blocks) expect((block.text?.text ?? "").length).toBeLessThanOrEqual(3000);
  });

  it("sends the Prometheus credentials, and shows neither them nor the webhook URL anywhere", () => {
    expect(proxy!.requests.length).toBeGreaterThan(0);
    expect(proxy!.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const everything = [runs.noGo.stdout, runs.noGo.stderr, ...filesUnder(noGoReport)].join("\n");
    for (const secret of [TOKEN, WEBHOOK_SECRET, "webhook-secret", "/services/"])
      expect(everything).not.toContain(secret);
  });

  it("turns credentials written into the Prometheus URL into basic auth, shown nowhere", async () => {
    const seen = proxy!.requests.length;
    const withUser = proxy!.url.replace("http://", "http://gate-user:url-password-for-the-test@");
    const run = await gateMain(["--prometheus-url", withUser, "--end", END]);
    expect(run.code).toBe(0);
    const basic = `Basic ${Buffer.from("gate-user:url-password-for-the-test").toString("base64")}`;
    expect(proxy!.requests.slice(seen).every((r) => r.headers.authorization === basic)).toBe(true);
    const failed = await gateMain(["--prometheus-url", withUser.replace(/:\d+$/, `:${await freePort()}`)]);
    expect(failed.code).toBe(2);
    for (const output of [run.stdout, run.stderr, failed.stdout, failed.stderr]) {
      expect(output).not.toContain("url-password-for-the-test");
    }
  });

  it("exits 2 for a Prometheus nobody listens on, after bounded retries", async () => {
    const dead = await gateMain(["--prometheus-url", `http://127.0.0.1:${await freePort()}`, "--end", END]);
    expect(dead.code).toBe(2);
    expect(dead.stdout).toBe("");
    expect(dead.stderr).toMatch(
      /^gate: Prometheus at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\), 3 attempts\n$/,
    );
  });

  it("exits 2 for a Prometheus that accepts connections and never answers, within the query timeout", () => {
    expect(runs.silent.code).toBe(2);
    expect(runs.silent.stdout).toBe("");
    expect(runs.silent.stderr).toMatch(/did not answer within 2 s \(--query-timeout\)/);
    expect(runs.silent.stderr).not.toMatch(NO_STACK_TRACE);
    const firstAsked = Math.min(...silent!.requests.map((r) => r.at));
    expect(runs.silent.endedAt - firstAsked).toBeLessThan(2_000 + 2_500);
  });

  it("exits 2 with one line naming the mistake, and no stack trace, for bad usage", async () => {
    const usage = await gateMain(["--prometheus-url", prometheus!.url, "--window", "2 days"]);
    expect(usage).toMatchObject({ code: 2, stdout: "" });
    expect(usage.stderr).toBe(
      'gate: --window 2 days: allowed: a window such as "24h": a whole number followed by m, h or d, from 1h to 30d\n',
    );
  });

  it.each(
    cases([
      [[], /give --prometheus-url URL or set PROMETHEUS_URL/],
      [["--prometheus-url", "ftp://x"], /--prometheus-url: allowed: an http or https URL/],
      [["--prometheus-url", "http://x", "--stack", "nope"], /no such config file: .*Pulumi\.nope\.yaml/],
      [["--prometheus-url", "http://x", "--end", "yesterday"], /--end yesterday: allowed: RFC 3339/],
      [["--prometheus-url", "http://x", "--format", "xml"], /--format xml: allowed: text, markdown, json/],
      [["--prometheus-url", "http://x", "--post-to-slack"], /--post-to-slack needs SLACK_WEBHOOK_URL/],
      [
        ["--prometheus-url", "http://x", "--query-timeout", "90s"],
        /--query-timeout \(90 s\) must not exceed --deadline \(75 s\)/,
      ],
      [["--prometheus-url", "http://x", "--bogus"], /Unknown option '--bogus'/],
    ]),
  )("exits 2 for %j", async (args, message) => {
    const run = await gateMain(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(NO_STACK_TRACE);
  });
});

/** The dashed threshold rules Vega drew, and the labels beside them. */
function thresholdLines(svg: string): { lines: number; labels: string[] } {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(svg) as unknown;
  let lines = 0;
  const labels: string[] = [];
  const walk = (node: unknown, inRule: boolean, inText: boolean) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, inRule, inText);
      return;
    }
    if (node === null || typeof node !== "object") {
      if (inText) labels.push(String(node));
      return;
    }
    const record = node as Record<string, unknown>;
    const className = typeof record.class === "string" ? record.class : "";
    // Marks of the chart's own layers (role-mark), not the axes' grid lines and labels.
    const mark = className.includes("role-mark");
    const rule = inRule || (mark && className.includes("mark-rule"));
    const text = inText || (mark && className.includes("mark-text"));
    for (const [key, child] of Object.entries(record)) {
      if (key === "line" && rule) lines += Array.isArray(child) ? child.length : 1;
      walk(child, rule, text);
    }
  };
  walk(parsed, false, false);
  return { lines, labels };
}
