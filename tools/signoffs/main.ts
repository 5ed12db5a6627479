/**
 * `npm run signoffs -- --stack beta --pr N`: has every role the stack's `signoffs` lists signed
 * the pull request (components/rollout/signoffs.ts decides, from GitHub's reviews and teams)?
 */
import { parsedConfigOf } from "../../components/config/schema";
import { readStackConfig, stackFilePath } from "../../components/config/stackFile";
import { CHECKLIST_ROLES, SignoffStatus, waitingFor, type RoleVerdict } from "../../components/rollout/signoffs";
import { ExitCode, formatOf, pullRequestFlag, toolMain, UsageError, writeResult } from "../cli/runner";
import { githubSettings, GITHUB_TIMEOUT_MS } from "../services/github";
import { SignoffSource } from "../services/signoffReviews";

const HELP = `Usage: npm run signoffs -- --stack NAME --pr N [--format text|markdown|json]

Reads the pull request's reviews and the members of each team the stack's
config lists under signoffs ({role, team}), and prints, for each role:
signed, missing, stale (approved an older commit: a push invalidates an
approval) or changes requested, with who, when and on which commit. A role is
signed by an active member of its team approving the current head commit with
no later request for changes from that team; the author never signs.

  --stack NAME      the stack whose Pulumi.<stack>.yaml lists the sign-offs
  --pr N            the pull request's number
  --format FORMAT   text (default), markdown or json
  --help            this text

Environment: GITHUB_TOKEN (reads pull requests and, with read:org, team
members), GITHUB_REPOSITORY (owner/name), GITHUB_API_URL (GitHub Enterprise).

Exit codes: 0 every role signed (or none listed: signoffs: []); 1 a role is
not signed (named); 2 bad usage or config, or GitHub unreachable or refusing.`;

interface SignoffReport {
  readonly stack: string;
  readonly pr: number;
  /** The head commit the sign-offs were judged on (none asked when no role is listed). */
  readonly head: string | undefined;
  readonly roles: readonly RoleVerdict[];
}

const short = (sha: string | undefined) => (sha === undefined ? "-" : sha.slice(0, 7));

function headline(report: SignoffReport): string {
  const signed = report.roles.filter((r) => r.status === SignoffStatus.Signed).length;
  const waiting = waitingFor(report.roles);
  if (report.roles.length === 0) {
    return `sign-offs for ${report.stack}, pull request #${report.pr}: none required (signoffs: [])`;
  }
  const what = `sign-offs for ${report.stack}, pull request #${report.pr} at ${short(report.head)}`;
  return waiting.length === 0
    ? `${what}: all ${signed} signed`
    : `${what}: ${signed} of ${report.roles.length} signed; waiting for sign-off from ${waiting.join(", ")}`;
}

const cells = (r: RoleVerdict) => [r.role, r.team, r.status, r.who ?? "-", r.when ?? "-", short(r.commit)];
const HEADER = ["role", "team", "status", "who", "when", "commit"];

function renderText(report: SignoffReport): string {
  const rows = [HEADER, ...report.roles.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  const table = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  return [headline(report), ...(report.roles.length === 0 ? [] : ["", ...table])].join("\n");
}

function renderMarkdown(report: SignoffReport): string {
  if (report.roles.length === 0) return headline(report);
  return [
    headline(report),
    "",
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map(() => "---").join(" | ")} |`,
    ...report.roles.map((r) => {
      const [role, team, status, who, when, commit] = cells(r);
      const what = CHECKLIST_ROLES[r.role];
      return `| ${role}${what === undefined ? "" : ` (${what})`} | @${team} | ${status} | ${who} | ${when} | ${commit} |`;
    }),
  ].join("\n");
}

export const main = toolMain({
  name: "signoffs",
  messagePrefix: "signoffs: ",
  help: HELP,
  flags: {
    stack: { type: "string" },
    pr: { type: "string" },
    format: { type: "string", default: "text" },
  },
  run: async ({ values }, env, io) => {
    const format = formatOf(values.format);
    if (values.stack === undefined || !/^[A-Za-z0-9_.-]+$/.test(values.stack)) {
      throw new UsageError("give --stack NAME, e.g. --stack beta (see --help)");
    }
    if (values.pr === undefined) throw new UsageError("give --pr N, the pull request's number (see --help)");
    const pr = pullRequestFlag("pr", values.pr);
    const stack = values.stack;
    const signoffs = parsedConfigOf(readStackConfig(stackFilePath(stack), stack)).signoffs;
    if (signoffs === undefined) {
      throw new UsageError(
        `signoffs is not set in Pulumi.${stack}.yaml: list the roles that must sign a raise ({role, team}), or write signoffs: [] for none`,
      );
    }
    const settings = githubSettings(env);
    const render = {
      text: renderText,
      markdown: renderMarkdown,
      json: (r: SignoffReport) => ({ ...r, signed: waitingFor(r.roles).length === 0 }),
    };
    if (signoffs.length === 0) {
      writeResult(io, format, { stack, pr, head: undefined, roles: [] }, render);
      return ExitCode.Fine;
    }
    // Reviews, the pull request and one listing per team, each a page or a few.
    io.onBound?.(((2 + signoffs.length) * 3 * GITHUB_TIMEOUT_MS) / 1000 + 5);
    const github = await SignoffSource.connect(settings);
    const report: SignoffReport = {
      stack,
      pr,
      ...(await github.judge(signoffs, pr)),
    };
    writeResult(io, format, report, render);
    return waitingFor(report.roles).length === 0 ? ExitCode.Fine : ExitCode.Negative;
  },
});
