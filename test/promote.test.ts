/**
 * `npm run promote` (tools/promote): the pure decisions as plain functions, and the tool in process
 * against a real Prometheus holding a synthetic soak (as the gate's tests build it), a stand-in
 * GitHub REST API (test/support/githubApi.ts, on a real local HTTP server) and a recording Slack
 * webhook.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_DIR, withValues } from "../components/config/stackFile";
import { promoteMain } from "../tools/promote/main";
import {
  branchName,
  BODY_LIMIT,
  joinersLine,
  nextStep,
  pullBody,
  pullTitle,
  StackEditError,
  withRolloutPercentage,
} from "../tools/promote/rung";
import { gateOutcome } from "../tools/promote/verdict";
import { cases } from "./support/cases";
import { contextKeys, FlagEvaluator } from "./support/launchDarkly";
import { loaderOf } from "./support/planCli";
import { declaredFlag, stackConfig } from "./support/program";
import { startGitHubApi, type GitHubApi } from "./support/githubApi";
import { recorder, type Recorder } from "./support/httpRecorder";
import { freePort, startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { endOf, openMetrics, type Soak } from "./support/soakSeries";
import { runTool, type ToolRun } from "./support/toolRun";

const main = promoteMain(loaderOf("index.ts"));
const BETA_FILE = join(PROJECT_DIR, "Pulumi.beta.yaml");
const BETA = readFileSync(BETA_FILE, "utf8");
const LADDER = [1, 5, 10, 25, 50, 100];

/** The lines of `a` and `b` that differ, by position (the edit never adds or removes lines). */
function changedLines(a: string, b: string): { before: string; after: string }[] {
  const left = a.split("\n");
  const right = b.split("\n");
  expect(right).toHaveLength(left.length);
  return left.flatMap((line, index) => (line === right[index] ? [] : [{ before: line, after: right[index] ?? "" }]));
}

describe("the next rung and the pull request's names", () => {
  it.each(
    cases([
      { percentage: 0, ladder: LADDER, step: { kind: "next", from: 0, to: 1 } },
      { percentage: 10, ladder: LADDER, step: { kind: "next", from: 10, to: 25 } },
      { percentage: 12.5, ladder: LADDER, step: { kind: "next", from: 12.5, to: 25 } },
      { percentage: 50, ladder: LADDER, step: { kind: "next", from: 50, to: 100 } },
      { percentage: 100, ladder: LADDER, step: { kind: "complete", at: 100 } },
      { percentage: 20, ladder: [20, 100], step: { kind: "next", from: 20, to: 100 } },
    ]),
  )("at $percentage% on $ladder: $step.kind", ({ percentage, ladder, step }) => {
    expect(nextStep({ targeting: "on", rolloutPercentage: percentage, rolloutLadder: ladder })).toEqual(step);
  });

  it("proposes nothing while targeting is off (the kill switch)", () => {
    expect(nextStep({ targeting: "off", rolloutPercentage: 10, rolloutLadder: LADDER })).toEqual({
      kind: "off",
      at: 10,
    });
  });

  it("says who joins: the count and its share, who would leave, and whether the salt was known", () => {
    const step = { from: 10, to: 25 };
    const counted = { file: "users.csv", total: 100_000, joining: 15_012, leaving: 0, reproducesSplit: false };
    expect(joinersLine("beta", step, counted)).toBe(
      "**Who joins at 25%:** 15,012 of 100,000 contexts, 15.01% (of `users.csv`); none leave. " +
        "The list to notify, once this is merged: `npm run cohort -- --stack beta --contexts users.csv --from 10 --out joining.csv`.",
    );
    expect(joinersLine("beta", step, { ...counted, leaving: 3 })).toContain(
      "; 3 of 100,000 contexts, 0.00% would leave.",
    );
  });

  it("names the branch and the title after the stack and the rungs", () => {
    expect(branchName("beta", 25)).toBe("rollout/beta-25");
    expect(pullTitle("beta", 10, 25)).toBe("beta: 10% → 25%");
  });
});

