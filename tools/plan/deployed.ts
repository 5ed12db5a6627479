/**
 * What the offline plan assumes about the stack's last deployment and the live flag: the inputs
 * of the rollout guards (components/rollout/guards.ts), which a real run reads from Pulumi and LaunchDarkly.
 * By default the last deployment is the `--against` config, else the committed stack file, and the
 * live flag is as that deployment left it; `--previous` and `--live` rehearse other histories.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseRolloutIntent, ROLLOUT_INTENT_OUTPUT } from "../../components/rollout/guards";
import { parsedConfigOf, StackConfigError } from "../../components/config/schema";
import type { StackConfig } from "../../components/config/stackFile";
import { UsageError } from "../cli/runner";
import type { DeployedState } from "../offline/engine";

/** The assumption, and how to say it to a reviewer. */
export interface Rehearsal {
  readonly deployed: DeployedState;
  /** E.g. "last deployment: Pulumi.beta.yaml (targeting on, 10%); live targeting: as it left it". */
  readonly description: string;
}

/** `--live`: whether targeting is on in LaunchDarkly now. */
export const LIVE_STATES = ["on", "off"] as const;

/**
 * The outputs a deployment of `config` recorded, as far as the guards read them: its intent.
 * Read from the config file itself, not by running the program (that would double the plan's time).
 */
export function outputsOfConfig(config: StackConfig): Record<string, unknown> {
  let parsed;
  try {
    parsed = parsedConfigOf(config);
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    throw new UsageError(
      `cannot tell what ${relative(process.cwd(), config.file)} deployed (targeting and rolloutPercentage): give --previous FILE or --previous none`,
    );
  }
  return { [ROLLOUT_INTENT_OUTPUT]: { targeting: parsed.targeting, rolloutPercentage: parsed.rolloutPercentage } };
}

/** `--previous FILE`: stack outputs as `pulumi stack output --json` prints them. */
export function readOutputsFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "not JSON";
    throw new UsageError(`--previous ${file}: ${reason}; expected the output of \`pulumi stack output --json\``);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `--previous ${file}: expected a JSON object of stack outputs (\`pulumi stack output --json\`)`,
    );
  }
  const outputs = parsed as Record<string, unknown>;
  // A malformed intent is the file's fault, not the program's: said before the program runs.
  try {
    parseRolloutIntent(outputs[ROLLOUT_INTENT_OUTPUT]);
  } catch (error) {
    throw new UsageError(`--previous ${file}: ${(error as Error).message}`);
  }
  return outputs;
}

function intentText(outputs: Readonly<Record<string, unknown>>): string {
  const intent = outputs[ROLLOUT_INTENT_OUTPUT] as { targeting?: unknown; rolloutPercentage?: unknown } | undefined;
  return intent === undefined
    ? "no rolloutIntent output"
    : `targeting ${String(intent.targeting)}, ${String(intent.rolloutPercentage)}%`;
}

/** Where the plan takes the last deployment from, in order of precedence. */
export interface RehearsalOptions {
  /** `--previous`: a file of stack outputs, or `none` for a first deployment. */
  readonly previous: string | undefined;
  /** `--live`; default: as the last deployment left it. */
  readonly live: (typeof LIVE_STATES)[number] | undefined;
  /** The `--against` plan: its label and outputs. */
  readonly against: { readonly label: string; readonly outputs: Readonly<Record<string, unknown>> } | undefined;
  /** The stack's committed config file, when it has one. */
  readonly committed: StackConfig | undefined;
}

/**
 * What to assume was deployed: `--previous` if given; else the `--against` plan; else the
 * committed `Pulumi.<stack>.yaml`; else nothing (a first deployment).
 */
export function rehearsal(options: RehearsalOptions): Rehearsal {
  const last =
    options.previous === "none"
      ? undefined
      : options.previous !== undefined
        ? { label: relative(process.cwd(), options.previous), outputs: readOutputsFile(options.previous) }
        : (options.against ??
          (options.committed && {
            label: relative(process.cwd(), options.committed.file),
            outputs: outputsOfConfig(options.committed),
          }));
  const lastText = last === undefined ? "none (a first deployment)" : `${last.label} (${intentText(last.outputs)})`;
  return {
    deployed: { outputs: last?.outputs, liveOn: options.live === undefined ? undefined : options.live === "on" },
    description: `last deployment: ${lastText}; live targeting: ${options.live ?? "as the last deployment left it"}`,
  };
}
