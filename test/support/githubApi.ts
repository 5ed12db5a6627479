/**
 * A stand-in for the GitHub REST API (api version 2022-11-28) on a real local HTTP server: the
 * paths `npm run promote` calls through Octokit, with GitHub's documented response shapes and
 * status codes, keeping state (branches, commits and their files, pull requests, labels) and
 * recording every request. Served under a path prefix too (`/api/v3`, as GitHub Enterprise does).
 *
 *   GET    /repos/{o}/{r}                              repos.get
 *   GET    /repos/{o}/{r}/git/ref/heads/{branch}       git.getRef (404 when there is none)
 *   POST   /repos/{o}/{r}/git/refs                     git.createRef (422 when it exists)
 *   PATCH  /repos/{o}/{r}/git/refs/heads/{branch}      git.updateRef (422 unless a fast-forward or force)
 *   GET    /repos/{o}/{r}/contents/{path}?ref=         repos.getContent (base64 content, blob sha)
 *   PUT    /repos/{o}/{r}/contents/{path}              repos.createOrUpdateFileContents (409 on a stale sha)
 *   GET    /repos/{o}/{r}/pulls?head=o:b&state=open     pulls.list
 *   POST   /repos/{o}/{r}/pulls                        pulls.create (422 when one is open for the head)
 *   PATCH  /repos/{o}/{r}/pulls/{n}                    pulls.update
 *   POST   /repos/{o}/{r}/issues/{n}/labels            issues.addLabels
 *   GET    /repos/{o}/{r}/issues?labels=&state=&page=  issues.listForRepo (pull requests too, with `pull_request`)
 *   POST   /repos/{o}/{r}/issues                       issues.create
 *   PATCH  /repos/{o}/{r}/issues/{n}                   issues.update
 *   GET    /repos/{o}/{r}/pulls/{n}                    pulls.get
 *   GET    /repos/{o}/{r}/pulls/{n}/reviews?page=      pulls.listReviews (paginated, with a Link header)
 *   GET    /orgs/{org}/teams/{slug}/members?page=      teams.listMembersInOrg (active members; paginated)
 * Issues and pull requests share their numbers, as on GitHub.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { recorder, type RecordedRequest, type Recorder } from "./httpRecorder";

export interface PullRequest {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  head: string;
  base: string;
  labels: string[];
  /** Who opened it (default rollout-bot). */
  author?: string;
}

/** A submitted review, as the reviews API lists it. */
export interface StoredReview {
  readonly login: string;
  readonly state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  readonly commitId: string;
  readonly submittedAt: string;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  /** ISO 8601 (default 2026-12-01T10:00:00Z). */
  createdAt?: string;
}

export interface GitHubState {
  defaultBranch: string;
  /** Branch name to commit sha. */
  readonly branches: Map<string, string>;
  /** Commit sha to its files (path to text) and parent. */
  readonly commits: Map<string, { files: Map<string, string>; parent: string | undefined; message: string }>;
  readonly pulls: PullRequest[];
  readonly issues: Issue[];
  /** Pull request number to its reviews, in the order submitted. */
  readonly reviews: Map<number, StoredReview[]>;
  /** Team (`org/slug`) to its active members' logins. */
  readonly teams: Map<string, string[]>;
}

export interface GitHubApi extends Recorder {
  /** The API's base URL, prefix included (what GITHUB_API_URL is set to). */
  readonly apiUrl: string;
  readonly state: GitHubState;
  /** A file's text at a branch's head. */
  fileAt(branch: string, path: string): string | undefined;
}

