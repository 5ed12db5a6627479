/**
 * The checklist's operational sign-offs (QA, Ops, Support, docs) as GitHub reviews: which role is
 * signed on a pull request, from its reviews and the members of each role's team. Pure: the tools
 * fetch the reviews and teams (tools/signoffs/), this decides.
 *
 * A role is signed when an active member of its team approved the pull request's current head
 * commit and no member of that team asked for changes after that approval (each member's latest
 * approval or request for changes counts, as on GitHub; a dismissed review counts for nothing). An approval of an older
 * commit is stale: a push invalidates it, as GitHub's "dismiss stale approvals" does. The pull
 * request's author never signs a role: a sign-off is someone else saying yes.
 */

/** A role that must sign a raise, and the GitHub team (`org/slug`) whose members sign for it. */
export interface Signoff {
  readonly role: string;
  readonly team: string;
}

/** The checklist's "Success Criteria for Week 2 Beta Rollout", operational half. */
export const CHECKLIST_ROLES: Readonly<Record<string, string>> = {
  qa: "QA sign-off on integration tests",
  ops: "Ops team confirms system stability",
  support: "Support team ready for user questions",
  docs: "Documentation updated and reviewed",
};

/** A pull request review as GitHub's REST API lists it (the fields the decision reads). */
export interface Review {
  readonly login: string;
  readonly state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  readonly commitId: string;
  /** ISO 8601. */
  readonly submittedAt: string;
}

export const SignoffStatus = {
  Signed: "signed",
  Missing: "missing",
  Stale: "stale",
  ChangesRequested: "changes requested",
} as const;
export type SignoffStatus = (typeof SignoffStatus)[keyof typeof SignoffStatus];

export interface RoleVerdict extends Signoff {
  readonly status: SignoffStatus;
  /** Who approved, or asked for changes (missing: nobody). */
  readonly who: string | undefined;
  readonly when: string | undefined;
  /** The commit the deciding review was on. */
  readonly commit: string | undefined;
}

export interface PullRequestReviews {
  readonly author: string;
  readonly headSha: string;
  /** In any order; sorted by time here. */
  readonly reviews: readonly Review[];
}

/** Each role's status on the pull request; `members` holds each team's active members' logins. */
export function signoffVerdicts(
  signoffs: readonly Signoff[],
  pull: PullRequestReviews,
  members: ReadonlyMap<string, ReadonlySet<string>>,
): RoleVerdict[] {
  const byTime = [...pull.reviews].sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
  return signoffs.map((signoff) => {
    const team = members.get(signoff.team) ?? new Set<string>();
    // Each member's latest deciding review: a later approval replaces a request for changes, as on GitHub.
    const latest = new Map<string, Review>();
    for (const review of byTime) {
      if (review.login === pull.author || !team.has(review.login)) continue;
      if (review.state === "APPROVED" || review.state === "CHANGES_REQUESTED") latest.set(review.login, review);
      if (review.state === "DISMISSED") latest.delete(review.login);
    }
    const decided = [...latest.values()].sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt));
    const current = decided.filter((r) => r.state === "APPROVED" && r.commitId === pull.headSha).at(-1);
    const after = current === undefined ? -Infinity : Date.parse(current.submittedAt);
    const blocking = decided.filter((r) => r.state === "CHANGES_REQUESTED" && Date.parse(r.submittedAt) > after).at(-1);
    const older = decided.filter((r) => r.state === "APPROVED").at(-1);
    const verdict = (status: SignoffStatus, review: Review | undefined): RoleVerdict => ({
      ...signoff,
      status,
      who: review?.login,
      when: review?.submittedAt,
      commit: review?.commitId,
    });
    if (blocking !== undefined) return verdict(SignoffStatus.ChangesRequested, blocking);
    if (current !== undefined) return verdict(SignoffStatus.Signed, current);
    if (older !== undefined) return verdict(SignoffStatus.Stale, older);
    return verdict(SignoffStatus.Missing, undefined);
  });
}

/** The roles not signed, for a message ("waiting for sign-off from qa (org/qa), …"); empty when all are. */
export function waitingFor(verdicts: readonly RoleVerdict[]): string[] {
  return verdicts.filter((v) => v.status !== SignoffStatus.Signed).map((v) => `${v.role} (${v.team}: ${v.status})`);
}

/**
 * The sign-offs a raise's pull request asks for, as a Markdown checklist naming each team (GitHub
 * notifies a mentioned team); the check itself is `npm run signoffs`, not the boxes.
 */
export function signoffChecklist(signoffs: readonly Signoff[]): string {
  if (signoffs.length === 0) return "No sign-off is required for this stack (`signoffs: []`).";
  return [
    "### Sign-offs",
    "",
    "Each role signs by approving this pull request's head commit (a push asks again); the `sign-offs` check reads the reviews.",
    "",
    ...signoffs.map((s) => {
      const what = CHECKLIST_ROLES[s.role];
      return `- [ ] **${s.role}**${what === undefined ? "" : `: ${what}`} (@${s.team})`;
    }),
  ].join("\n");
}
