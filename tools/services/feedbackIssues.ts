/**
 * The beta's user feedback on GitHub: issues with the feedback label (`feedback.label` in the
 * stack config) opened since a time, every page read (pull requests left out).
 */
import { GitHubClient, type GitHubSettings } from "./github";

/** The most pages of 100 issues read: a bound on the wait, far above a beta's feedback. */
export const FEEDBACK_PAGES = 10;

export interface FeedbackIssue {
  readonly number: number;
  readonly title: string;
  readonly state: "open" | "closed";
  readonly url: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

export class FeedbackIssues extends GitHubClient {
  static async connect(settings: GitHubSettings): Promise<FeedbackIssues> {
    return new FeedbackIssues(await GitHubClient.octokitFor(settings, "stream5-time-crunch-soak-report"), settings);
  }

  /** The issues labelled `label` opened at or after `since` (Unix seconds). */
  async openedSince(label: string, since: number): Promise<FeedbackIssue[]> {
    const iso = new Date(since * 1000).toISOString();
    let pages = 0;
    const issues = await this.call(`list the issues labelled ${label}`, () =>
      // `since` selects by last update: an issue opened earlier may come too, and is left out below.
      this.octokit.paginate(
        this.octokit.rest.issues.listForRepo,
        { ...this.repoParams, labels: label, state: "all", since: iso, per_page: 100 },
        (response, done) => {
          if (++pages >= FEEDBACK_PAGES) done();
          return response.data;
        },
      ),
    );
    return issues
      .filter((i) => i.pull_request === undefined && Date.parse(i.created_at) >= since * 1000)
      .map((i) => ({
        number: i.number,
        title: i.title,
        state: i.state === "closed" ? "closed" : "open",
        url: i.html_url,
        createdAt: i.created_at,
      }));
  }
}