describe("the one-line edit of the stack file", () => {
  it("changes only the rolloutPercentage line of the committed Pulumi.beta.yaml, comments and layout kept", () => {
    const edited = withRolloutPercentage(BETA, 25);
    expect(changedLines(BETA, edited)).toEqual([
      { before: "  stream5-time-crunch:rolloutPercentage: 10", after: "  stream5-time-crunch:rolloutPercentage: 25" },
    ]);
    const before = parse(BETA) as { config: Record<string, unknown> };
    expect(parse(edited)).toEqual({
      ...before,
      config: { ...before.config, "stream5-time-crunch:rolloutPercentage": 25 },
    });
  });

  it.each(
    cases([
      { line: '  stream5-time-crunch:rolloutPercentage: "10"', edited: "  stream5-time-crunch:rolloutPercentage: 25" },
      {
        line: "  stream5-time-crunch:rolloutPercentage: 10   # raised weekly",
        edited: "  stream5-time-crunch:rolloutPercentage: 25   # raised weekly",
      },
      { line: "  rolloutPercentage: 12.5", edited: "  rolloutPercentage: 25" },
    ]),
  )("keeps a trailing comment and takes a quoted or short key: $line", ({ line, edited }) => {
    const text = `# a comment\nconfig:\n  stream5-time-crunch:targeting: "on"\n${line}\n`;
    expect(changedLines(text, withRolloutPercentage(text, 25))).toEqual([{ before: line, after: edited }]);
  });

  it.each(
    cases([
      { what: "no rolloutPercentage", text: 'config:\n  stream5-time-crunch:targeting: "on"\n' },
      {
        what: "two rolloutPercentage lines",
        text: "config:\n  stream5-time-crunch:rolloutPercentage: 10\n  rolloutPercentage: 10\n",
      },
      { what: "rolloutPercentage outside config:", text: "other:\n  rolloutPercentage: 10\nconfig: {}\n" },
    ]),
  )("refuses a file it cannot edit safely: $what", ({ text }) => {
    expect(() => withRolloutPercentage(text, 25)).toThrow(StackEditError);
  });

  it("makes the gate's report the body without the SVG links, within GitHub's limit", () => {
    const body = pullBody("## Gate\n\n```mermaid\nx\n``` · [SVG](charts/errors.svg)\n", "Raises it.");
    expect(body).toBe("Raises it.\n\n## Gate\n\n```mermaid\nx\n```\n");
    expect(pullBody("x".repeat(BODY_LIMIT * 2), "h").length).toBe(BODY_LIMIT);
  });

  it("reads the gate's verdict from its JSON, or from its exit code", () => {
    expect(
      gateOutcome(1, JSON.stringify({ verdict: "NO-GO", failing: ["coverage"], criteria: [] }), undefined),
    ).toMatchObject({
      verdict: "NO-GO",
      failing: ["coverage"],
    });
    expect(gateOutcome(1, "gate: INCONCLUSIVE: no deployment time", undefined).verdict).toBe("INCONCLUSIVE");
    expect(gateOutcome(0, "", undefined).verdict).toBe("GO");
  });
});

const SOAK: Soak = { start: Date.parse("2026-02-02T00:00:00Z") / 1000, minutes: 26 * 60 };
const END = String(endOf(SOAK));
const TOKEN = "ghp_promoteTestTokenThatMustNeverBeShown0123";
const WEBHOOK_SECRET = "T0PROMOTE/B0PROMOTE/webhook-secret-for-the-test";
const OWNER = "athlete-ally";
const REPO = "stream5-time-crunch";
const BETA_AT_100 = BETA.replace("rolloutPercentage: 10", "rolloutPercentage: 100");

/**
 * The engine's other routes (OpenTelemetry's HTTP server histogram), steady from a day before the
 * soak to its end: the baseline a gate comparing against the window before needs; a gate that
 * does not compare ignores them. Written here, not taken from the gate's test support, which is
 * changing with the gate.
 */
