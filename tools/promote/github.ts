/**
 * What `npm run promote` does on GitHub, through Octokit (`@octokit/rest`, ESM-only, so imported at
 * run time): read the stack file at the default branch's head, and open or update the one pull
 * request that proposes the next rung. The default branch is only read, never moved; the local
 * checkout is not touched. The token is sent as the Authorization header and shown nowhere.
 */
import type { Octokit } from "@octokit/rest" with { "resolution-mode": "import" };
import { httpUrl, Unreachable, UsageError } from "../cli/runner";

/** How long one GitHub request may take. */
export const GITHUB_TIMEOUT_MS = 30_000;
/** How many requests a proposal makes at most (read: 3; propose: 7). */
export const GITHUB_REQUESTS = 10;
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
/** The label every proposal carries. */
export const ROLLOUT_LABEL = "rollout";

export interface GitHubSettings {
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  /** The REST API's base URL; GitHub Enterprise's carries a path (`https://ghe.example/api/v3`), kept. */
  readonly apiUrl: string;
}

/** GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name) and GITHUB_API_URL, or a usage error naming what is missing. */
export function githubSettings(env: NodeJS.ProcessEnv): GitHubSettings {
  const token = env.GITHUB_TOKEN;
  if (token === undefined || token === "") throw new UsageError("set GITHUB_TOKEN (see --help)");
  const repository = env.GITHUB_REPOSITORY ?? "";
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  const [, owner, repo] = match ?? [];
  if (owner === undefined || repo === undefined) {
    throw new UsageError("set GITHUB_REPOSITORY to owner/name (see --help)");
  }
  const apiUrl = (
    env.GITHUB_API_URL === undefined || env.GITHUB_API_URL === "" ? DEFAULT_GITHUB_API_URL : env.GITHUB_API_URL
  ).replace(/\/+$/, "");
  return { token, owner, repo, apiUrl: httpUrl("GITHUB_API_URL", apiUrl, true) };
}

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

/** GitHub's status and message, never the token; for an error from Octokit or fetch. */
function why(error: unknown, token: string): string {
  const e = error as { status?: number; message?: string; cause?: { code?: string } };
  const code = e.cause?.code;
  const text =
    (e as Error).name === "TimeoutError" || (e as Error).name === "AbortError"
      ? `no answer within ${String(GITHUB_TIMEOUT_MS / 1000)} s`
      : typeof e.status === "number" && e.status !== 500
        ? `HTTP ${String(e.status)} ${e.message ?? ""}`
        : (code ?? e.message ?? String(error));
  return (text.replaceAll(token, "[secret]").split("\n")[0] ?? "").slice(0, 300);
}

/** One repository on GitHub, through Octokit; every failure becomes {@link Unreachable} naming GitHub. */
export class GitHubRepo {
  private constructor(
    private readonly octokit: Octokit,
    private readonly settings: GitHubSettings,
  ) {}

  static async connect(settings: GitHubSettings): Promise<GitHubRepo> {
    const { Octokit: OctokitClass } = await import("@octokit/rest");
    const octokit = new OctokitClass({
      auth: settings.token,
      baseUrl: settings.apiUrl,
      userAgent: "stream5-time-crunch-promote",
      // A timeout per request (the gate runs between the reads and the writes).
      request: {
        fetch: (url: string | URL, init?: RequestInit) =>
          fetch(url, { ...init, signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) }),
      },
      // Octokit's own warnings could quote a request; this tool reports failures itself.
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    return new GitHubRepo(octokit, settings);
  }

  private get where(): string {
    return `GitHub (${this.settings.apiUrl}, ${this.settings.owner}/${this.settings.repo})`;
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new Unreachable(`${this.where}: could not ${what}: ${why(error, this.settings.token)}`);
    }
  }

  private get repoParams() {
    return { owner: this.settings.owner, repo: this.settings.repo };
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
      if ((error as { status?: number }).status === 404) return undefined;
      throw new Unreachable(`${this.where}: could not read branch ${branch}: ${why(error, this.settings.token)}`);
    }
  }
}
