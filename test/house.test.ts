// The house rule of tools/ (docs/architecture.md, "Layout"): a tool is a folder with a main.ts; what
// several tools share lives in a room of its own, so no tool imports another tool.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { cases } from "./support/cases";

const root = join(__dirname, "..");
const toolsDir = join(root, "tools");
const folders = readdirSync(toolsDir, { withFileTypes: true }).filter((e) => e.isDirectory());
const tools = folders.filter((f) => readdirSync(join(toolsDir, f.name)).includes("main.ts")).map((f) => f.name);

/** Every relative import of a TypeScript file under tools/, as the folder under tools/ it lands in. */
function importedFolders(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)].flatMap(([, spec]) => {
    const target = relative(toolsDir, normalize(join(dirname(file), spec!)));
    return target.startsWith("..") ? [] : [target.split("/")[0]!];
  });
}

describe("tools/", () => {
  it("has the tools the npm scripts run", () => {
    expect(tools.sort()).toEqual(
      [
        "cohort",
        "gate",
        "loadTest",
        "plan",
        "policy",
        "promote",
        "promotionChange",
        "rollbackCheck",
        "signoffs",
        "soakReport",
        "verify",
      ].sort(),
    );
  });

  it.each(cases(folders.map((f) => f.name).filter((name) => name !== "bench")))(
    "%s imports no tool but itself",
    (folder) => {
      const files = readdirSync(join(toolsDir, folder)).filter((f) => f.endsWith(".ts"));
      const crossings = files.flatMap((file) =>
        importedFolders(join(toolsDir, folder, file))
          .filter((target) => target !== folder && tools.includes(target))
          .map((target) => `${folder}/${file} imports tools/${target}/`),
      );
      expect(crossings).toEqual([]);
    },
  );

  it("keeps the soak gate's folder to the gate's command line", () => {
    expect(readdirSync(join(toolsDir, "gate"))).toEqual(["main.ts"]);
  });
});

// The suite's processes run file after file (vitest.config.mts, `isolate: false`): a test that
// changed the process for itself would change it for the files after it.
describe("test/", () => {
  const testSources = readdirSync(join(root, "test"), { recursive: true, encoding: "utf8" })
    // This file holds the patterns' samples.
    .filter((file) => file.endsWith(".ts") && file !== "house.test.ts")
    .map((file) => ({ file, source: readFileSync(join(root, "test", file), "utf8") }));
  const processWide = [
    /process\.env(\.\w+|\[[^\]]+\])\s*(=(?!=)|\?\?=|\|\|=)/,
    /delete\s+process\.env/,
    /Object\.assign\(\s*process\.env/,
    /process\.chdir\(/,
    /globalThis\.\w+\s*=(?!=)/,
    /process\.exitCode\s*=(?!=)/,
  ];

  it("no test changes process.env, the working directory, a global or the exit code", () => {
    const changes = testSources.flatMap(({ file, source }) =>
      processWide.filter((pattern) => pattern.test(source)).map((pattern) => `${file}: ${String(pattern)}`),
    );
    expect(testSources.length).toBeGreaterThan(40);
    expect(changes).toEqual([]);
    // What the patterns are for, each caught:
    const samples = ['process.env.PULUMI_X = "1";', "delete process.env.A;", "Object.assign(process.env, {});"];
    samples.push('process.chdir("/");', "globalThis.fetch = f;", "process.exitCode = 1;");
    expect(samples.map((sample) => processWide.filter((pattern) => pattern.test(sample)).length)).toEqual([
      1, 1, 1, 1, 1, 1,
    ]);
  });
});
