/**
 * Every URL a tool takes, from a flag or an environment variable, is checked before any request:
 * a port fetch refuses or a scheme other than http/https is bad input (exit 2 at once, naming
 * where it came from and why), not an outage found after retries. A refused connection on a
 * free port is an outage: exit 2, told as unreachable, and soon.
 */
import { describe, expect, it } from "vitest";
import { httpUrl, type ToolMain } from "../tools/cli/runner";
import { main as gate } from "../tools/gate/main";
import { main as loadTest } from "../tools/loadTest/main";
import { promoteMain } from "../tools/promote/main";
import { main as rollbackCheck } from "../tools/rollbackCheck/main";
import { main as soakReport } from "../tools/soakReport/main";
import { main as verify } from "../tools/verify/main";
import { cases } from "./support/cases";
import { freePort } from "./support/localPrometheus";
import { loaderOf } from "./support/planCli";
import { runTool } from "./support/toolRun";

/** Never asked: every case fails on its bad URL before any request. */
const GOOD = "http://127.0.0.1:65535";
const TOKENS = {
  LAUNCHDARKLY_ACCESS_TOKEN: "api-url-test",
  GRAFANA_TOKEN: "glsa_url_test",
  GITHUB_TOKEN: "ghp_url_test",
  GITHUB_REPOSITORY: "athlete-ally/stream5-time-crunch",
};

interface Tool {
  readonly name: string;
  readonly main: ToolMain;
  readonly argv: readonly string[];
  /** The tool's URL flags (without `--`), each given GOOD in the base call. */
  readonly flags: readonly string[];
  /** The environment variables it reads URLs from, each GOOD in the base call. */
  readonly variables: readonly string[];
}

const TOOLS: readonly Tool[] = [
  {
    name: "gate",
    main: gate,
    argv: ["--stack", "staging"],
    flags: ["prometheus-url", "dashboard-url", "report-url"],
    variables: ["PROMETHEUS_URL"],
  },
  {
    name: "verify",
    main: verify,
    argv: ["--stack", "staging"],
    flags: ["grafana-url", "prometheus-url", "launchdarkly-url", "preview-url"],
    variables: ["GRAFANA_URL", "PROMETHEUS_URL"],
  },
  {
    name: "load-test",
    main: loadTest,
    argv: ["--stack", "staging"],
    flags: ["preview-url", "prometheus-url"],
    variables: ["PROMETHEUS_URL"],
  },
  {
    name: "promote",
    main: promoteMain(loaderOf("index.ts")),
    argv: ["--stack", "beta"],
    flags: ["prometheus-url", "report-url"],
    variables: ["PROMETHEUS_URL", "GITHUB_API_URL"],
  },
  {
    name: "soak-report",
    main: soakReport,
    argv: ["--stack", "staging", "--soak-start", "2026-01-01T00:00:00Z"],
    flags: ["prometheus-url", "dashboard-url", "report-url"],
    // GITHUB_API_URL: the summaries' feedback issues, with GITHUB_TOKEN set.
    variables: ["PROMETHEUS_URL", "GITHUB_API_URL"],
  },
  {
    name: "rollback-check",
    main: rollbackCheck,
    argv: ["--stack", "beta"],
    flags: ["launchdarkly-url", "grafana-url", "prometheus-url", "preview-url"],
    variables: ["GRAFANA_URL", "PROMETHEUS_URL", "GITHUB_API_URL"],
  },
];

/** A tool called with every URL good but `bad` at one of its flags or variables. */
function call(tool: Tool, where: string, bad: string, slack = false) {
  const flag = where.startsWith("--") ? where.slice(2) : undefined;
  const argv = [
    ...tool.argv,
    ...tool.flags.filter((f) => f !== flag).flatMap((f) => [`--${f}`, GOOD]),
    ...(flag === undefined ? [] : [where, bad]),
    ...(slack ? ["--post-to-slack"] : []),
  ];
  const env = {
    ...TOKENS,
    ...Object.fromEntries(tool.variables.map((v) => [v, GOOD])),
    ...(slack && { SLACK_WEBHOOK_URL: `${GOOD}/services/T0/B0/secret` }),
    ...(flag === undefined && { [where]: bad }),
  };
  return runTool(tool.main, argv, env);
}