function otherRoutes(soak: Soak, intervalMinutes: number): string {
  const metric = "http_server_request_duration_seconds";
  const start = soak.start - soak.minutes * 60;
  const buckets = [
    ["0.05", 0],
    ["0.1", 0.9],
    ["0.25", 1],
    ["0.5", 1],
    ["1", 1],
    ["+Inf", 1],
  ] as const;
  const lines = [`# TYPE ${metric} histogram`];
  for (const [route, perMinute] of [
    ["/v1/plans", 120],
    ["/v1/athletes", 60],
  ] as const) {
    for (const [code, share] of [
      ["200", 0.99],
      ["500", 0.01],
    ] as const) {
      const labels = `http_route="${route}",http_response_status_code="${code}"`;
      const series = [
        ...buckets.map(([le, below]) => [`${metric}_bucket{${labels},le="${le}"}`, below] as const),
        [`${metric}_sum{${labels}}`, 0.9 * 0.1 * 0.8 + 0.1 * 0.25 * 0.8] as const,
        [`${metric}_count{${labels}}`, 1] as const,
      ];
      for (const [name, perRequest] of series) {
        for (let minute = 0; minute <= 2 * soak.minutes; minute += intervalMinutes) {
          const total = Number((minute * perMinute * share * perRequest).toFixed(6));
          lines.push(`${name} ${String(total)} ${String(start + minute * 60)}`);
        }
      }
    }
  }
  return [...lines, "# EOF", ""].join("\n");
}

let prometheus: LocalPrometheus | undefined;
let slack: Recorder | undefined;
/** GitHub Enterprise's layout (/api/v3): the GO runs. */
let enterprise: GitHubApi | undefined;
let noGoRepo: GitHubApi | undefined;
let completeRepo: GitHubApi | undefined;
/** The GO run with a contexts file, and the run whose contexts file does not exist. */
let cohortRepo: GitHubApi | undefined;
let missingContextsRepo: GitHubApi | undefined;
let mainAtStart = "";
const runs: Record<"first" | "second" | "noGo" | "complete" | "unreachable" | "contexts" | "missingContexts", ToolRun> =
  {} as never;
/** 20,000 users, as the beta's export lists them (a CSV with an email column). */
const USERS = contextKeys(20_000);
const CONTEXTS_DIR = mkdtempSync(join(tmpdir(), "promote-contexts-"));
const USERS_CSV = join(CONTEXTS_DIR, "users.csv");
writeFileSync(USERS_CSV, `key,email\n${USERS.map((key) => `${key},${key}@example.com`).join("\n")}\n`);

const env = (github: { apiUrl: string } | string, extra: Record<string, string> = {}) => ({
  PROMETHEUS_URL: prometheus?.url ?? "",
  GITHUB_TOKEN: TOKEN,
  GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
  GITHUB_API_URL: typeof github === "string" ? github : github.apiUrl,
  ...extra,
});

beforeAll(async () => {
  prometheus = await startPrometheus([openMetrics(SOAK, 2), otherRoutes(SOAK, 2)]);
  [slack, enterprise, noGoRepo, completeRepo, cohortRepo, missingContextsRepo] = await Promise.all([
    recorder((_, response) => {
      response.end("ok");
    }),
    startGitHubApi({ owner: OWNER, repo: REPO, files: { "Pulumi.beta.yaml": BETA }, prefix: "/api/v3" }),
    startGitHubApi({ owner: OWNER, repo: REPO, files: { "Pulumi.beta.yaml": BETA } }),
    startGitHubApi({ owner: OWNER, repo: REPO, files: { "Pulumi.beta.yaml": BETA_AT_100 } }),
    startGitHubApi({ owner: OWNER, repo: REPO, files: { "Pulumi.beta.yaml": BETA } }),
    startGitHubApi({ owner: OWNER, repo: REPO, files: { "Pulumi.beta.yaml": BETA } }),
  ]);
  mainAtStart = enterprise.state.branches.get("main") ?? "";
  const unreachable = `http://127.0.0.1:${String(await freePort())}/api/v3`;
  runs.first = await runTool(main, ["--stack", "beta", "--end", END], env(enterprise));
  [runs.second, runs.noGo, runs.complete, runs.unreachable, runs.missingContexts] = await Promise.all([
    runTool(main, ["--stack", "beta", "--end", END], env(enterprise)),
    runTool(
      main,
      ["--stack", "beta", "--end", END, "--window", "48h", "--post-to-slack"],
      env(noGoRepo, { SLACK_WEBHOOK_URL: `${slack.url}/services/${WEBHOOK_SECRET}` }),
    ),
    runTool(main, ["--stack", "beta", "--end", END], env(completeRepo)),
    runTool(main, ["--stack", "beta", "--end", END], env(unreachable)),
    runTool(
      main,
      ["--stack", "beta", "--end", END, "--contexts", join(CONTEXTS_DIR, "missing.csv")],
      env(missingContextsRepo),
    ),
  ]);
  // Runs the program offline (twice): alone, as Pulumi's mock engine is one per process.
  runs.contexts = await runTool(main, ["--stack", "beta", "--end", END, "--contexts", USERS_CSV], env(cohortRepo));
}, 180_000);

