/**
 * How a tool reads the stack configs it is given: `--stack NAME` (Pulumi.NAME.yaml), a config file,
 * and `--against NAME|FILE` (a value with a slash or ending in .yaml/.yml is a file, anything else a
 * stack name). Each is refused, as the Pulumi CLI would refuse it before starting the program
 * (components/config/cliConfigChecks.ts). The plan and the cohort read their configs this way.
 */
import { relative, resolve } from "node:path";
import { cliConfigProblems } from "../../components/config/cliConfigChecks";
import { readProjectFile, readStackConfig, stackFilePath, type StackConfig } from "../../components/config/stackFile";
import { UsageError } from "../cli/runner";

/** A config file (a path from the working directory); the stack name from `Pulumi.<stack>.yaml` unless given. */
export function readConfig(file: string, stack?: string): StackConfig {
  return readStackConfig(resolve(file), stack);
}

/** `--stack NAME`: the committed Pulumi.NAME.yaml. */
export function stackConfigOf(stack: string): StackConfig {
  return readConfig(stackFilePath(stack), stack);
}

/** `--against NAME|FILE`: a file when the value has a slash or ends in .yaml/.yml, else a stack name; refused as the CLI would. */
export function stackOrFileConfigOf(value: string): StackConfig {
  return refuseWhatPulumiRefuses(/[/\\]|\.ya?ml$/.test(value) ? readConfig(value) : stackConfigOf(value));
}

/** The config, unless the Pulumi CLI would refuse it before starting the program (see cliConfigChecks.ts). */
export function refuseWhatPulumiRefuses(config: StackConfig): StackConfig {
  const problems = cliConfigProblems(config, readProjectFile());
  if (problems.length === 0) return config;
  // Keys only: a refused value is never echoed.
  const sets = config.overrides.map((set) => set.slice(0, set.indexOf("=")));
  const source = `${relative(process.cwd(), config.file) || config.file}${sets.length > 0 ? ` with --set ${sets.join(", ")}` : ""}`;
  throw new UsageError(
    `pulumi would refuse stack ${config.stack} (${source}) before running the program:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
  );
}
