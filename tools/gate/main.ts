/**
 * `npm run gate`: the soak gate's command line (`node tools/cli/launcher.cjs gate`), a tool of the
 * one runner (`tools/cli/runner.ts`): `main(argv, env, io)` returns the exit code; the tests call it
 * in process.
 */
import { toolMain, writeResult } from "../cli/runner";
import { runBoundSeconds } from "../soakEvaluation/budget";
import { evaluateGate, GATE_FLAGS, gateOptions, writeReport } from "../soakEvaluation/gateRun";
import { renderMarkdown, renderText, reportJson } from "../soakEvaluation/report";
import { postToSlack, slackMessage } from "../services/slack";

export const HELP = `Usage: npm run gate -- --prometheus-url URL [options]

Judges the staging soak from Prometheus: every promotion criterion of the
checklist over the window, plus no regressions in the engine's other routes
(against the window before), then GO, NO-GO or INCONCLUSIVE.
With --since or --stack-outputs: judges the current rung (the rung gate) over
[rung start, end], against a baseline soakGate.baseline (1w) earlier; a rung
younger than soakGate.rungSoak (24h) is NO-GO on coverage.

  --prometheus-url URL   Prometheus' base URL (or PROMETHEUS_URL)
  --stack NAME           thresholds from Pulumi.NAME.yaml (soakGate, alerts,
                         grafana.metricPrefix); default: the checklist's
  --config-file FILE     the same from any file in the stack config format
  --window DURATION      how far back to judge, e.g. 24h (default: the stack's
                         soakGate.window, 24h)
  --since TIME           the rung gate: the rung started at TIME (RFC 3339 or
                         Unix seconds); the window is [TIME, end]
  --stack-outputs FILE   the rung gate: the rung's start from rolloutIntent.since
                         in FILE (\`pulumi stack output --json\`)
  --end TIME             judge the window ending at TIME: RFC 3339
                         (2026-01-02T08:00:00Z) or Unix seconds; default now.
                         Rounded down to the minute
  --format FORMAT        stdout: text (default), markdown or json
  --report DIR           write DIR/report.md (with charts GitHub renders),
                         DIR/report.json and DIR/charts/*.svg
  --post-to-slack        post the summary to the incoming webhook in
                         SLACK_WEBHOOK_URL
  --dashboard-url URL    link the Grafana dashboard in the report and the post
  --report-url URL       link the full report (e.g. the CI run) in the post
  --query-timeout DUR    per request to Prometheus (default 30s)
  --deadline DUR         for all queries, retries included (default 75s)
  --help                 this text

Prometheus credentials: PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and
PROMETHEUS_PASSWORD. Credentials and the webhook URL are never printed.

Exit codes: 0 GO; 1 NO-GO or INCONCLUSIVE (or an unexpected failure); 2 bad usage or config,
or Prometheus (or Slack) unreachable, answering with errors or too slowly.
No data is never a pass. Progress goes to stderr when it is a terminal.`;

/** Runs the gate; returns the exit code. Never throws for a user's mistake or an unreachable dependency. */
export const main = toolMain({
  name: "gate",
  messagePrefix: "gate: ",
  help: HELP,
  flags: GATE_FLAGS,
  run: async ({ values }, env, io) => {
    const opts = gateOptions(values, env, (io.now ?? Date.now)() / 1000);
    io.onBound?.(runBoundSeconds(opts.budget));
    const { run, charts } = await evaluateGate(opts, io);
    writeResult(io, opts.format, run, { text: renderText, markdown: renderMarkdown, json: reportJson });
    if (opts.report !== undefined) await writeReport(opts.report, run, charts);
    if (opts.slackWebhookUrl !== undefined) {
      await postToSlack(opts.slackWebhookUrl, slackMessage(run, { reportUrl: opts.reportUrl }));
      io.stderr.write("gate: posted the summary to Slack\n");
    }
    return run.verdict.go ? 0 : 1;
  },
});
