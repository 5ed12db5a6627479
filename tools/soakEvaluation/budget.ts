/**
 * How long a gate run may take. Each request to Prometheus has a timeout and the queries share a
 * deadline; after it, the report and the Slack post get a fixed grace, and a watchdog ends the
 * process at the sum, whatever is still waiting. So a Prometheus that accepts connections and
 * never answers ends the run with exit 2 within {@link runBoundSeconds}.
 */
import { SLACK_TIMEOUT_MS } from "../services/slack";

export interface Budget {
  /** Each request to Prometheus (one attempt). */
  readonly queryTimeoutSeconds: number;
  /** All of the run's Prometheus queries, retries and waits included. */
  readonly deadlineSeconds: number;
}

export const DEFAULT_BUDGET: Budget = { queryTimeoutSeconds: 30, deadlineSeconds: 75 };

/** After the deadline: rendering the charts and the Slack post (which has its own timeout). */
export const AFTER_DEADLINE_SECONDS = 5 + SLACK_TIMEOUT_MS / 1000;

/** The longest a run can take once it has started: when the watchdog ends it. */
export function runBoundSeconds(budget: Budget): number {
  return budget.deadlineSeconds + AFTER_DEADLINE_SECONDS;
}

/** What is wrong with a budget, for a usage message; undefined when it is fine. */
export function budgetProblem(budget: Budget): string | undefined {
  if (!(budget.queryTimeoutSeconds > 0) || !(budget.deadlineSeconds > 0)) {
    return "--query-timeout and --deadline must be positive durations such as 30s or 2m";
  }
  if (budget.queryTimeoutSeconds > budget.deadlineSeconds) {
    return `--query-timeout (${budget.queryTimeoutSeconds} s) must not exceed --deadline (${budget.deadlineSeconds} s)`;
  }
  return undefined;
}
