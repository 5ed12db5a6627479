/**
 * `npm run promote -- --stack beta`: proposes the next rung of the rollout ladder as a pull request
 * (`node tools/cli/launcher.cjs promote`), a tool of the one runner (`tools/cli/runner.ts`).
 *
 * It reads the stack file at the default branch's head on GitHub, runs the soak gate in process (its
 * `main`, with the arguments given here), and on GO opens, or updates, the one pull request whose
 * only change is `rolloutPercentage` (a one-line diff), its body the gate's report, labelled
 * `rollout`. On NO-GO or INCONCLUSIVE it opens none (and with `--post-to-slack` says why in Slack).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { parsedConfigOf } from "../../components/config/schema";
import { readStackConfig, type StackConfig, withValues } from "../../components/config/stackFile";
import { httpUrl, nonEmpty, toolMain, urlFlagOrEnv, UsageError, type ToolIO, type ToolMain } from "../cli/runner";
import { contextsFileKind, type InputKind } from "../offline/contexts";
import type { ProgramLoader } from "../offline/engine";
import { DEFAULT_BUDGET, runBoundSeconds } from "../soakEvaluation/budget";
import { signoffChecklist } from "../../components/rollout/signoffs";
import { runGateInProcess } from "../soakEvaluation/inProcess";
import { postToSlack, SLACK_TIMEOUT_MS } from "../services/slack";
import { GITHUB_TIMEOUT_MS, githubSettings } from "../services/github";
import { GITHUB_REQUESTS, GitHubRepo, ROLLOUT_LABEL } from "./github";
import {
  branchName,
  joinersLine,
  type Joiners,
  nextStep,
  pullBody,
  pullTitle,
  stackFileName,
  withRolloutPercentage,
  type Step,
} from "./rung";
import { gateOutcome, noPromotionMessage } from "./verdict";

export const HELP = `Usage: npm run promote -- --stack NAME [options]

Proposes the next rung of the rollout ladder: reads Pulumi.NAME.yaml at the
default branch's head on GitHub, runs the soak gate, and on GO opens (or
updates) one pull request whose only change is rolloutPercentage, to the next
rung of rolloutLadder, with the gate's report as its body, labelled ${ROLLOUT_LABEL}.
The default branch and the local checkout are never changed.

  --stack NAME           the stack to promote (required), e.g. beta
  --prometheus-url URL   Prometheus' base URL, for the gate (or PROMETHEUS_URL)
  --window DURATION      passed to the gate
  --end TIME             passed to the gate
  --since TIME           passed to the gate
  --stack-outputs FILE   passed to the gate
  --post-to-slack        on NO-GO or INCONCLUSIVE, say why in Slack
                         (SLACK_WEBHOOK_URL)
  --report-url URL       link the full report (e.g. the CI run) in the post
  --contexts FILE        count who joins at the proposed rung: the contexts
                         (users) of the beta, CSV or JSON lines as npm run cohort
                         takes them; the pull request says how many join. The
                         program runs offline for it (as npm run plan runs it)
  --salt SALT            the flag's salt, as for npm run cohort (default:
                         LAUNCHDARKLY_FLAG_SALT)
  --help                 this text

GitHub: GITHUB_TOKEN (contents: write, pull-requests: write), GITHUB_REPOSITORY
(owner/name), GITHUB_API_URL (default https://api.github.com; GitHub
Enterprise: https://HOST/api/v3). Prometheus credentials as for the gate.
The token and the webhook URL are never printed.

Exit codes: 0 proposed, updated, or nothing to promote (100% reached, or
targeting off); 1 NO-GO or INCONCLUSIVE (no pull request); 2 bad usage, config
or contexts file, or Prometheus, GitHub or Slack unreachable or answering with
errors.`;

const FLAGS = {
  stack: { type: "string" },
  "prometheus-url": { type: "string" },
  window: { type: "string" },
  end: { type: "string" },
  since: { type: "string" },
  "stack-outputs": { type: "string" },
  "post-to-slack": { type: "boolean", default: false },
  "report-url": { type: "string" },
  contexts: { type: "string" },
  salt: { type: "string" },
} satisfies ParseArgsOptionsConfig;

type Values = { readonly [K in keyof typeof FLAGS]?: (typeof FLAGS)[K] extends { type: "boolean" } ? boolean : string };

/** The gate's arguments: the stack, and what was given to pass through. */
export function gateArgs(values: Values): string[] {
  const passed = (["prometheus-url", "window", "end", "since", "stack-outputs"] as const).flatMap((flag) => {
    const value = values[flag];
    return value === undefined ? [] : [`--${flag}`, value];
  });
  return ["--stack", values.stack ?? "", ...passed];
}

/** The stack config from the file's text: as the program reads it (project defaults applied), and as Pulumi would hand it over. */
function configsOf(stack: string, text: string, scratch: string) {
  const file = join(scratch, stackFileName(stack));
  writeFileSync(file, text);
  const stackConfig = readStackConfig(file, stack);
  const config = parsedConfigOf(stackConfig);
  return {
    stackConfig,
    rollout: {
      targeting: config.targeting,
      rolloutPercentage: config.rolloutPercentage,
      rolloutLadder: config.rolloutLadder,
      signoffs: config.signoffs ?? [],
    },
  };
}

/**
 * Who joins at `to`: the contexts of the file the flag serves at `to` and not at the stack's
 * percentage now, as LaunchDarkly's SDK evaluates the flag the program declares. Loads the Pulumi
 * SDK (to run the program offline) only when asked.
 */
