/**
 * The offline plan: runs the real program under Pulumi's mock engine (no CLI, credentials or
 * network) and shows what `pulumi up` would send to the providers, or what a config change changes.
 *
 *   npm run plan -- --stack beta
 *   npm run plan -- --stack beta --set rolloutPercentage=25 --against beta
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { diffPlans } from "./diff";
import { LIVE_STATES, rehearsal } from "./deployed";
import { type DeployedState, ProgramFailed, type ProgramLoader, runProgram } from "../offline/engine";
import { programError } from "../offline/programError";
import { readConfig, refuseWhatPulumiRefuses, stackConfigOf, stackOrFileConfigOf } from "../offline/stackArgs";
import { dashboardJsonOf, flagOf, kubernetesYamlOf, planOf, type Plan } from "../offline/plan";
import { renderPolicyVerdict } from "../offline/policyReport";
import { checkPolicies, hasMandatoryViolation } from "../offline/policyRunner";
import { formatOf, Refusal, toolMain, UsageError, type ToolIO, type ToolMain } from "../cli/runner";
import { renderDiff, renderGuards, renderSummary, type Format } from "./report";
import { PROJECT_DIR, stackFilePath, withSets, type StackConfig } from "../../components/config/stackFile";

const HELP = `Usage: npm run plan -- (--stack NAME | --config-file FILE) [options]

Runs the program offline under Pulumi's mock engine and shows what it declares.

  --stack NAME         read Pulumi.NAME.yaml
  --config-file FILE   read any file in the stack config format
  --set KEY=VALUE      override a config key (repeatable); VALUE is read as YAML
                       (25 is a number, on a string); dotted keys set fields of
                       object keys: --set alerts.errorRate.above=0.05
  --against NAME|FILE  also plan a stack (or config file) and show the diff
                       from it to this config
  --previous FILE|none what the stack's last deployment recorded, for the rollout
                       guards: a file of its outputs (pulumi stack output --json),
                       or none for a first deployment (default: the --against
                       config, else the committed Pulumi.<stack>.yaml)
  --live on|off        whether targeting is on in LaunchDarkly now (default: as
                       the last deployment left it); off rehearses a deploy after
                       the automatic kill switch fired
  --out DIR            where to write the files (default .plan/<stack>)
  --format FORMAT      what to print: text (default), markdown or json
  --help               this text

Files written to --out:
  resources.json       every declared resource: urn, type, name, parent, inputs
                       (secrets are "[secret]")
  dashboard.json       the Grafana dashboard JSON
  kubernetes.yaml      the Kubernetes manifests as one YAML stream
  flag.json            the flag targeting as LaunchDarkly's SDKs evaluate it
  diff.md              with --against: the diff as markdown

The policy pack's policies (policy/, as in npm run policy) judge what is
planned; their verdict is printed under the summary.

Exit codes: 0 planned; 1 a mandatory policy violation (the files are still
written), the rollout guards refuse the deployment (message only: what pulumi up
would refuse, and the command that fixes it), or another failure; 2 bad config
or bad usage (message only).
Encrypted (secure:) values and Pulumi ESC imports cannot be read offline: they show as [secret].`;

interface Options {
  readonly config: StackConfig;
  readonly against: StackConfig | undefined;
  readonly previous: string | undefined;
  readonly live: (typeof LIVE_STATES)[number] | undefined;
  /** The stack's committed config file, when it has one: the default last deployment. */
  readonly committed: StackConfig | undefined;
  readonly out: string;
  readonly format: "json" | Format;
}

const FLAGS = {
  stack: { type: "string" },
  "config-file": { type: "string" },
  set: { type: "string", multiple: true, default: [] as string[] },
  against: { type: "string" },
  previous: { type: "string" },
  live: { type: "string" },
  out: { type: "string" },
  format: { type: "string", default: "text" },
} satisfies ParseArgsOptionsConfig;

interface Values {
  readonly stack?: string;
  readonly "config-file"?: string;
  readonly set?: string[];
  readonly against?: string;
  readonly previous?: string;
  readonly live?: string;
  readonly out?: string;
  readonly format?: string;
}

