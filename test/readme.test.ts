/**
 * The README and the guides in docs/, checked as a newcomer would use them.
 *
 * - Their commands that run offline, run as a new user would type them: the `npm run plan`
 *   examples (their shown output must match, and their exit code: 0 unless the example says
 *   `# exits N`), and the runbook's `pulumi config set` steps (the config they produce must be valid
 *   and pass the rollout guards against the committed stack file, checked through the offline plan).
 * - Every relative link resolves: the file exists, and a `#anchor` names a heading of the target by
 *   GitHub's slug rule (so a renamed heading or a moved section cannot leave a dead link behind).
 * - They point at nothing outside the repository (DESIGN.md, REFERENCE.md), and the README stays a
 *   five-minute read (at most 200 lines).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../components/config/stackFile";
import { planProcess as planCli } from "./support/planCli";
import { cases } from "./support/cases";

/** The README and every guide in docs/, as paths relative to the project. */
const FILES = [
  "README.md",
  ...readdirSync(join(PROJECT_DIR, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];
const TEXTS = new Map(FILES.map((file) => [file, readFileSync(join(PROJECT_DIR, file), "utf8")]));
const text = (file: string) => TEXTS.get(file)!;

const blocks = FILES.flatMap((file) =>
  [...text(file).matchAll(/```(sh|console)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ file, lang, body: body! })),
);

/** Splits a shell command line into words (the docs use simple quoting only). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(([, single, double, bare]) => single ?? double ?? bare!);
}

/** `npm run plan -- ARGS` -> ARGS, with the docs' own `--out` replaced by a scratch folder. */
const planArgs = (command: string) => [
  ...words(command.replace(/^\$?\s*npm run plan -- /, "")),
  "--out",
  join(PROJECT_DIR, ".plan", "readme"),
];

// Each command is a child process of its own: they run side by side.
describe.concurrent("the offline commands of the README and docs/", () => {
  const examples = blocks
    .filter((b) => b.lang === "console")
    .flatMap((b) =>
      b.body.split(/^(?=\$ )/m).map((chunk) => {
        const [line = "", ...shown] = chunk.split("\n");
        const [command = "", exits = "0"] = line.split(/\s+# exits (\d+)$/);
        return {
          file: b.file,
          command,
          code: Number(exits),
          shown: shown.filter((l) => l.trim() !== "" && l.trim() !== "…"),
        };
      }),
    )
    .filter((e) => e.command.startsWith("$ npm run plan -- "));

  it("has plan examples with their output", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it("has an example of a refusal", () => {
    expect(examples.filter((e) => e.code === 1).length).toBeGreaterThanOrEqual(1);
  });

  it.each(cases(examples))("$file: $command prints what it shows", async ({ command, code, shown }) => {
    const run = await planCli(planArgs(command));
    expect(run.code).toBe(code);
    // A plan's result is on stdout; a refusal, like any error, only on stderr.
    const [result, diagnostics] = code === 0 ? [run.stdout, run.stderr] : [run.stderr, run.stdout];
    expect(diagnostics).toBe("");
    expect(result).not.toMatch(/^\s+at /m);
    for (const line of shown) expect(result).toContain(line);
  });

  const shellLines = blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.body.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim());

  const planCommands = [...new Set(shellLines.filter((line) => line.startsWith("npm run plan -- ")))];

  it.each(cases(planCommands))("%s runs", async (command) => {
    const run = await planCli(planArgs(command));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  // One line may chain several sets with `&&`: they are one change, planned together.
  const configSets = [
    ...new Set(shellLines.filter((line) => line.startsWith("pulumi config set ") && !/--secret|--path/.test(line))),
  ];

  it("has the runbook's config steps", () => {
    expect(configSets).toEqual(
      expect.arrayContaining([
        "pulumi config set rolloutPercentage 25 -s beta",
        "pulumi config set targeting off -s beta",
      ]),
    );
  });

  it.each(cases(configSets))("%s gives a valid config", async (line) => {
    const sets = line.split(/\s*&&\s*/).filter((part) => part.startsWith("pulumi config set "));
    const parsed = sets.map((part) => {
      const [, , , key, value, flag, stack] = words(part);
      expect(flag).toBe("-s");
      return { set: `${key!}=${value!}`, stack: stack! };
    });
    const stacks = new Set(parsed.map((p) => p.stack));
    expect(stacks.size).toBe(1);
    const [stack] = stacks;
    const run = await planCli(["--stack", stack!, ...parsed.flatMap((p) => ["--set", p.set])]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});

/** The markdown without its fenced code blocks (their `#` lines are no headings, their brackets no links). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^ *(```|~~~)[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm, "");
}

/** GitHub's anchor of a heading's text: lowercase, punctuation but `-` and `_` removed, each space a `-`. */
function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link or an image reads as its text
    .replace(/<[^>]+>/g, "") // inline HTML
    .trim();
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a markdown text's headings, with GitHub's `-1`, `-2` for repeated ones. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)) {
    const base = slug(heading!);
    let anchor = base;
    // github-slugger: a taken anchor gets the next free suffix of its base.
    while (result.has(anchor)) {
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      anchor = `${base}-${count}`;
    }
    result.add(anchor);
  }
  return result;
}

/** The relative links (and images) of a markdown text: not in code, no scheme (`https:`, `mailto:`). */
function relativeLinks(markdown: string): string[] {
  const prose = withoutFences(markdown).replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target]) => target!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("//"));
}

