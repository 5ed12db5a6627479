/** LaunchDarkly's own server SDK, evaluating flag JSON offline (no network, no events). */
import { basicLogger, init, integrations, type LDClient } from "@launchdarkly/node-server-sdk";
import type { EvaluableFlag } from "../../tools/offline/launchDarklyFlag";

// The default the SDK serves when it cannot evaluate: neither variation, so "could not evaluate"
// never passes for "served false".
const NOT_EVALUATED = "not evaluated";

/** What the flag served a set of contexts, and why (LaunchDarkly's evaluation reason kinds). */
export interface Evaluation {
  /** The context keys served `true`; every other key was served `false`. */
  readonly servedTrue: Set<string>;
  /** How many contexts got their value for each reason: `OFF`, `FALLTHROUGH`, `TARGET_MATCH`, ... */
  readonly reasons: Readonly<Record<string, number>>;
}

export class FlagEvaluator {
  private constructor(
    private readonly client: LDClient,
    private readonly data: integrations.TestData,
  ) {}

  static async start(): Promise<FlagEvaluator> {
    const data = new integrations.TestData();
    // Not `offline: true`: an offline client ignores its data source and serves defaults.
    const client = init("sdk-offline-evaluation", {
      updateProcessor: data.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: basicLogger({ level: "none" }),
    });
    await client.waitForInitialization({ timeout: 10 });
    return new FlagEvaluator(client, data);
  }

  /**
   * Evaluates `flag` for each of `keys`. Rejects when the SDK could not evaluate it (an `ERROR`
   * reason, or a value that is neither variation): that must never read as "served false".
   */
  async evaluate(flag: EvaluableFlag, keys: readonly string[]): Promise<Evaluation> {
    await this.data.usePreconfiguredFlag(flag);
    const servedTrue = new Set<string>();
    const reasons: Record<string, number> = {};
    for (const key of keys) {
      const detail = await this.client.variationDetail(flag.key, { kind: "user", key }, NOT_EVALUATED);
      const value: unknown = detail.value;
      const { reason } = detail;
      if (reason.kind === "ERROR" || typeof value !== "boolean") {
        throw new Error(`LaunchDarkly could not evaluate ${flag.key} for ${key}: ${reason.errorKind ?? String(value)}`);
      }
      if (value) servedTrue.add(key);
      reasons[reason.kind] = (reasons[reason.kind] ?? 0) + 1;
    }
    return { servedTrue, reasons };
  }

  close(): void {
    this.client.close();
  }
}

/** `count` distinct context keys shaped like the planning engine's athlete ids. */
export function contextKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `athlete-${i.toString(36).padStart(6, "0")}`);
}
