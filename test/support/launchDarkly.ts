/**
 * LaunchDarkly's own server SDK, evaluating flag JSON offline (no network, no events), for the
 * tests: a thin wrapper of tools/offline/flagEvaluator.ts (the implementation `npm run cohort` uses)
 * that evaluates a flag for many user keys at once.
 */
import { FlagEvaluator as SdkEvaluator } from "../../tools/offline/flagEvaluator";
import type { EvaluableFlag } from "../../tools/offline/launchDarklyFlag";

/** What the flag served a set of contexts, and why (LaunchDarkly's evaluation reason kinds). */
export interface Evaluation {
  /** The context keys served `true`; every other key was served `false`. */
  readonly servedTrue: Set<string>;
  /** How many contexts got their value for each reason: `OFF`, `FALLTHROUGH`, `TARGET_MATCH`, ... */
  readonly reasons: Readonly<Record<string, number>>;
}

export class FlagEvaluator {
  private constructor(private readonly sdk: SdkEvaluator) {}

  static async start(): Promise<FlagEvaluator> {
    return new FlagEvaluator(await SdkEvaluator.start());
  }

  /**
   * Evaluates `flag` for each of `keys` (user contexts). Rejects when the SDK could not evaluate it
   * (an `ERROR` reason, or a value that is neither variation): that must never read as "served false".
   */
  async evaluate(flag: EvaluableFlag, keys: readonly string[]): Promise<Evaluation> {
    await this.sdk.use(flag);
    const servedTrue = new Set<string>();
    const reasons: Record<string, number> = {};
    for (const key of keys) {
      const { value, reason } = await this.sdk.evaluate({ kind: "user", key });
      if (value) servedTrue.add(key);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    return { servedTrue, reasons };
  }

  close(): void {
    this.sdk.close();
  }
}

/** `count` distinct context keys shaped like the planning engine's athlete ids. */
export function contextKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `athlete-${i.toString(36).padStart(6, "0")}`);
}
