/**
 * The checklist's operational sign-offs: the decision (plain), `npm run signoffs` against a local
 * stand-in of GitHub's REST API (reviews and team members past one page), the config's rules, and
 * CODEOWNERS asking for the reviews the config requires.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig, parsedConfigOf, StackConfigError } from "../components/config/schema";
import { PROJECT_DIR, readStackConfig, stackFilePath } from "../components/config/stackFile";
import { signoffChecklist, signoffVerdicts, SignoffStatus, type Review } from "../components/rollout/signoffs";
import { main } from "../tools/signoffs/main";
import { cases } from "./support/cases";
import { startGitHubApi, type GitHubApi, type StoredReview } from "./support/githubApi";
import { freePort } from "./support/localPrometheus";
import { runTool } from "./support/toolRun";
import { valid } from "./support/validConfig";

const HEAD = "c0ffee0000000000000000000000000000000002";
const OLD = "c0ffee0000000000000000000000000000000001";
const QA = { role: "qa", team: "athlete-ally/qa" };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 9, minute)).toISOString();
const review = (login: string, state: Review["state"], commitId: string, minute: number): Review => ({
  login,
  state,
  commitId,
  submittedAt: at(minute),
});
const qaMembers = new Map([["athlete-ally/qa", new Set(["quinn", "quentin"])]]);
const decide = (reviews: Review[], author = "rollout-bot") =>
  signoffVerdicts([QA], { author, headSha: HEAD, reviews }, qaMembers)[0]!;

describe("signoffVerdicts", () => {
  it.each(
    cases([
      ["a member's approval of the head", [review("quinn", "APPROVED", HEAD, 1)], SignoffStatus.Signed, "quinn"],
      ["no review", [], SignoffStatus.Missing, undefined],
      [
        "an approval of an older commit (a push since)",
        [review("quinn", "APPROVED", OLD, 1)],
        SignoffStatus.Stale,
        "quinn",
      ],
      ["a non-member's approval", [review("mallory", "APPROVED", HEAD, 1)], SignoffStatus.Missing, undefined],
      ["a comment only", [review("quinn", "COMMENTED", HEAD, 1)], SignoffStatus.Missing, undefined],
      [
        "a member's request for changes after the approval",
        [review("quinn", "APPROVED", HEAD, 1), review("quentin", "CHANGES_REQUESTED", HEAD, 2)],
        SignoffStatus.ChangesRequested,
        "quentin",
      ],
      [
        "a request for changes before another member's approval",
        [review("quentin", "CHANGES_REQUESTED", OLD, 1), review("quinn", "APPROVED", HEAD, 2)],
        SignoffStatus.Signed,
        "quinn",
      ],
      [
        "the same member asking for changes, then approving",
        [review("quinn", "CHANGES_REQUESTED", HEAD, 1), review("quinn", "APPROVED", HEAD, 2)],
        SignoffStatus.Signed,
        "quinn",
      ],
      [
        "an approval, then a dismissal",
        [review("quinn", "APPROVED", HEAD, 1), review("quinn", "DISMISSED", HEAD, 2)],
        SignoffStatus.Missing,
        undefined,
      ],
      [
        "a stale approval and a current one",
        [review("quentin", "APPROVED", OLD, 1), review("quinn", "APPROVED", HEAD, 2)],
        SignoffStatus.Signed,
        "quinn",
      ],
    ] as const),
  )("%s: %s", (_, reviews, status, who) => {
    expect(decide([...reviews])).toMatchObject({ status, who });
  });

  it("never lets the pull request's author sign, even as a team member", () => {
    expect(decide([review("quinn", "APPROVED", HEAD, 1)], "quinn").status).toBe(SignoffStatus.Missing);
  });

  it("judges reviews by time, in whatever order they come", () => {
    const reviews = [review("quentin", "CHANGES_REQUESTED", HEAD, 5), review("quinn", "APPROVED", HEAD, 1)];
    expect(decide(reviews).status).toBe(SignoffStatus.ChangesRequested);
  });
});

describe("signoffChecklist", () => {
  it("lists each role with the checklist's words and its team, or says none is required", () => {
    expect(
      signoffChecklist([QA, { role: "legal", team: "athlete-ally/legal" }])
        .split("\n")
        .slice(-2),
    ).toEqual([
      "- [ ] **qa**: QA sign-off on integration tests (@athlete-ally/qa)",
      "- [ ] **legal** (@athlete-ally/legal)",
    ]);
    expect(signoffChecklist([])).toBe("No sign-off is required for this stack (`signoffs: []`).");
  });
});

describe("the signoffs config", () => {
  const problems = (signoffs: unknown) => {
    try {
      parseStackConfig({ ...valid, signoffs });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(StackConfigError);
      return (error as StackConfigError).problems;
    }
  };

  it("takes a list of {role, team}, and [] written out", () => {
    expect(problems([QA])).toEqual([]);
    expect(problems([])).toEqual([]);
    expect(parseStackConfig(valid).signoffs).toBeUndefined();
  });

  it.each(
    cases([
      ["not a list", "qa"],
      ["a team without its org", [{ role: "qa", team: "qa" }]],
      ["a role with capitals", [{ role: "QA", team: "athlete-ally/qa" }]],
      ["an unknown key", [{ role: "qa", team: "athlete-ally/qa", teams: "x" }]],
    ] as const),
  )("refuses %s, saying what is allowed", (_, signoffs) => {
    expect(problems(signoffs).join("\n")).toMatch(/^signoffs.*: a list of \{role, team\}: role a lowercase word/m);
  });

  it("refuses a role listed twice", () => {
    expect(problems([QA, { role: "qa", team: "athlete-ally/ops" }])).toEqual([
      expect.stringContaining("each role once") as unknown,
    ]);
  });

  it("lists the checklist's four roles for beta, and none for staging", () => {
    const beta = parsedConfigOf(readStackConfig(stackFilePath("beta"))).signoffs;
    expect(beta?.map((s) => s.role)).toEqual(["qa", "ops", "support", "docs"]);
    expect(parsedConfigOf(readStackConfig(stackFilePath("staging"))).signoffs).toEqual([]);
  });

  it("agrees with CODEOWNERS: a change to Pulumi.beta.yaml requests the review of every sign-off team", () => {
    const beta = parsedConfigOf(readStackConfig(stackFilePath("beta"))).signoffs ?? [];
    const lines = readFileSync(join(PROJECT_DIR, ".github", "CODEOWNERS"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"));
    // The last matching line wins on GitHub: the beta file's line must be the last that matches it.
    const matching = lines.filter((line) =>
      ["*", "/Pulumi.beta.yaml", "Pulumi.beta.yaml"].includes(line.split(/\s+/)[0]!),
    );
    const owners = matching.at(-1)?.split(/\s+/).slice(1) ?? [];
    expect(owners.sort()).toEqual(beta.map((s) => `@${s.team}`).sort());
  });
});

describe("npm run signoffs against GitHub's REST API (a local stand-in)", () => {
  const OWNER = "athlete-ally";
  const REPO = "stream5-time-crunch";
  const TOKEN = "ghp_signoffsTokenNeverShown0000000001";
  let github: GitHubApi;
  const env = (over: Record<string, string> = {}) => ({
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.apiUrl,
    ...over,
  });
  const stored = (login: string, state: StoredReview["state"], commitId: string, minute: number): StoredReview => ({
    login,
    state,
    commitId,
    submittedAt: at(minute),
  });

  beforeAll(async () => {
    github = await startGitHubApi({ owner: OWNER, repo: REPO, files: {}, prefix: "/api/v3" });
    const head = github.state.branches.get("main")!;
    github.state.pulls.push(
      { number: 7, title: "beta: 10% -> 25%", body: "", state: "open", head: "main", base: "main", labels: [] },
      {
        number: 8,
        title: "beta: 25% -> 50%",
        body: "",
        state: "open",
        head: "main",
        base: "main",
        labels: [],
        author: "olive",
      },
    );
    // More than a page of each: 120 members in ops, 130 comments before the deciding reviews.
    const ops = Array.from({ length: 120 }, (_, i) => `ops-${String(i).padStart(3, "0")}`);
    github.state.teams.set("athlete-ally/qa", ["quinn"]);
    github.state.teams.set("athlete-ally/ops", ops);
    github.state.teams.set("athlete-ally/support", ["sam"]);
    github.state.teams.set("athlete-ally/docs", ["dana"]);
    const chatter = Array.from({ length: 130 }, (_, i) => stored("someone", "COMMENTED", head, i % 50));
    github.state.reviews.set(7, [
      ...chatter,
      stored("quinn", "APPROVED", head, 51),
      stored("ops-119", "APPROVED", head, 52),
      stored("sam", "APPROVED", head, 53),
      stored("dana", "APPROVED", OLD, 54),
    ]);
    github.state.reviews.set(8, [
      stored("quinn", "APPROVED", head, 51),
      stored("ops-001", "APPROVED", head, 52),
      stored("sam", "APPROVED", head, 53),
      stored("dana", "APPROVED", head, 54),
      stored("olive", "APPROVED", head, 55),
    ]);
  });
  afterAll(() => github.close());

  it("exits 1 naming the role not signed (docs: stale), with every role's who, when and commit", async () => {
    const seen = github.requests.length;
    const run = await runTool(main, ["--stack", "beta", "--pr", "7"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const head = github.state.branches.get("main")!.slice(0, 7);
    expect(run.stdout.split("\n")[0]).toBe(
      `sign-offs for beta, pull request #7 at ${head}: 3 of 4 signed; waiting for sign-off from docs (athlete-ally/docs: stale)`,
    );
    expect(run.stdout).toMatch(new RegExp(`^qa +athlete-ally/qa +signed +quinn +${at(51)} +${head}$`, "m"));
    expect(run.stdout).toMatch(new RegExp(`^ops +athlete-ally/ops +signed +ops-119 `, "m"));
    expect(run.stdout).toMatch(new RegExp(`^docs +athlete-ally/docs +stale +dana +${at(54)} +c0ffee0$`, "m"));
    // Both lists followed past their first page.
    const asked = github.requests.slice(seen).map((r) => r.path);
    expect(asked.filter((p) => p.includes("/pulls/7/reviews"))).toHaveLength(2);
    expect(asked.filter((p) => p.includes("/teams/ops/members"))).toHaveLength(2);
    for (const r of github.requests.slice(seen)) expect(r.headers.authorization).toBe(`token ${TOKEN}`);
    expect(run.stdout).not.toContain(TOKEN);
  });

  it("exits 0 when every role is signed; the author's own approval is not needed (json, markdown)", async () => {
    const json = await runTool(main, ["--stack", "beta", "--pr", "8", "--format", "json"], env());
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      signed: boolean;
      roles: { role: string; status: string; who: string }[];
    };
    expect(report.signed).toBe(true);
    expect(report.roles.map((r) => [r.role, r.status, r.who])).toEqual([
      ["qa", "signed", "quinn"],
      ["ops", "signed", "ops-001"],
      ["support", "signed", "sam"],
      ["docs", "signed", "dana"],
    ]);
    const markdown = await runTool(main, ["--stack", "beta", "--pr", "8", "--format", "markdown"], env());
    expect(markdown.stdout).toContain("| qa (QA sign-off on integration tests) | @athlete-ally/qa | signed | quinn |");
  });

  it("staging lists none: exit 0 without asking GitHub", async () => {
    const seen = github.requests.length;
    const run = await runTool(main, ["--stack", "staging", "--pr", "7"], env());
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining("none required (signoffs: [])") as unknown });
    expect(github.requests.length).toBe(seen);
  });

  it.each(
    cases([
      ["no --pr", ["--stack", "beta"], {}, "signoffs: give --pr N, the pull request's number (see --help)\n"],
      [
        "a bad --pr",
        ["--stack", "beta", "--pr", "x7"],
        {},
        "signoffs: --pr x7: allowed: a pull request's number (1 or more)\n",
      ],
      ["no token", ["--stack", "beta", "--pr", "7"], { GITHUB_TOKEN: "" }, "signoffs: set GITHUB_TOKEN (see --help)\n"],
      [
        "no such stack",
        ["--stack", "nope", "--pr", "7"],
        {},
        /^signoffs: no such config file: \S+Pulumi\.nope\.yaml\n$/,
      ],
    ] as const),
  )("exits 2 for %s", async (_, argv, over, message) => {
    const run = await runTool(main, argv, env(over));
    expect(run.code).toBe(2);
    if (typeof message === "string") expect(run.stderr).toBe(message);
    else expect(run.stderr).toMatch(message);
  });

  it("exits 2 when GitHub cannot be reached, or a team cannot be read: never a pass", async () => {
    const down = await runTool(
      main,
      ["--stack", "beta", "--pr", "7"],
      env({ GITHUB_API_URL: `http://127.0.0.1:${String(await freePort())}` }),
    );
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(
      /^signoffs: GitHub \(http:\/\/127\.0\.0\.1:\d+, athlete-ally\/stream5-time-crunch\): could not read pull request #7: /,
    );
    github.state.teams.delete("athlete-ally/docs");
    try {
      const team = await runTool(main, ["--stack", "beta", "--pr", "8"], env());
      expect(team.code).toBe(2);
      expect(team.stderr).toContain(
        "team athlete-ally/docs not found, or the token cannot read its members (it needs read:org)",
      );
    } finally {
      github.state.teams.set("athlete-ally/docs", ["dana"]);
    }
  });
});