function options(values: Values): Options {
  if ((values.stack === undefined) === (values["config-file"] === undefined)) {
    throw new UsageError("give exactly one of --stack NAME or --config-file FILE (see --help)");
  }
  const format = formatOf(values.format);
  const live = LIVE_STATES.find((state) => state === values.live);
  if (values.live !== undefined && live === undefined) {
    throw new UsageError(`--live ${values.live}: allowed: ${LIVE_STATES.join(", ")}`);
  }
  const base = values.stack !== undefined ? stackConfigOf(values.stack) : readConfig(values["config-file"] ?? "");
  const config = refuseWhatPulumiRefuses(withSets(base, values.set ?? []));
  const against = values.against === undefined ? undefined : stackOrFileConfigOf(values.against);
  const committedFile = stackFilePath(config.stack);
  return {
    config,
    against,
    previous: values.previous,
    live,
    committed: existsSync(committedFile) ? readConfig(committedFile, config.stack) : undefined,
    out: resolve(values.out ?? join(PROJECT_DIR, ".plan", config.stack)),
    format,
  };
}

/** Runs the program once for `config`, evaluating its modules afresh. */
async function plan(config: StackConfig, deployed: DeployedState, loadProgram: ProgramLoader): Promise<Plan> {
  return planOf(config, await runProgram(config, deployed, loadProgram));
}

function write(out: string, files: Readonly<Record<string, string | undefined>>): string[] {
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (content === undefined) continue;
    writeFileSync(join(out, name), content.endsWith("\n") ? content : `${content}\n`);
    written.push(name);
  }
  return written;
}

async function planCommand(opts: Options, io: ToolIO, loadProgram: ProgramLoader): Promise<number> {
  // The --against config is planned as it stands (as if deployed long ago): its guards pass.
  const before = opts.against === undefined ? undefined : await plan(opts.against, {}, loadProgram);
  const rehearsed = rehearsal({
    previous: opts.previous,
    live: opts.live,
    against: before && { label: before.configFile, outputs: before.outputs },
    committed: opts.committed,
  });
  const after = await plan(opts.config, rehearsed.deployed, loadProgram).catch((error: unknown) => {
    // The rollout guards refused: exit 1 with the message, as `pulumi up` would stop.
    if (error instanceof ProgramFailed && error.isRefusal) {
      throw new Refusal(`${error.message}\n(offline plan; ${rehearsed.description})`);
    }
    throw error;
  });
  const diffs = before === undefined ? undefined : diffPlans(before, after);
  const flag = flagOf(after);
  const written = write(opts.out, {
    "resources.json": JSON.stringify(after.resources, null, 2),
    "dashboard.json": dashboardJsonOf(after),
    "kubernetes.yaml": kubernetesYamlOf(after),
    "flag.json": flag === undefined ? undefined : JSON.stringify(flag, null, 2),
    "diff.md": before && diffs ? renderDiff(diffs, before, after, "markdown") : undefined,
  });
  const verdict = await checkPolicies(after.resources);
  const code = hasMandatoryViolation(verdict) ? 1 : 0;
  if (code !== 0) io.stderr.write(`plan: mandatory policy violations (the policy pack's verdict is on stdout)\n`);

  if (opts.format === "json") {
    const report = {
      stack: after.stack,
      configFile: after.configFile,
      outputs: after.outputs,
      rolloutGuards: { passed: true, assumed: rehearsed.description },
      resources: after.resources.length,
      diff: diffs,
      policy: verdict,
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return code;
  }
  const format: Format = opts.format;
  const parts = [
    renderSummary(after, format),
    renderGuards(rehearsed.description, format),
    renderPolicyVerdict(verdict, format),
  ];
  if (before && diffs) parts.push(renderDiff(diffs, before, after, format));
  parts.push(`Files in ${relative(process.cwd(), opts.out) || "."}: ${written.join(", ")}`);
  io.stdout.write(`${parts.join("\n\n")}\n`);
  return code;
}

/** The plan as `main(argv, env, io)`, running the program that `loadProgram` loads. */
export function planMain(loadProgram: ProgramLoader): ToolMain {
  return toolMain({
    name: "plan",
    help: HELP,
    flags: FLAGS,
    run: async ({ values }, _env, io) => {
      const opts = options(values);
      try {
        return await planCommand(opts, io, loadProgram);
      } catch (error) {
        // The program's own errors come wrapped: invalid config is the user's (exit 2, message only).
        throw programError(error);
      }
    },
  });
}
