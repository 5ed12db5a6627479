/** What a person reads: a plan's summary per component, and a diff, as text or markdown. */
import type { ResourceDiff } from "./diff";
import { field, ResourceType, type Props } from "../../components/resources";
import { resourcesOfType, type Plan } from "../offline/plan";

export type Format = "text" | "markdown";

interface Section {
  readonly title: string;
  readonly lines: readonly string[];
}

const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** The settings that matter, per component, read from what the program declared. */
function sections(plan: Plan): Section[] {
  const result: Section[] = [];
  const [environment] = resourcesOfType(plan, ResourceType.FlagEnvironment);
  if (environment) {
    const fallthrough = environment.inputs.fallthrough;
    const weights = field(fallthrough, "rolloutWeights");
    result.push({
      title: "LaunchDarkly",
      lines: [
        `flag ${text(environment.inputs.flagId)}, environment ${text(environment.inputs.envKey)}`,
        `targeting ${text(plan.outputs.targetingSummary)}`,
        Array.isArray(weights)
          ? `fallthrough: rollout weights ${weights.map(text).join(" / ")} (thousandths of a percent), by ${text(field(fallthrough, "bucketBy"))}`
          : `fallthrough: variation ${text(field(fallthrough, "variation"))}`,
        resourcesOfType(plan, ResourceType.Flag).length > 0
          ? "flag definition: declared by this stack (protected)"
          : "flag definition: owned by another stack",
        resourcesOfType(plan, ResourceType.FlagTrigger).length > 0
          ? "automatic kill switch: a flag trigger turns targeting off when called (its URL is a secret)"
          : "automatic kill switch: none (alerts.autoKill is off)",
      ],
    });
  }
  const [folder] = resourcesOfType(plan, ResourceType.Folder);
  const [group] = resourcesOfType(plan, ResourceType.RuleGroup);
  if (folder || group) {
    const rules = (group?.inputs.rules ?? []) as Props[];
    result.push({
      title: "Grafana",
      lines: [
        `dashboard ${text(plan.outputs.dashboardUrl)} in folder "${text(folder?.inputs.title)}"`,
        "alerts, each to its contact point:",
        ...rules.map(
          (rule) =>
            `  ${text(rule.name)}: ${describeCondition(rule)} (${text(field(rule, "labels", "severity"))}) -> ${describeContactPoint(plan, field(rule, "notificationSettings", "contactPoint"))}`,
        ),
      ],
    });
  }
  const [deployment] = resourcesOfType(plan, ResourceType.Deployment);
  const [autoscaler] = resourcesOfType(plan, ResourceType.Autoscaler);
  if (deployment) {
    result.push({
      title: "Kubernetes",
      lines: [
        `planning engine in namespace ${text(plan.outputs.planningEngineNamespace)}`,
        `image ${text(field(deployment.inputs, "spec", "template", "spec", "containers", "0", "image"))}`,
        `replicas ${text(field(autoscaler?.inputs, "spec", "minReplicas"))}..${text(field(autoscaler?.inputs, "spec", "maxReplicas"))} (autoscaled)`,
        `preview endpoint ${text(plan.outputs.previewUrl)}`,
      ],
    });
  }
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  result.push({
    title: `${plan.resources.length} resources`,
    lines: [...counts].map(([type, n]) => `${n} × ${type}`),
  });
  return result;
}

/** "stream5-time-crunch-beta-slack (Slack)" for a contact point name, with its integrations. */
function describeContactPoint(plan: Plan, name: unknown): string {
  const contactPoint = resourcesOfType(plan, ResourceType.ContactPoint).find((c) => c.inputs.name === name);
  const integrations = [
    ...(contactPoint?.inputs.slacks === undefined ? [] : ["Slack"]),
    ...(contactPoint?.inputs.webhooks === undefined ? [] : ["webhook to the LaunchDarkly trigger"]),
  ];
  return `${text(name)} (${integrations.join(" + ")})`;
}

/** "value > 0.1 for 5m" from a rule's A/B/C chain. */
function describeCondition(rule: Props): string {
  const datas = (rule.datas ?? []) as Props[];
  const threshold = datas.find((d) => d.refId === rule.condition);
  const model = JSON.parse(typeof threshold?.model === "string" ? threshold.model : "{}") as Props;
  const evaluator = field(model, "conditions", "0", "evaluator") as { type?: string; params?: number[] } | undefined;
  const sign = evaluator?.type === "lt" ? "<" : ">";
  return `value ${sign} ${text(evaluator?.params?.[0])} for ${text(rule.for)}`;
}

/** "beta (Pulumi.beta.yaml with rolloutPercentage=25)" */
function label(plan: Plan): string {
  const sets = plan.overrides.length > 0 ? ` with ${plan.overrides.join(", ")}` : "";
  return `${plan.stack} (${plan.configFile}${sets})`;
}

function heading(plan: Plan): string {
  const esc = plan.environments.length > 0 ? `; ESC ${plan.environments.join(", ")}: its secrets show as [secret]` : "";
  return `Stack ${label(plan)}${esc}`;
}

export function renderSummary(plan: Plan, format: Format): string {
  const all = sections(plan);
  if (format === "markdown") {
    return [
      `## ${heading(plan)}`,
      ...all.map((s) => [`### ${s.title}`, ...s.lines.map((line) => `- ${line.trimStart()}`)].join("\n")),
    ].join("\n\n");
  }
  return [heading(plan), ...all.map((s) => [s.title, ...s.lines.map((line) => `  ${line}`)].join("\n"))].join("\n\n");
}

/** That the rollout guards let the planned deployment through, and what the plan assumed for them. */
export function renderGuards(assumed: string, format: Format): string {
  const line = `passed (${assumed})`;
  return format === "markdown" ? `### Rollout guards\n\n- ${line}` : `Rollout guards\n  ${line}`;
}

function value(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v);
}

export function renderDiff(diffs: readonly ResourceDiff[], before: Plan, after: Plan, format: Format): string {
  const title = `${label(before)} -> ${label(after)}`;
  if (diffs.length === 0)
    return format === "markdown" ? `## Diff: ${title}\n\nNo changes.` : `Diff ${title}: no changes`;
  const count = diffs.length === 1 ? "1 resource differs" : `${diffs.length} resources differ`;
  const sign = { added: "+", removed: "-", changed: "~" } as const;
  if (format === "markdown") {
    return [
      `## Diff: ${title}`,
      count,
      ...diffs.map((d) =>
        [
          `- \`${sign[d.change]}\` **${d.change}** \`${d.type}\` \`${d.name}\``,
          ...d.inputs.map((c) => `  - \`${c.path}\`: \`${value(c.before)}\` → \`${value(c.after)}\``),
        ].join("\n"),
      ),
    ].join("\n\n");
  }
  return [
    `Diff ${title}: ${count}`,
    ...diffs.map((d) =>
      [
        `${sign[d.change]} ${d.type} ${d.name} (${d.change})`,
        ...d.inputs.map((c) => `    ${c.path}: ${value(c.before)} -> ${value(c.after)}`),
      ].join("\n"),
    ),
  ].join("\n");
}
