/** LaunchDarkly's own server SDK, evaluating flag JSON offline (no network, no events). */
import { basicLogger, init, integrations, type LDClient } from "@launchdarkly/node-server-sdk";
import type { EvaluableFlag } from "../../tools/offline/launchDarklyFlag";

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

  /** The context keys, among `keys`, that the flag serves `true` (default `false` when unknown). */
  async keysServedTrue(flag: EvaluableFlag, keys: readonly string[]): Promise<Set<string>> {
    await this.data.usePreconfiguredFlag(flag);
    const served = new Set<string>();
    for (const key of keys) {
      if ((await this.client.variation(flag.key, { kind: "user", key }, false)) === true) served.add(key);
    }
    return served;
  }

  close(): void {
    this.client.close();
  }
}

/** `count` distinct context keys shaped like the planning engine's athlete ids. */
export function contextKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `athlete-${i.toString(36).padStart(6, "0")}`);
}
