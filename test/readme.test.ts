/**
 * The README's commands that run offline, run as a new user would type them: the `npm run plan`
 * examples (their shown output must match, and their exit code: 0 unless the example says
 * `# exits N`), and the runbook's `pulumi config set` steps (the config they produce must be valid
 * and pass the rollout guards against the committed stack file, checked through the offline plan).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../tools/offline/stackConfig";
import { planCli } from "./support/planCli";
import { cases } from "./support/cases";

const README = readFileSync(join(PROJECT_DIR, "README.md"), "utf8");
const blocks = [...README.matchAll(/```(sh|console)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body: body! }));

/** Splits a shell command line into words (the README uses simple quoting only). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(([, single, double, bare]) => single ?? double ?? bare!);
}

/** `npm run plan -- ARGS` -> ARGS, with the README's own `--out` replaced by a scratch folder. */
const planArgs = (command: string) => [
  ...words(command.replace(/^\$?\s*npm run plan -- /, "")),
  "--out",
  join(PROJECT_DIR, ".plan", "readme"),
];

// Each command is a child process of its own: they run side by side.
describe.concurrent("the README's offline commands", () => {
  const examples = blocks
    .filter((b) => b.lang === "console")
    .flatMap((b) =>
      b.body.split(/^(?=\$ )/m).map((chunk) => {
        const [line = "", ...shown] = chunk.split("\n");
        const [command = "", exits = "0"] = line.split(/\s+# exits (\d+)$/);
        return { command, code: Number(exits), shown: shown.filter((l) => l.trim() !== "" && l.trim() !== "…") };
      }),
    )
    .filter((e) => e.command.startsWith("$ npm run plan -- "));

  it("has plan examples with their output", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it("has an example of a refusal", () => {
    expect(examples.filter((e) => e.code === 1).length).toBeGreaterThanOrEqual(1);
  });

  it.each(cases(examples))("$command prints what the README shows", async ({ command, code, shown }) => {
    const run = await planCli(planArgs(command));
    expect(run.code).toBe(code);
    // A plan's result is on stdout; a refusal, like any error, only on stderr.
    const [result, diagnostics] = code === 0 ? [run.stdout, run.stderr] : [run.stderr, run.stdout];
    expect(diagnostics).toBe("");
    expect(result).not.toMatch(/^\s+at /m);
    for (const line of shown) expect(result).toContain(line);
  });

  const planCommands = blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.body.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("npm run plan -- "));

  it.each(cases(planCommands))("%s runs", async (command) => {
    const run = await planCli(planArgs(command));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  // One line may chain several sets with `&&`: they are one change, planned together.
  const configSets = [
    ...new Set(
      blocks
        .filter((b) => b.lang === "sh")
        .flatMap((b) => b.body.split("\n"))
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter((line) => line.startsWith("pulumi config set ") && !/--secret|--path/.test(line)),
    ),
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
