/**
 * LaunchDarkly's own server SDK (`@launchdarkly/node-server-sdk`) evaluating flag JSON offline: no
 * network, no events. The flag JSON (`evaluableFlag`, launchDarklyFlag.ts) goes in through the
 * SDK's TestData source, so the SDK's own evaluator decides: individual targets, the rollout's
 * bucketing (LaunchDarkly hashes `flagKey.salt.contextKey`), its attribute and context kind.
 *
 * One client evaluates one flag key at a time; two versions of the same flag (a rung and the one
 * before it) need two evaluators, since the flag key is part of the hash and cannot be renamed.
 * `npm run cohort` and the tests (test/support/launchDarkly.ts) use this one implementation.
 */
import { basicLogger, init, integrations, type LDClient, type LDContext } from "@launchdarkly/node-server-sdk";
import type { EvaluableFlag } from "./launchDarklyFlag";

export type { LDContext } from "@launchdarkly/node-server-sdk";

// The default the SDK serves when it cannot evaluate: neither variation, so "could not evaluate"
// never passes for "served false".
const NOT_EVALUATED = "not evaluated";

/** What the flag served one context, and why (LaunchDarkly's reason kind: OFF, FALLTHROUGH, TARGET_MATCH, …). */
export interface Served {
  readonly value: boolean;
  readonly reason: string;
}

/** The SDK could not evaluate the flag for a context: an error, never "served false". */
export class NotEvaluated extends Error {
  override readonly name = "NotEvaluated";
  constructor(
    readonly flagKey: string,
    /** LaunchDarkly's error kind (MALFORMED_FLAG, USER_NOT_SPECIFIED, …), when the SDK gave one. */
    readonly errorKind: string | undefined,
    what: string,
  ) {
    super(`LaunchDarkly could not evaluate ${flagKey} for ${what}: ${errorKind ?? "not a boolean"}`);
  }

  /** Whether the context was the problem (the SDK found it invalid), not the flag. */
  get isInvalidContext(): boolean {
    return this.errorKind === "USER_NOT_SPECIFIED";
  }
}

export class FlagEvaluator {
  private flagKey: string | undefined;

  private constructor(
    private readonly client: LDClient,
    private readonly data: integrations.TestData,
  ) {}

  /** A client of its own (TestData source, no events), evaluating `flag` when given. */
  static async start(flag?: EvaluableFlag): Promise<FlagEvaluator> {
    const data = new integrations.TestData();
    // Not `offline: true`: an offline client ignores its data source and serves defaults.
    const client = init("sdk-offline-evaluation", {
      updateProcessor: data.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: basicLogger({ level: "none" }),
    });
    await client.waitForInitialization({ timeout: 10 });
    const evaluator = new FlagEvaluator(client, data);
    if (flag !== undefined) await evaluator.use(flag);
    return evaluator;
  }

  /** Evaluates `flag` from now on (it replaces the flag of the same key). */
  async use(flag: EvaluableFlag): Promise<void> {
    await this.data.usePreconfiguredFlag(flag);
    this.flagKey = flag.key;
  }

  /**
   * What the flag serves `context`. Rejects with NotEvaluated when the SDK could not evaluate it
   * (an `ERROR` reason, or a value that is neither variation).
   */
  async evaluate(context: LDContext): Promise<Served> {
    const flagKey = this.flagKey;
    if (flagKey === undefined) throw new Error("FlagEvaluator: no flag to evaluate (call use(flag) first)");
    const detail = await this.client.variationDetail(flagKey, context, NOT_EVALUATED);
    const value: unknown = detail.value;
    const { reason } = detail;
    if (reason.kind === "ERROR" || typeof value !== "boolean") {
      const key = typeof context.key === "string" ? context.key : JSON.stringify(context);
      throw new NotEvaluated(flagKey, reason.errorKind, key);
    }
    return { value, reason: reason.kind };
  }

  close(): void {
    this.client.close();
  }
}
