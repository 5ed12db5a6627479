/**
 * What the sign-offs are read from on GitHub (`npm run signoffs`, the final soak report), through Octokit: a pull request's author and head
 * commit, all of its reviews, and the active members of each sign-off team, every list followed
 * page by page (a pull request can hold more than 100 reviews; a team more than 100 members).
 */
import {
  signoffVerdicts,
  type PullRequestReviews,
  type Review,
  type RoleVerdict,
  type Signoff,
} from "../../components/rollout/signoffs";
import { Unreachable } from "../cli/runner";
import { GitHubClient, type GitHubSettings } from "./github";

export class SignoffSource extends GitHubClient {
  static async connect(settings: GitHubSettings): Promise<SignoffSource> {
    return new SignoffSource(await GitHubClient.octokitFor(settings, "stream5-time-crunch-signoffs"), settings);
  }

  /** The pull request's author, head commit and reviews. */
  async reviews(pullNumber: number): Promise<PullRequestReviews> {
    const pull = await this.call(`read pull request #${pullNumber}`, () =>
      this.octokit.rest.pulls.get({ ...this.repoParams, pull_number: pullNumber }),
    );
    const reviews = await this.call(`list the reviews of pull request #${pullNumber}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
        ...this.repoParams,
        pull_number: pullNumber,
        per_page: 100,
      }),
    );
    return {
      author: pull.data.user.login,
      headSha: pull.data.head.sha,
      reviews: reviews.flatMap((r): Review[] =>
        r.user === null || r.commit_id === null || r.submitted_at === undefined
          ? [] // a pending review has no time yet; a deleted account no login
          : [
              {
                login: r.user.login,
                state: r.state as Review["state"],
                commitId: r.commit_id,
                submittedAt: r.submitted_at,
              },
            ],
      ),
    };
  }

  /** Each role's verdict on the pull request, and the head commit they were judged on. */
  async judge(signoffs: readonly Signoff[], pullNumber: number): Promise<{ head: string; roles: RoleVerdict[] }> {
    const pull = await this.reviews(pullNumber);
    const teams = [...new Set(signoffs.map((s) => s.team))];
    const members = new Map(await Promise.all(teams.map(async (team) => [team, await this.members(team)] as const)));
    return { head: pull.headSha, roles: signoffVerdicts(signoffs, pull, members) };
  }

  /** The active members of `team` (`org/slug`): a pending invitation signs nothing. */
  async members(team: string): Promise<Set<string>> {
    const [org = "", slug = ""] = team.split("/");
    try {
      const members = await this.octokit.paginate(this.octokit.rest.teams.listMembersInOrg, {
        org,
        team_slug: slug,
        per_page: 100,
      });
      return new Set(members.map((m) => m.login));
    } catch (error) {
      if (GitHubClient.statusOf(error) === 404) {
        throw new Unreachable(
          `${this.where}: team ${team} not found, or the token cannot read its members (it needs read:org)`,
        );
      }
      throw this.failure(`list the members of team ${team}`, error);
    }
  }
}