afterAll(async () => {
  await Promise.all([
    prometheus?.stop(),
    slack?.close(),
    enterprise?.close(),
    noGoRepo?.close(),
    completeRepo?.close(),
    cohortRepo?.close(),
    missingContextsRepo?.close(),
  ]);
});

const writes = (github: GitHubApi) => github.requests.filter((r) => r.method !== "GET");
const apiPath = (github: GitHubApi, path: string) =>
  `${github === enterprise ? "/api/v3" : ""}/repos/${OWNER}/${REPO}${path}`;

describe("npm run promote on GO", () => {
  it("opens one pull request from rollout/beta-25 to the default branch, labelled rollout", () => {
    expect(runs.first.stderr).toBe("");
    expect(runs.first.code).toBe(0);
    expect(runs.first.stdout).toMatch(/gate GO: opened pull request #1 \(beta: 10% → 25%\)/);
    const github = enterprise!;
    expect(github.state.pulls).toHaveLength(1);
    expect(github.state.pulls[0]).toMatchObject({
      number: 1,
      title: "beta: 10% → 25%",
      head: "rollout/beta-25",
      base: "main",
      state: "open",
      labels: ["rollout"],
    });
  });

  it("commits only rolloutPercentage 10 → 25, on the branch, from the default branch's head, which does not move", () => {
    const github = enterprise!;
    const puts = github.requests.filter((r) => r.method === "PUT");
    expect(puts.length).toBeGreaterThan(0);
    const put = JSON.parse(puts[0]!.body) as { content: string; sha: string; branch: string };
    expect(puts[0]!.path).toBe(apiPath(github, "/contents/Pulumi.beta.yaml"));
    expect(put.branch).toBe("rollout/beta-25");
    const committed = Buffer.from(put.content, "base64").toString("utf8");
    expect(committed).toBe(BETA.replace("rolloutPercentage: 10\n", "rolloutPercentage: 25\n"));
    expect(changedLines(BETA, committed)).toHaveLength(1);
    expect(github.fileAt("rollout/beta-25", "Pulumi.beta.yaml")).toBe(committed);
    // The default branch is read, never written.
    expect(github.state.branches.get("main")).toBe(mainAtStart);
    expect(github.fileAt("main", "Pulumi.beta.yaml")).toBe(BETA);
    const created = github.requests.find((r) => r.method === "POST" && r.path.endsWith("/git/refs"));
    expect(JSON.parse(created!.body)).toEqual({ ref: "refs/heads/rollout/beta-25", sha: mainAtStart });
    // And the local checkout is not touched.
    expect(readFileSync(BETA_FILE, "utf8")).toBe(BETA);
  });

  it("makes the gate's report the body: verdict, criteria, charts", () => {
    const body = enterprise!.state.pulls[0]!.body;
    expect(body).toContain("from 10% to 25%");
    expect(body).toContain("## Time Crunch soak gate: ✅ GO");
    expect(body).toContain("```mermaid");
    expect(body).not.toContain("[SVG](charts/");
    // The checklist's sign-offs, each team mentioned.
    expect(body).toContain(
      [
        "- [ ] **qa**: QA sign-off on integration tests (@athlete-ally/qa)",
        "- [ ] **ops**: Ops team confirms system stability (@athlete-ally/ops)",
        "- [ ] **support**: Support team ready for user questions (@athlete-ally/support)",
        "- [ ] **docs**: Documentation updated and reviewed (@athlete-ally/docs)",
      ].join("\n"),
    );
  });

  it("says who joins was not counted when no contexts file is given", () => {
    expect(enterprise!.state.pulls[0]!.body).toContain(
      "**Who joins at 25%:** not counted (no contexts file: `npm run promote -- --contexts FILE`, in CI the `BETA_CONTEXTS_URL` secret).",
    );
  });

  it("with --contexts, says how many join at 25% as LaunchDarkly's SDK serves the declared flag, none leaving", async () => {
    expect(runs.contexts).toMatchObject({ code: 0, stderr: "" });
    const evaluator = await FlagEvaluator.start();
    try {
      const at10 = (await evaluator.evaluate(await declaredFlag(stackConfig("beta")), USERS)).servedTrue;
      const at25 = (
        await evaluator.evaluate(await declaredFlag(withValues(stackConfig("beta"), { rolloutPercentage: 25 })), USERS)
      ).servedTrue;
      const joining = [...at25].filter((key) => !at10.has(key)).length;
      expect([...at10].filter((key) => !at25.has(key))).toEqual([]);
      // About 15% of them: the rung adds 15 points.
      expect(joining / USERS.length).toBeGreaterThan(0.14);
      expect(joining / USERS.length).toBeLessThan(0.16);
      const share = ((joining / USERS.length) * 100).toFixed(2);
      expect(cohortRepo!.state.pulls[0]!.body).toContain(
        `**Who joins at 25%:** ${joining.toLocaleString("en-US")} of 20,000 contexts, ${share}% (of \`users.csv\`); none leave. ` +
          "Counted without the flag's salt: the split's count, not production's exact assignment. " +
          "The list to notify, once this is merged: `npm run cohort -- --stack beta --contexts users.csv --from 10 --out joining.csv`.",
      );
    } finally {
      evaluator.close();
    }
  }, 60_000);

  it("refuses a contexts file that does not exist before asking GitHub anything: exit 2, naming it", () => {
    expect(runs.missingContexts.code).toBe(2);
    expect(runs.missingContexts.stderr).toContain("missing.csv");
    expect(runs.missingContexts.stderr).not.toMatch(/\n\s+at /);
    expect(missingContextsRepo!.requests).toEqual([]);
  });

  it("keeps GitHub Enterprise's /api/v3 path on every request", () => {
    const github = enterprise!;
    expect(github.requests.length).toBeGreaterThan(0);
    for (const request of github.requests) expect(request.path).toMatch(new RegExp(`^/api/v3/repos/${OWNER}/${REPO}`));
  });

  it("updates the same pull request on a second run: no second POST /pulls", () => {
    expect(runs.second.stderr).toBe("");
    expect(runs.second.code).toBe(0);
    expect(runs.second.stdout).toMatch(/updated pull request #1/);
    const github = enterprise!;
    expect(github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls"))).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === "PATCH" && r.path === apiPath(github, "/pulls/1"))).toHaveLength(
      1,
    );
    expect(github.requests.filter((r) => r.method === "GET" && r.path.includes("/pulls?"))[0]!.path).toContain(
      `head=${encodeURIComponent(`${OWNER}:rollout/beta-25`)}`,
    );
    expect(github.state.pulls).toHaveLength(1);
    // The proposal branch (only it) is reset to the default branch's head, then the edit committed again.
    const moved = github.requests.filter((r) => r.method === "PATCH" && r.path.includes("/git/refs/"));
    // (Octokit sends the ref's slashes as %2F, which GitHub decodes.)
    expect(moved.map((r) => [decodeURIComponent(r.path), JSON.parse(r.body) as unknown])).toEqual([
      [apiPath(github, "/git/refs/heads/rollout/beta-25"), { sha: mainAtStart, force: true }],
    ]);
    expect(github.fileAt("rollout/beta-25", "Pulumi.beta.yaml")).toBe(withRolloutPercentage(BETA, 25));
    expect(github.state.branches.get("main")).toBe(mainAtStart);
  });
});

describe("npm run promote without a GO or a next rung", () => {
  it("opens no pull request on NO-GO, exits 1 and posts why to Slack", () => {
    expect(runs.noGo.code).toBe(1);
    expect(runs.noGo.stdout).toMatch(/gate NO-GO \(failing: .*\): 25% is not proposed, beta stays at 10%/);
    expect(writes(noGoRepo!)).toEqual([]);
    expect(noGoRepo!.state.pulls).toEqual([]);
    const posts = slack!.requests.filter((r) => r.path === `/services/${WEBHOOK_SECRET}`);
    expect(posts).toHaveLength(1);
    const message = JSON.parse(posts[0]!.body) as { text: string; blocks: unknown[] };
    expect(message.text).toMatch(/^Time Crunch promotion of beta: not proposed \(gate NO-GO\): failing /);
    expect(JSON.stringify(message.blocks)).toContain("stays at 10%");
  });

  it("says the rollout is complete at 100% and opens nothing", () => {
    expect(runs.complete.stderr).toBe("");
    expect(runs.complete.code).toBe(0);
    expect(runs.complete.stdout).toMatch(/the rollout is complete \(100%/);
    expect(writes(completeRepo!)).toEqual([]);
    expect(completeRepo!.requests.some((r) => r.path.includes("/pulls"))).toBe(false);
  });

  it("exits 2 naming GitHub when GitHub is unreachable", () => {
    expect(runs.unreachable.code).toBe(2);
    expect(runs.unreachable.stderr).toMatch(
      /^promote: GitHub \(http:\/\/127\.0\.0\.1:\d+\/api\/v3, .*\): could not read the repository/,
    );
    expect(runs.unreachable.stderr).not.toMatch(/^\s+at /m);
  });

  it("exits 2 naming GitHub when GitHub answers with an error", async () => {
    const github = await startGitHubApi({ owner: OWNER, repo: "elsewhere", files: {} });
    try {
      const run = await runTool(main, ["--stack", "beta"], env(github));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^promote: GitHub .*: could not read the repository: HTTP 404/);
    } finally {
      await github.close();
    }
  });

  it("passes the gate's exit 2 through, with the gate's message, and opens nothing", async () => {
    const github = await startGitHubApi({ owner: OWNER, repo: REPO, files: { "Pulumi.beta.yaml": BETA } });
    try {
      const run = await runTool(main, ["--stack", "beta", "--end", "yesterday"], env(github));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^gate: --end yesterday: allowed: /);
      expect(writes(github)).toEqual([]);
    } finally {
      await github.close();
    }
  });

  it.each(
    cases([
      { what: "no --stack", args: [], env: {}, message: /give --stack NAME/ },
      { what: "no token", args: ["--stack", "beta"], env: { GITHUB_TOKEN: "" }, message: /set GITHUB_TOKEN/ },
      {
        what: "no repository",
        args: ["--stack", "beta"],
        env: { GITHUB_REPOSITORY: "x" },
        message: /GITHUB_REPOSITORY/,
      },
      { what: "no webhook", args: ["--stack", "beta", "--post-to-slack"], env: {}, message: /SLACK_WEBHOOK_URL/ },
    ]),
  )("exits 2 for bad usage: $what", async ({ args, env: extra, message }) => {
    const run = await runTool(main, args, { ...env("http://127.0.0.1:65535"), ...extra });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe("the token", () => {
  it("appears in no output and in no request but as the Authorization header", () => {
    for (const run of Object.values(runs)) expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
    const requests = [enterprise!, noGoRepo!, completeRepo!].flatMap((github) => github.requests);
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(request.headers.authorization).toBe(`token ${TOKEN}`);
      const headers = Object.entries(request.headers).filter(([name]) => name !== "authorization");
      expect(JSON.stringify({ path: request.path, headers, body: request.body })).not.toContain(TOKEN);
    }
    for (const post of slack!.requests) expect(JSON.stringify(post)).not.toContain(TOKEN);
  });
});