/** Git's blob id of a text (what the contents API calls the file's sha). */
export function blobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${String(bytes.length)}\0`), bytes]))
    .digest("hex");
}

const newCommitSha = () => randomBytes(20).toString("hex");

/** Base64 wrapped at 60 characters, as the contents API sends it. */
const base64Lines = (text: string) =>
  (
    Buffer.from(text, "utf8")
      .toString("base64")
      .match(/.{1,60}/g) ?? []
  ).join("\n") + "\n";

export interface GitHubApiOptions {
  readonly owner: string;
  readonly repo: string;
  /** The files on the default branch (`main`). */
  readonly files: Readonly<Record<string, string>>;
  /** Served under this path (`/api/v3`); default none. */
  readonly prefix?: string;
}

export async function startGitHubApi(options: GitHubApiOptions): Promise<GitHubApi> {
  const { owner, repo } = options;
  const prefix = options.prefix ?? "";
  const root = newCommitSha();
  const state: GitHubState = {
    defaultBranch: "main",
    branches: new Map([["main", root]]),
    commits: new Map([
      [root, { files: new Map(Object.entries(options.files)), parent: undefined, message: "initial" }],
    ]),
    pulls: [],
    issues: [],
    reviews: new Map(),
    teams: new Map(),
  };
  const nextNumber = () => state.pulls.length + state.issues.length + 1;
  let base = "";
  const api = (path: string) => `${base}/repos/${owner}/${repo}${path}`;
  const html = (path: string) => `https://github.example/${owner}/${repo}${path}`;

  /** Writes the answer; true, so each route can `return send(…)`. */
  const send = (response: ServerResponse, status: number, body: unknown): true => {
    response.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
    });
    response.end(JSON.stringify(body));
    return true;
  };
  const error = (response: ServerResponse, status: number, message: string): true =>
    send(response, status, {
      message,
      documentation_url: "https://docs.github.com/rest",
      status: String(status),
    });

  const refJson = (branch: string, sha: string) => ({
    ref: `refs/heads/${branch}`,
    node_id: `REF_${branch}`,
    url: api(`/git/refs/heads/${branch}`),
    object: { sha, type: "commit", url: api(`/git/commits/${sha}`) },
  });
  const labelJson = (labels: readonly string[]) =>
    labels.map((name, index) => ({ id: index + 1, name, color: "ededed", default: false }));
  const pullJson = (pull: PullRequest) => ({
    url: api(`/pulls/${String(pull.number)}`),
    id: 1000 + pull.number,
    node_id: `PR_${String(pull.number)}`,
    html_url: html(`/pull/${String(pull.number)}`),
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: { login: pull.author ?? "rollout-bot", id: 1, type: pull.author === undefined ? "Bot" : "User" },
    labels: labelJson(pull.labels),
    draft: false,
    head: {
      label: `${owner}:${pull.head}`,
      ref: pull.head,
      sha: state.branches.get(pull.head) ?? "",
      repo: { full_name: `${owner}/${repo}` },
    },
    base: {
      label: `${owner}:${pull.base}`,
      ref: pull.base,
      sha: state.branches.get(pull.base) ?? "",
      repo: { full_name: `${owner}/${repo}` },
    },
  });
  const issueJson = (issue: Issue) => ({
    url: api(`/issues/${String(issue.number)}`),
    id: 2000 + issue.number,
    node_id: `I_${String(issue.number)}`,
    html_url: html(`/issues/${String(issue.number)}`),
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: { login: "github-actions[bot]", id: 41898282, type: "Bot" },
    labels: labelJson(issue.labels),
    comments: 0,
    created_at: issue.createdAt ?? "2026-12-01T10:00:00Z",
    updated_at: issue.createdAt ?? "2026-12-01T10:00:00Z",
  });
  const contentJson = (path: string, text: string) => ({
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: path.split("/").pop(),
    path,
    content: base64Lines(text),
    sha: blobSha(text),
    url: api(`/contents/${path}`),
    git_url: api(`/git/blobs/${blobSha(text)}`),
    html_url: html(`/blob/main/${path}`),
    download_url: null,
    _links: {
      self: api(`/contents/${path}`),
      git: api(`/git/blobs/${blobSha(text)}`),
      html: html(`/blob/main/${path}`),
    },
  });
  /** A ref or branch name to its commit. */
  const commitOf = (ref: string | null) => {
    const name = ref ?? state.defaultBranch;
    return state.commits.has(name) ? name : state.branches.get(name.replace(/^(refs\/)?heads\//, ""));
  };

  /** One page of `items` (`per_page`, `page`), with GitHub's Link header naming the next and last pages. */
  const sendPage = (response: ServerResponse, url: URL, items: readonly unknown[]): true => {
    const perPage = Number(url.searchParams.get("per_page") ?? "30");
    const page = Number(url.searchParams.get("page") ?? "1");
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const next = new URL(`${base}${url.pathname.slice(prefix.length)}`);
      next.searchParams.set("per_page", String(perPage));
      next.searchParams.set("page", String(n));
      return `<${next.toString()}>; rel="${rel}"`;
    };
    response.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      ...(page < last && { link: [link(page + 1, "next"), link(last, "last")].join(", ") }),
    });
    response.end(JSON.stringify(items.slice((page - 1) * perPage, page * perPage)));
    return true;
  };

  const answer = (request: RecordedRequest, response: ServerResponse): true => {
    const url = new URL(request.path, "http://localhost");
    const team = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/.exec(url.pathname.slice(prefix.length));
    if (request.method === "GET" && team !== null) {
      const members = state.teams.get(`${team[1]}/${team[2]}`);
      if (members === undefined) return error(response, 404, "Not Found");
      return sendPage(
        response,
        url,
        members.map((login, index) => ({ login, id: 5000 + index, type: "User" })),
      );
    }
    const repoPath = `${prefix}/repos/${owner}/${repo}`;
    if (!url.pathname.startsWith(repoPath)) return error(response, 404, "Not Found");
    const path = decodeURIComponent(url.pathname.slice(repoPath.length));
    const body = (request.body === "" ? {} : JSON.parse(request.body)) as Record<string, unknown>;
    const route = `${request.method} ${path}`;
    let match: RegExpExecArray | null;

    if (route === "GET ") {
      return send(response, 200, {
        id: 1,
        node_id: "R_1",
        name: repo,
        full_name: `${owner}/${repo}`,
        private: true,
        owner: { login: owner, id: 2, type: "Organization" },
        html_url: html(""),
        url: api(""),
        default_branch: state.defaultBranch,
      });
    }
    if ((match = /^GET \/git\/ref\/heads\/(.+)$/.exec(route))) {
      const sha = state.branches.get(match[1] ?? "");
      return sha === undefined ? error(response, 404, "Not Found") : send(response, 200, refJson(match[1] ?? "", sha));
    }
    if (route === "POST /git/refs") {
      const ref = String(body.ref);
      const sha = String(body.sha);
      const branch = ref.replace(/^refs\/heads\//, "");
      if (!ref.startsWith("refs/heads/") || !state.commits.has(sha)) return error(response, 422, "Invalid request");
      if (state.branches.has(branch)) return error(response, 422, "Reference already exists");
      state.branches.set(branch, sha);
      return send(response, 201, refJson(branch, sha));
    }
    if ((match = /^PATCH \/git\/refs\/heads\/(.+)$/.exec(route))) {
      const branch = match[1] ?? "";
      const sha = String(body.sha);
      const current = state.branches.get(branch);
      if (current === undefined) return error(response, 422, "Reference does not exist");
      if (!state.commits.has(sha)) return error(response, 422, "Object does not exist");
      let fastForward = false;
      for (let at: string | undefined = sha; at !== undefined; at = state.commits.get(at)?.parent) {
        if (at === current) fastForward = true;
      }
      if (!fastForward && body.force !== true) return error(response, 422, "Update is not a fast forward");
      state.branches.set(branch, sha);
      return send(response, 200, refJson(branch, sha));
    }
    if ((match = /^GET \/contents\/(.+)$/.exec(route))) {
      const commit = commitOf(url.searchParams.get("ref"));
      const text = commit === undefined ? undefined : state.commits.get(commit)?.files.get(match[1] ?? "");
      return text === undefined
        ? error(response, 404, "Not Found")
        : send(response, 200, contentJson(match[1] ?? "", text));
    }
    if ((match = /^PUT \/contents\/(.+)$/.exec(route))) {
      const file = match[1] ?? "";
      const branch = typeof body.branch === "string" ? body.branch : state.defaultBranch;
      const head = state.branches.get(branch);
      if (head === undefined) return error(response, 404, `Branch ${branch} not found`);
      const files = state.commits.get(head)?.files ?? new Map<string, string>();
      const current = files.get(file);
      if (current !== undefined && body.sha !== blobSha(current)) {
        return error(response, 409, `${file} does not match ${String(body.sha)}`);
      }
      if (current !== undefined && body.sha === undefined) {
        return error(response, 422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      }
      const text = Buffer.from(String(body.content), "base64").toString("utf8");
      const sha = newCommitSha();
      state.commits.set(sha, { files: new Map([...files, [file, text]]), parent: head, message: String(body.message) });
      state.branches.set(branch, sha);
      return send(response, current === undefined ? 201 : 200, {
        content: contentJson(file, text),
        commit: {
          sha,
          node_id: `C_${sha}`,
          url: api(`/git/commits/${sha}`),
          message: body.message,
          parents: [{ sha: head }],
        },
      });
    }
    if (route === "GET /pulls") {
      const head = url.searchParams.get("head");
      const wanted = url.searchParams.get("state") ?? "open";
      return send(
        response,
        200,
        state.pulls
          .filter((p) => (head === null || `${owner}:${p.head}` === head) && (wanted === "all" || p.state === wanted))
          .map(pullJson),
      );
    }
    if (route === "POST /pulls") {
      const head = String(body.head);
      const baseBranch = String(body.base);
      if (!state.branches.has(head) || !state.branches.has(baseBranch))
        return error(response, 422, "Validation Failed");
      if (state.pulls.some((p) => p.head === head && p.base === baseBranch && p.state === "open")) {
        return error(response, 422, `Validation Failed: A pull request already exists for ${owner}:${head}.`);
      }
      const pull: PullRequest = {
        number: nextNumber(),
        title: String(body.title),
        body: typeof body.body === "string" ? body.body : "",
        state: "open",
        head,
        base: baseBranch,
        labels: [],
      };
      state.pulls.push(pull);
      return send(response, 201, pullJson(pull));
    }
    if ((match = /^GET \/pulls\/(\d+)$/.exec(route))) {
      const pull = state.pulls.find((p) => p.number === Number(match?.[1]));
      return pull === undefined ? error(response, 404, "Not Found") : send(response, 200, pullJson(pull));
    }
    if ((match = /^GET \/pulls\/(\d+)\/reviews$/.exec(route))) {
      const number = Number(match[1]);
      if (!state.pulls.some((p) => p.number === number)) return error(response, 404, "Not Found");
      return sendPage(
        response,
        url,
        (state.reviews.get(number) ?? []).map((review, index) => ({
          id: 80_000 + index,
          user: { login: review.login, id: 6000 + index, type: "User" },
          body: "",
          state: review.state,
          html_url: html(`/pull/${String(number)}#pullrequestreview-${String(80_000 + index)}`),
          commit_id: review.commitId,
          submitted_at: review.submittedAt,
          author_association: "MEMBER",
        })),
      );
    }
    if ((match = /^PATCH \/pulls\/(\d+)$/.exec(route))) {
      const pull = state.pulls.find((p) => p.number === Number(match?.[1]));
      if (pull === undefined) return error(response, 404, "Not Found");
      if (typeof body.title === "string") pull.title = body.title;
      if (typeof body.body === "string") pull.body = body.body;
      return send(response, 200, pullJson(pull));
    }
    if ((match = /^POST \/issues\/(\d+)\/labels$/.exec(route))) {
      const pull = state.pulls.find((p) => p.number === Number(match?.[1]));
      if (pull === undefined) return error(response, 404, "Not Found");
      const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
      pull.labels = [...new Set([...pull.labels, ...labels])];
      return send(response, 200, labelJson(pull.labels));
    }
    if (route === "GET /issues") {
      const labels = (url.searchParams.get("labels") ?? "").split(",").filter((l) => l !== "");
      const wanted = url.searchParams.get("state") ?? "open";
      const perPage = Number(url.searchParams.get("per_page") ?? "30");
      const page = Number(url.searchParams.get("page") ?? "1");
      const matches = (item: { labels: string[]; state: string }) =>
        labels.every((l) => item.labels.includes(l)) && (wanted === "all" || item.state === wanted);
      // Newest first, pull requests among them (with their `pull_request` key), as GitHub lists them.
      const all = [
        ...state.issues.filter(matches).map(issueJson),
        ...state.pulls
          .filter(matches)
          .map((p) => ({ ...pullJson(p), pull_request: { url: api(`/pulls/${String(p.number)}`) } })),
      ].sort((a, b) => b.number - a.number);
      return send(response, 200, all.slice((page - 1) * perPage, page * perPage));
    }
    if (route === "POST /issues") {
      if (typeof body.title !== "string" || body.title === "") return error(response, 422, "Validation Failed");
      const issue: Issue = {
        number: nextNumber(),
        title: body.title,
        body: typeof body.body === "string" ? body.body : "",
        state: "open",
        labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
      };
      state.issues.push(issue);
      return send(response, 201, issueJson(issue));
    }
    if ((match = /^PATCH \/issues\/(\d+)$/.exec(route))) {
      const issue = state.issues.find((i) => i.number === Number(match?.[1]));
      if (issue === undefined) return error(response, 404, "Not Found");
      if (typeof body.title === "string") issue.title = body.title;
      if (typeof body.body === "string") issue.body = body.body;
      if (body.state === "open" || body.state === "closed") issue.state = body.state;
      return send(response, 200, issueJson(issue));
    }
    return error(response, 404, "Not Found");
  };

  const server = await recorder(answer);
  base = `${server.url}${prefix}`;
  return {
    ...server,
    apiUrl: base,
    state,
    fileAt: (branch, path) => {
      const sha = state.branches.get(branch);
      return sha === undefined ? undefined : state.commits.get(sha)?.files.get(path);
    },
  };
}
