/**
 * GitHub's REST API for the tools that write there (`npm run promote`'s pull request,
 * `npm run rollback-check`'s incident issue), through Octokit (`@octokit/rest`, ESM-only, so
 * imported at run time): one way to read the settings from the environment, to connect with a
 * timeout per request, and to turn every failure into {@link Unreachable} naming GitHub. The token
 * is sent as the Authorization header and shown nowhere.
 */
import type { Octokit } from "@octokit/rest" with { "resolution-mode": "import" };
import { httpUrl, Unreachable, UsageError } from "../cli/runner";

/** How long one GitHub request may take. */
export const GITHUB_TIMEOUT_MS = 30_000;
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

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

/** One repository on GitHub: its Octokit, and `call`, which makes every failure {@link Unreachable}. */
export class GitHubClient {
  protected constructor(
    protected readonly octokit: Octokit,
    protected readonly settings: GitHubSettings,
  ) {}

  /** An Octokit for `settings`, with a timeout per request and no logging of its own. */
  protected static async octokitFor(settings: GitHubSettings, userAgent: string): Promise<Octokit> {
    const { Octokit: OctokitClass } = await import("@octokit/rest");
    return new OctokitClass({
      auth: settings.token,
      baseUrl: settings.apiUrl,
      userAgent,
      request: {
        fetch: (url: string | URL, init?: RequestInit) =>
          fetch(url, { ...init, signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) }),
      },
      // Octokit's own warnings could quote a request; the tools report failures themselves.
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  protected get where(): string {
    return `GitHub (${this.settings.apiUrl}, ${this.settings.owner}/${this.settings.repo})`;
  }

  protected get repoParams() {
    return { owner: this.settings.owner, repo: this.settings.repo };
  }

  protected async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new Unreachable(`${this.where}: could not ${what}: ${why(error, this.settings.token)}`);
    }
  }

  /** The status of a failed request (404 for "none"), or undefined for a failure without one. */
  protected static statusOf(error: unknown): number | undefined {
    return (error as { status?: number }).status;
  }

  /** `call`'s failure for a request made outside it (to look at its status first). */
  protected failure(what: string, error: unknown): Unreachable {
    return new Unreachable(`${this.where}: could not ${what}: ${why(error, this.settings.token)}`);
  }
}