const PLACES = TOOLS.flatMap((tool) => [
  ...tool.flags.map((flag) => ({ tool, where: `--${flag}` })),
  // A flag wins over its variable: the variable alone is what is checked here.
  ...tool.variables.map((variable) => ({ tool, where: variable })),
]);
/** The tools that post to Slack: the webhook comes from SLACK_WEBHOOK_URL. */
const SLACK_TOOLS = TOOLS.filter((t) => t.name !== "load-test");

function flagless(tool: Tool, where: string): Tool {
  // The variable is read only when the flag is absent: drop the flag of the same source.
  const flag = `${where.toLowerCase().replace(/_url$/, "")}-url`;
  return { ...tool, flags: tool.flags.filter((f) => f !== flag) };
}

describe("a URL is checked before any request", () => {
  it.each(cases(PLACES.map((p) => [`${p.tool.name} ${p.where}`, p] as const)))(
    "%s: a port fetch refuses, or another scheme, exits 2 at once naming it",
    async (_, { tool, where }) => {
      const target = where.startsWith("--") ? tool : flagless(tool, where);
      const started = performance.now();
      const port = await call(target, where, "http://127.0.0.1:9/");
      const elapsed = performance.now() - started;
      expect(port.code).toBe(2);
      expect(port.stderr).toContain(where);
      expect(port.stderr).toContain(
        'port 9 is one fetch never connects to (a "bad port" of the WHATWG Fetch standard)',
      );
      expect(port.stderr).not.toContain("    at "); // no stack trace
      expect(elapsed).toBeLessThan(500);
      const scheme = await call(target, where, "ftp://127.0.0.1:8021/");
      expect(scheme.code).toBe(2);
      expect(scheme.stderr).toContain(where);
      expect(scheme.stderr).toContain("allowed: an http or https URL (not ftp)");
    },
  );

  it.each(cases(SLACK_TOOLS.map((t) => [t.name, t] as const)))(
    "%s: SLACK_WEBHOOK_URL on a bad port",
    async (_, tool) => {
      const run = await runTool(
        tool.main,
        [...tool.argv, ...tool.flags.flatMap((f) => [`--${f}`, GOOD]), "--post-to-slack"],
        { ...TOKENS, SLACK_WEBHOOK_URL: "https://hooks.slack.example:6667/services/T0/B0/secret-part" },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("SLACK_WEBHOOK_URL: port 6667 is one fetch never connects to");
      expect(run.stderr).not.toContain("secret-part"); // a webhook URL is a secret
    },
  );

  // The standard's list: each refused, and the ports beside it accepted.
  it.each(
    cases([
      [1, true],
      [2, false],
      [9, true],
      [8, false],
      [22, true],
      [25, true],
      [80, false],
      [443, false],
      [6000, true],
      [6001, false],
      [6664, false],
      [6665, true],
      [6667, true],
      [6669, true],
      [6670, false],
      [10080, true],
      [10081, false],
    ] as const),
  )("port %i refused: %s", (port, refused) => {
    const check = () => httpUrl("--prometheus-url", `http://127.0.0.1:${port}/`);
    if (refused) expect(check).toThrow(`port ${port} is one fetch never connects to`);
    else expect(check()).toBe(`http://127.0.0.1:${port}/`);
  });
});

describe("a refused connection on a free port", () => {
  it("is unreachable (exit 2), and the gate gives up within a second", async () => {
    const port = await freePort();
    const started = performance.now();
    const run = await runTool(gate, ["--stack", "staging", "--prometheus-url", `http://127.0.0.1:${port}`]);
    const elapsed = performance.now() - started;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^gate: Prometheus at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\), 3 attempts\n$/,
    );
    expect(elapsed).toBeLessThanOrEqual(1000);
  });
});