/**
 * The links of `markdown` (the text of `file`, a path relative to `root`) that do not resolve: the
 * file (or folder) must exist in `root`, and an anchor must name a heading of the target markdown.
 * Each broken link comes back with the reason.
 */
function brokenLinks(file: string, markdown: string, root: string = PROJECT_DIR): string[] {
  const broken: string[] = [];
  for (const link of relativeLinks(markdown)) {
    const hash = link.indexOf("#");
    const path = hash < 0 ? link : link.slice(0, hash);
    const anchor = hash < 0 ? undefined : link.slice(hash + 1);
    const target = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    if (target.startsWith("..")) {
      broken.push(`${link}: outside the repository`);
      continue;
    }
    if (path !== "" && !existsSync(join(root, target))) {
      broken.push(`${link}: no file ${target}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!target.endsWith(".md")) {
      broken.push(`${link}: an anchor into ${target}, which is not markdown`);
      continue;
    }
    const headings = anchors(target === file ? markdown : readFileSync(join(root, target), "utf8"));
    if (!headings.has(anchor)) broken.push(`${link}: no heading #${anchor} in ${target}`);
  }
  return broken;
}

describe("the README and docs/ as documents", () => {
  it("has a guide per reader in docs/", () => {
    expect(FILES).toEqual(
      expect.arrayContaining([
        "docs/operating.md",
        "docs/soak-gate.md",
        "docs/ci.md",
        "docs/config.md",
        "docs/architecture.md",
        "docs/development.md",
      ]),
    );
  });

  it.each(cases(FILES))("%s: every relative link resolves", (file) => {
    expect(brokenLinks(file, text(file))).toEqual([]);
  });

  it("the README's map links every guide in docs/", () => {
    const linked = new Set(relativeLinks(text("README.md")).map((link) => link.split("#")[0]));
    expect(FILES.filter((file) => file.startsWith("docs/") && !linked.has(file))).toEqual([]);
  });

  it.each(cases(FILES))("%s does not point at files outside the repository (DESIGN.md, REFERENCE.md)", (file) => {
    expect(text(file)).not.toMatch(/DESIGN\.md|REFERENCE\.md/i);
  });

  it("README.md is at most 200 lines", () => {
    const lines = text("README.md").replace(/\n$/, "").split("\n").length;
    expect(lines).toBeLessThanOrEqual(200);
  });

  it("slugs headings as GitHub does", () => {
    expect(slug("Soak gate (`npm run gate`)")).toBe("soak-gate-npm-run-gate");
    expect(slug("The alert rules (one Grafana rule group in the dashboard's folder)")).toBe(
      "the-alert-rules-one-grafana-rule-group-in-the-dashboards-folder",
    );
    expect(slug("Read-only previews, write credentials only behind review")).toBe(
      "read-only-previews-write-credentials-only-behind-review",
    );
    expect(slug("CI and deployment (GitHub Actions)")).toBe("ci-and-deployment-github-actions");
    expect(slug("Exit codes: `npm run plan` — and [the others](ci.md)")).toBe(
      "exit-codes-npm-run-plan--and-the-others",
    );
    expect(slug("snake_case stays")).toBe("snake_case-stays");
    expect([...anchors("# Notes\n## Notes\n### Notes\n```sh\n# Notes\n```\n## Notes-1\n")]).toEqual([
      "notes",
      "notes-1",
      "notes-2",
      "notes-1-1",
    ]);
  });

  // The control: the checker must fail on broken links, or a green run above would mean nothing.
  it("the link check fails on a broken link (control)", () => {
    const madeUp = [
      "# Guide",
      "## Steps",
      "## Steps",
      "[fine, a file](../README.md) [fine, a heading here](#steps-1) [fine, a guide's heading](operating.md#rollout-runbook)",
      "[missing file](nowhere.md) [missing heading](#steps-2) [missing heading there](../README.md#no-such-heading)",
      "[outside](../../elsewhere.md) [not markdown](../package.json#scripts) [web](https://example.com/x.md)",
      "`[in code](ignored.md)`",
      "```md",
      "[in a fence](ignored.md)",
      "## Fenced",
      "```",
      "[a fenced heading is none](#fenced)",
    ].join("\n");
    expect(brokenLinks("docs/control.md", madeUp)).toEqual([
      "nowhere.md: no file docs/nowhere.md",
      "#steps-2: no heading #steps-2 in docs/control.md",
      "../README.md#no-such-heading: no heading #no-such-heading in README.md",
      "../../elsewhere.md: outside the repository",
      "../package.json#scripts: an anchor into package.json, which is not markdown",
      "#fenced: no heading #fenced in docs/control.md",
    ]);
  });
});
