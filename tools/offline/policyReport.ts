/** What a person reads about a policy verdict, as text or markdown (`npm run plan`, `npm run policy`). */
import type { PolicyVerdict, Violation } from "./policyRunner";

export type PolicyFormat = "text" | "markdown";

/** `kubernetes:apps/v1:Deployment planning-engine`, or `(stack)` for a stack-wide violation. */
function subject(violation: Violation): string {
  return violation.type === undefined ? "(stack)" : `${violation.type} ${violation.name ?? ""}`;
}

function headline(verdict: PolicyVerdict): string {
  const scope = `${verdict.policies.length} policies over ${verdict.resources} resources`;
  const count = verdict.violations.length;
  if (count === 0) return `no violations (${scope})`;
  const mandatory = verdict.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  return `${count} ${count === 1 ? "violation" : "violations"}, ${mandatory} mandatory (${scope})`;
}

/** Escapes what GitHub would read as markup in a message (`<digest>` would vanish as a tag). */
const markdownText = (text: string) => text.replace(/[\\`*_<>]/g, (c) => `\\${c}`);

/** The verdict on one stack (or one file, named by `label`). */
export function renderPolicyVerdict(verdict: PolicyVerdict, format: PolicyFormat, label?: string): string {
  const title = `Policy pack ${verdict.pack}${label === undefined ? "" : ` on ${label}`}`;
  if (format === "markdown") {
    const items = verdict.violations.map(
      (v) => `- **${v.enforcementLevel}** \`${v.policy}\` on \`${subject(v)}\`: ${markdownText(v.message)}`,
    );
    return [`### ${markdownText(title)}: ${headline(verdict)}`, ...(items.length > 0 ? [items.join("\n")] : [])].join(
      "\n\n",
    );
  }
  return [
    `${title}: ${headline(verdict)}`,
    ...verdict.violations.map((v) => `  ${v.enforcementLevel} ${v.policy}: ${subject(v)}\n    ${v.message}`),
  ].join("\n");
}
