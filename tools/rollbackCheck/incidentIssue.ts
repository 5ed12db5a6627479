/**
 * The incident record on GitHub: one issue per kill, found again by its marker among the issues
 * labelled {@link INCIDENT_LABEL} (open or closed), so later runs update it rather than open
 * another. Needs a token with `issues: write`.
 */
import { GitHubClient, type GitHubSettings } from "../services/github";
import { INCIDENT_LABEL } from "./incident";

/** How many pages of labelled issues a search reads at most (100 each). */
const PAGES = 5;
/** The requests a record takes at most: the search's pages, then one write. */
export const INCIDENT_REQUESTS = PAGES + 1;

export interface IncidentIssue {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
}

export class IncidentIssues extends GitHubClient {
  static async connect(settings: GitHubSettings): Promise<IncidentIssues> {
    return new IncidentIssues(await GitHubClient.octokitFor(settings, "stream5-time-crunch-rollback-check"), settings);
  }

  /** The record whose body carries `marker`, or undefined. */
  async find(marker: string): Promise<IncidentIssue | undefined> {
    for (let page = 1; page <= PAGES; page++) {
      const answer = await this.call("list the incident issues", () =>
        this.octokit.rest.issues.listForRepo({
          ...this.repoParams,
          labels: INCIDENT_LABEL,
          state: "all",
          per_page: 100,
          page,
        }),
      );
      const found = answer.data.find((issue) => issue.pull_request === undefined && issue.body?.includes(marker));
      if (found !== undefined)
        return { number: found.number, url: found.html_url, title: found.title, body: found.body ?? "" };
      if (answer.data.length < 100) return undefined;
    }
    return undefined;
  }

  /** Opens the record, or updates `existing` (its title and body; open or closed stays as people left it). */
  async record(
    existing: IncidentIssue | undefined,
    title: string,
    body: string,
  ): Promise<{ action: "opened" | "updated"; number: number; url: string }> {
    if (existing === undefined) {
      const created = await this.call("open the incident issue", () =>
        this.octokit.rest.issues.create({ ...this.repoParams, title, body, labels: [INCIDENT_LABEL] }),
      );
      return { action: "opened", number: created.data.number, url: created.data.html_url };
    }
    const updated = await this.call(`update incident issue #${String(existing.number)}`, () =>
      this.octokit.rest.issues.update({ ...this.repoParams, issue_number: existing.number, title, body }),
    );
    return { action: "updated", number: updated.data.number, url: updated.data.html_url };
  }
}