async function countJoiners(
  contexts: { readonly path: string; readonly input: InputKind; readonly salt: string | undefined },
  atHead: StackConfig,
  to: number,
  loadProgram: ProgramLoader,
): Promise<Joiners> {
  const { evaluateCohort } = await import("../offline/cohort.js");
  const { tally, reproducesSplit } = await evaluateCohort({
    config: withValues(atHead, { rolloutPercentage: to }),
    baseline: atHead,
    contexts: contexts.path,
    input: contexts.input,
    salt: contexts.salt,
    loadProgram,
  });
  const { total, joining, leaving } = tally;
  return { file: basename(contexts.path), total, joining, leaving, reproducesSplit };
}

/**
 * How long counting who joins may take: the program run twice, then about 5 s a million contexts
 * (some 40 MB) here (`npm run bench:cohort`), allowed ten times that on a slower machine.
 */
function countingBoundSeconds(bytes: number): number {
  return 30 + Math.ceil((bytes / 40e6) * 50);
}

function nothingToDo(stack: string, step: Exclude<Step, { kind: "next" }>): string {
  return step.kind === "off"
    ? `promote: ${stack}: targeting is off (the kill switch): nothing to promote`
    : `promote: ${stack}: the rollout is complete (${String(step.at)}%, the top of rolloutLadder): nothing to promote`;
}

async function promote(
  values: Values,
  env: NodeJS.ProcessEnv,
  io: ToolIO,
  loadProgram: ProgramLoader,
): Promise<number> {
  const stack = values.stack;
  if (stack === undefined || !/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new UsageError("give --stack NAME, e.g. --stack beta (see --help)");
  }
  // Checked here as the gate checks it, so that a bad URL stops promote before GitHub is asked.
  if (urlFlagOrEnv("prometheus-url", values["prometheus-url"], "PROMETHEUS_URL", env) === undefined) {
    throw new UsageError("give --prometheus-url URL or set PROMETHEUS_URL (see --help)");
  }
  const webhook = values["post-to-slack"] ? env.SLACK_WEBHOOK_URL : undefined;
  if (values["post-to-slack"] && !webhook) throw new UsageError("--post-to-slack needs SLACK_WEBHOOK_URL");
  if (webhook !== undefined) httpUrl("SLACK_WEBHOOK_URL", webhook);
  if (values["report-url"] !== undefined) httpUrl("--report-url", values["report-url"], true);
  // A contexts file is checked before anything is asked: it exists, it is readable, its kind is known.
  const contexts =
    values.contexts === undefined
      ? undefined
      : {
          path: values.contexts,
          input: contextsFileKind(resolve(values.contexts)),
          salt: nonEmpty(values.salt) ?? nonEmpty(env.LAUNCHDARKLY_FLAG_SALT),
        };
  const settings = githubSettings(env);
  io.onBound?.(
    runBoundSeconds(DEFAULT_BUDGET) +
      (GITHUB_REQUESTS * GITHUB_TIMEOUT_MS + SLACK_TIMEOUT_MS) / 1000 +
      (contexts === undefined ? 0 : countingBoundSeconds(statSync(resolve(contexts.path)).size)) +
      10,
  );

  const scratch = mkdtempSync(join(tmpdir(), "promote-"));
  try {
    const github = await GitHubRepo.connect(settings);
    const path = stackFileName(stack);
    const atHead = await github.stackFileAtHead(path);
    const { stackConfig: atHeadStack, rollout: atHeadConfig } = configsOf(stack, atHead.text, scratch);
    const step = nextStep(atHeadConfig);
    if (step.kind !== "next") {
      io.stdout.write(`${nothingToDo(stack, step)}\n`);
      return 0;
    }

    const run = await runGateInProcess(gateArgs(values), env, io);
    const gate = gateOutcome(run.code, run.json, run.report);
    if (gate.code === 2) return 2;
    if (gate.code !== 0) {
      io.stdout.write(
        `promote: ${stack}: gate ${gate.verdict}${gate.failing.length > 0 ? ` (failing: ${gate.failing.join(", ")})` : ""}: ` +
          `${String(step.to)}% is not proposed, ${stack} stays at ${String(step.from)}%\n`,
      );
      if (webhook !== undefined) {
        await postToSlack(webhook, noPromotionMessage(stack, step, gate, values["report-url"]));
        io.stderr.write("promote: posted why to Slack\n");
      }
      return 1;
    }

    const joiners = contexts && (await countJoiners(contexts, atHeadStack, step.to, loadProgram));
    const title = pullTitle(stack, step.from, step.to);
    const header =
      `Raises \`rolloutPercentage\` of stack \`${stack}\` from ${String(step.from)}% to ${String(step.to)}%, ` +
      `the next rung of \`rolloutLadder\`, after a GO of the soak gate. Proposed by \`npm run promote\`; ` +
      `merging it and deploying the stack is the promotion.`;
    const result = await github.propose(atHead, {
      path,
      branch: branchName(stack, step.to),
      title,
      body: pullBody(
        gate.report ?? "(the gate wrote no report)",
        `${header}\n\n${joinersLine(stack, step, joiners)}\n\n${signoffChecklist(atHeadConfig.signoffs)}`,
      ),
      text: withRolloutPercentage(atHead.text, step.to),
      commitMessage: `${title} (rolloutPercentage)`,
    });
    io.stdout.write(
      `promote: ${stack}: gate GO: ${result.action} pull request #${String(result.number)} (${title}): ${result.url}\n`,
    );
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Promotion as `main(argv, env, io)`; `loadProgram` loads the program, for counting who joins (--contexts). */
export function promoteMain(loadProgram: ProgramLoader): ToolMain {
  return toolMain({
    name: "promote",
    messagePrefix: "promote: ",
    help: HELP,
    flags: FLAGS,
    run: ({ values }, env, io) => promote(values, env, io, loadProgram),
  });
}
