import * as launchdarkly from "@pulumi/launchdarkly";
import * as pulumi from "@pulumi/pulumi";
import {
  describeTargeting,
  environmentTargeting,
  FLAG_VARIATION_VALUES,
  type RolloutSettings,
  Variation,
} from "./targeting";
import { ComponentType } from "../resources";

export interface TimeCrunchFlagArgs extends RolloutSettings {
  /** LaunchDarkly project key. */
  readonly projectKey: string;
  /** LaunchDarkly environment key whose targeting this stack manages (`staging`, `production`). */
  readonly environmentKey: string;
  /** The flag key (default in config: `feature.stream5_time_crunch_mode`). */
  readonly flagKey: string;
  /**
   * Whether this stack creates the flag definition. Exactly one stack does: two stacks creating
   * the same flag would collide. The others reference it by `projectKey/flagKey`.
   */
  readonly ownsFlagDefinition: boolean;
  /**
   * Whether to declare a LaunchDarkly flag trigger that turns the flag off in this environment when
   * its URL is called (the automatic kill switch; LaunchDarkly plans with flag triggers only).
   */
  readonly autoKill: boolean;
}

/** The flag definition's tags and description, as LaunchDarkly shows them. */
const FLAG_TAGS = ["stream5", "time-crunch", "managed-by-pulumi"];
const FLAG_DESCRIPTION =
  "Stream5 Time Crunch Mode in the planning engine's preview endpoint. Managed by the stream5-time-crunch Pulumi project: change targeting through stack config, not in the UI.";

/**
 * The LaunchDarkly flag `feature.stream5_time_crunch_mode` and this stack's environment targeting.
 *
 * The rollout rule itself lives in `targeting.ts`; this component only turns it into provider
 * resources. Rollback (kill switch or a lower percentage) changes only the environment resource.
 */
export class TimeCrunchFlag extends pulumi.ComponentResource {
  /** The flag's id, `projectKey/flagKey`. */
  readonly flagId: pulumi.Output<string>;
  readonly flagKey: pulumi.Output<string>;
  readonly environmentKey: pulumi.Output<string>;
  /** A one-line summary for people, e.g. "on: 10% of contexts get true". */
  readonly targetingSummary: pulumi.Output<string>;
  /** The URN of the environment targeting: `pulumi up --target` it to apply the kill switch alone. */
  readonly environmentUrn: pulumi.Output<string>;
  /**
   * With `autoKill`: the URL that turns the flag off in this environment when POSTed to. A secret
   * (anyone holding it can turn the flag off).
   */
  readonly killSwitchTriggerUrl: pulumi.Output<string> | undefined;

  constructor(name: string, args: TimeCrunchFlagArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentType.TimeCrunchFlag, name, {}, opts);

    // Deleting a flag deletes its targeting and history in every environment: never by accident.
    const flagId = args.ownsFlagDefinition
      ? new launchdarkly.FeatureFlag(
          name,
          {
            projectKey: args.projectKey,
            key: args.flagKey,
            name: "Stream5 Time Crunch Mode",
            description: FLAG_DESCRIPTION,
            variationType: "boolean",
            variations: FLAG_VARIATION_VALUES.map((value) => ({ value: String(value) })),
            defaults: { onVariation: Variation.On, offVariation: Variation.Off },
            temporary: true,
            tags: FLAG_TAGS,
          },
          { parent: this, protect: true },
        ).id
      : pulumi.output(`${args.projectKey}/${args.flagKey}`);

    const targeting = environmentTargeting(args);
    const { fallthrough } = targeting;
    const environment = new launchdarkly.FeatureFlagEnvironment(
      `${name}-${args.environmentKey}`,
      {
        flagId,
        envKey: args.environmentKey,
        on: targeting.on,
        offVariation: targeting.offVariation,
        fallthrough:
          "rolloutWeights" in fallthrough
            ? { rolloutWeights: [...fallthrough.rolloutWeights], bucketBy: fallthrough.bucketBy }
            : { variation: fallthrough.variation },
        ...(targeting.targets && {
          targets: targeting.targets.map((target) => ({ values: [...target.values], variation: target.variation })),
        }),
      },
      { parent: this },
    );

    const trigger = args.autoKill
      ? new launchdarkly.FlagTrigger(
          `${name}-${args.environmentKey}-kill-switch`,
          {
            projectKey: args.projectKey,
            envKey: args.environmentKey,
            flagKey: args.flagKey,
            // "generic-trigger": any caller with the URL, here a Grafana webhook.
            integrationKey: "generic-trigger",
            instructions: { kind: "turnFlagOff" },
            enabled: true,
          },
          // After the targeting, which in turn waits for the flag definition when this stack owns it.
          // The SDK keeps its URL (`triggerUrl`) a secret by itself.
          { parent: this, dependsOn: [environment] },
        )
      : undefined;

    this.flagId = flagId;
    this.flagKey = pulumi.output(args.flagKey);
    this.environmentKey = pulumi.output(args.environmentKey);
    this.targetingSummary = pulumi.output(describeTargeting(args));
    this.environmentUrn = environment.urn;
    this.killSwitchTriggerUrl = trigger && pulumi.secret(trigger.triggerUrl);
    // Stryker disable next-line ObjectLiteral,CallExpression: a component's registered outputs reach only the state; index.ts exports the same properties
    this.registerOutputs({
      environmentUrn: this.environmentUrn,
      flagId: this.flagId,
      flagKey: this.flagKey,
      environmentKey: this.environmentKey,
      targetingSummary: this.targetingSummary,
    });
  }
}
