/**
 * The thresholds a gate run uses: the `soakGate`, `alerts` and `grafana.metricPrefix` of a stack's
 * config file, validated by the program's own schema (a stack `pulumi up` would refuse is refused
 * here too), or the schema's defaults when no stack is given.
 */
import { resolve } from "node:path";
import {
  parsedConfigOf,
  StackConfigSchema,
  type AlertsConfig,
  type SoakGateConfig,
} from "../../components/config/schema";
import { readStackConfig, stackFilePath } from "../../components/config/stackFile";
import { UsageError } from "../cli/runner";

export interface GateSettings {
  /** The stack whose config was read, or undefined for the defaults. */
  readonly stack: string | undefined;
  readonly gate: SoakGateConfig;
  readonly alerts: AlertsConfig;
  readonly metricPrefix: string;
  /** The preview endpoint's path (planningEngine.previewPath): not one of the routes the regression criterion compares by default. */
  readonly previewPath: string;
}

/** The schema's defaults: the checklist's thresholds. */
export function defaultSettings(): GateSettings {
  const shape = StackConfigSchema.shape;
  return {
    stack: undefined,
    gate: shape.soakGate.parse(undefined),
    alerts: shape.alerts.parse(undefined),
    metricPrefix: shape.grafana.shape.metricPrefix.parse(undefined),
    previewPath: shape.planningEngine.shape.previewPath.parse(undefined),
  };
}

/** The settings of `Pulumi.<stack>.yaml`, or of any file in that format (`configFile`). */
export function stackSettings(source: { stack: string } | { configFile: string }): GateSettings {
  const file = "stack" in source ? stackFilePath(source.stack) : resolve(source.configFile);
  const config = readStackConfig(file, "stack" in source ? source.stack : undefined);
  const parsed = parsedConfigOf(config);
  return {
    stack: config.stack,
    gate: parsed.soakGate,
    alerts: parsed.alerts,
    metricPrefix: parsed.grafana.metricPrefix,
    previewPath: parsed.planningEngine.previewPath,
  };
}

/** The settings with another window (`--window`), checked like the config key. */
export function withWindow(settings: GateSettings, window: string): GateSettings {
  const checked = StackConfigSchema.shape.soakGate.safeParse({ ...settings.gate, window });
  if (!checked.success) {
    throw new UsageError(`--window ${window}: allowed: ${checked.error.issues[0]?.message ?? "a duration"}`);
  }
  return { ...settings, gate: checked.data };
}
