/**
 * The README's commands that run offline, run as a new user would type them: the `npm run plan`
 * examples (their shown output must match), and the runbook's `pulumi config set` steps (the config
 * they produce must be valid, checked through the offline plan).
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

describe("the README's offline commands", () => {
  const examples = blocks
    .filter((b) => b.lang === "console")
    .flatMap((b) =>
      b.body.split(/^(?=\$ )/m).map((chunk) => {
        const [command = "", ...shown] = chunk.split("\n");
        return { command, shown: shown.filter((line) => line.trim() !== "" && line.trim() !== "…") };
      }),
    )
    .filter((e) => e.command.startsWith("$ npm run plan -- "));

  it("has plan examples with their output", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(cases(examples))("$command prints what the README shows", async ({ command, shown }) => {
    const run = await planCli(planArgs(command));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const line of shown) expect(run.stdout).toContain(line);
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

  const configSets = blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.body.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("pulumi config set ") && !/--secret|--path/.test(line));

  it("has the runbook's config steps", () => {
    expect(configSets).toEqual(
      expect.arrayContaining([
        "pulumi config set rolloutPercentage 25 -s beta",
        "pulumi config set targeting off -s beta",
      ]),
    );
  });

  it.each(cases(configSets))("%s gives a valid config", async (line) => {
    const [, , , key, value, flag, stack] = words(line);
    expect(flag).toBe("-s");
    const run = await planCli(["--stack", stack!, "--set", `${key!}=${value!}`]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});
