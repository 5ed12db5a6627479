/**
 * What `npm run promote` does on GitHub, through Octokit (`@octokit/rest`, ESM-only, so imported at
 * run time): read the stack file at the default branch's head, and open or update the one pull
 * request that proposes the next rung. The default branch is only read, never moved; the local
 * checkout is not touched. The token is sent as the Authorization header and shown nowhere.
 */
import { GitHubClient, type GitHubSettings } from "../services/github";
import { Unreachable } from "../cli/runner";

/** How many requests a proposal makes at most (read: 3; propose: 7). */
export const GITHUB_REQUESTS = 10;
/** The label every proposal carries. */
export const ROLLOUT_LABEL = "rollout";

/** The stack file as it is at the default branch's head. */
export interface StackFileAtHead {
  readonly defaultBranch: string;
  /** The default branch's head commit. */
  readonly head: string;
  readonly text: string;
  /** The file's blob sha (what a PUT of new contents must name). */
  readonly blobSha: string;
}

export interface Proposal {
  readonly path: string;
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  readonly text: string;
  readonly commitMessage: string;
}

export interface ProposalResult {
  readonly action: "opened" | "updated";
  readonly number: number;
  readonly url: string;
}

/** The repository whose stack file `npm run promote` reads and proposes to change. */
export class GitHubRepo extends GitHubClient {
  static async connect(settings: GitHubSettings): Promise<GitHubRepo> {
    return new GitHubRepo(await GitHubClient.octokitFor(settings, "stream5-time-crunch-promote"), settings);
  }

  /** The stack file at the default branch's head (read through the contents API). */
  async stackFileAtHead(path: string): Promise<StackFileAtHead> {
    const repo = await this.call("read the repository", () => this.octokit.rest.repos.get(this.repoParams));
    const defaultBranch = repo.data.default_branch;
    const ref = await this.call(`read branch ${defaultBranch}`, () =>
      this.octokit.rest.git.getRef({ ...this.repoParams, ref: `heads/${defaultBranch}` }),
    );
    const head = ref.data.object.sha;
    const content = await this.call(`read ${path} at ${defaultBranch}`, () =>
      this.octokit.rest.repos.getContent({ ...this.repoParams, path, ref: head }),
    );
    const file = content.data;
    if (Array.isArray(file) || file.type !== "file" || !("content" in file)) {
      throw new Unreachable(`${this.where}: ${path} at ${defaultBranch} is not a file`);
    }
    return {
      defaultBranch,
      head,
      text: Buffer.from(file.content, "base64").toString("utf8"),
      blobSha: file.sha,
    };
  }

  /**
   * Points `proposal.branch` at the default branch's head (creating it, or resetting the proposal
   * branch only), commits the edited file there, and opens the pull request or updates the open one.
   */
  async propose(at: StackFileAtHead, proposal: Proposal): Promise<ProposalResult> {
    const { branch } = proposal;
    const existing = await this.branchSha(branch);
    if (existing === undefined) {
      await this.call(`create branch ${branch}`, () =>
        this.octokit.rest.git.createRef({ ...this.repoParams, ref: `refs/heads/${branch}`, sha: at.head }),
      );
    } else if (existing !== at.head) {
      await this.call(`update branch ${branch}`, () =>
        this.octokit.rest.git.updateRef({ ...this.repoParams, ref: `heads/${branch}`, sha: at.head, force: true }),
      );
    }
    // The branch is now the default branch's head, so its blob of the file is the one read there.
    await this.call(`commit ${proposal.path} on ${branch}`, () =>
      this.octokit.rest.repos.createOrUpdateFileContents({
        ...this.repoParams,
        path: proposal.path,
        branch,
        message: proposal.commitMessage,
        content: Buffer.from(proposal.text, "utf8").toString("base64"),
        sha: at.blobSha,
      }),
    );
    const open = await this.call(`list the pull requests of ${branch}`, () =>
      this.octokit.rest.pulls.list({ ...this.repoParams, head: `${this.settings.owner}:${branch}`, state: "open" }),
    );
    const found = open.data[0];
    let result: ProposalResult;
    if (found === undefined) {
      const created = await this.call("open the pull request", () =>
        this.octokit.rest.pulls.create({
          ...this.repoParams,
          head: branch,
          base: at.defaultBranch,
          title: proposal.title,
          body: proposal.body,
        }),
      );
      result = { action: "opened", number: created.data.number, url: created.data.html_url };
    } else {
      const updated = await this.call(`update pull request #${String(found.number)}`, () =>
        this.octokit.rest.pulls.update({
          ...this.repoParams,
          pull_number: found.number,
          title: proposal.title,
          body: proposal.body,
        }),
      );
      result = { action: "updated", number: updated.data.number, url: updated.data.html_url };
    }
    await this.call(`label pull request #${String(result.number)}`, () =>
      this.octokit.rest.issues.addLabels({ ...this.repoParams, issue_number: result.number, labels: [ROLLOUT_LABEL] }),
    );
    return result;
  }

  /** The branch's head commit, or undefined when there is no such branch (404). */
  private async branchSha(branch: string): Promise<string | undefined> {
    try {
      const ref = await this.octokit.rest.git.getRef({ ...this.repoParams, ref: `heads/${branch}` });
      return ref.data.object.sha;
    } catch (error) {
      if (GitHubClient.statusOf(error) === 404) return undefined;
      throw this.failure(`read branch ${branch}`, error);
    }
  }
}
