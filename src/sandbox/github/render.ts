import { encodePath, renderApp, renderRepo, renderUser, repoApi, repoHtml, avatarUrl, type Json, type Urls } from './render-repo.ts';
import { iso, isoOrNull, nodeId } from './sequence.ts';
import {
  REACTIONS,
  fullName,
  type BlobRecord,
  type CheckRunRecord,
  type CommentRecord,
  type CommitRecord,
  type DiffFile,
  type IssueRecord,
  type LabelRecord,
  type PullRecord,
  type ReactionRecord,
  type RepoRecord,
  type ReviewRecord,
  type StatusRecord,
  type UserRecord,
} from './store.ts';

// Stored records → the JSON shapes of the GitHub REST API (components in the OpenAPI
// description: issue, issue-comment, pull-request, check-run, ...).

export function association(repo: RepoRecord, user: UserRecord): string {
  if (user.login.toLowerCase() === repo.owner.login.toLowerCase()) return 'OWNER';
  return user.type === 'Bot' ? 'NONE' : 'MEMBER';
}

export function renderLabel(urls: Urls, repo: RepoRecord, l: LabelRecord): Json {
  return {
    id: l.id,
    node_id: nodeId('LA', l.id),
    url: `${repoApi(urls, repo)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.isDefault,
    description: l.description,
  };
}

export function renderReaction(urls: Urls, r: ReactionRecord): Json {
  return { id: r.id, node_id: nodeId('REA', r.id), user: renderUser(urls, r.user), content: r.content, created_at: iso(r.createdAt) };
}

function rollup(url: string, reactions: readonly ReactionRecord[]): Json {
  const out: Json = { url, total_count: reactions.length };
  for (const c of REACTIONS) out[c] = reactions.filter((r) => r.content === c).length;
  return out;
}

function issueKind(issue: IssueRecord): 'pull' | 'issues' {
  return issue.pull ? 'pull' : 'issues';
}

export function renderIssue(urls: Urls, repo: RepoRecord, issue: IssueRecord, comments: number): Json {
  const u = repoApi(urls, repo);
  const iu = `${u}/issues/${issue.number}`;
  const out: Json = {
    id: issue.id,
    node_id: nodeId(issue.pull ? 'PR' : 'I', issue.id),
    url: iu,
    repository_url: u,
    labels_url: `${iu}/labels{/name}`,
    comments_url: `${iu}/comments`,
    events_url: `${iu}/events`,
    html_url: `${repoHtml(urls, repo)}/${issueKind(issue)}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: renderUser(urls, issue.user),
    labels: issue.labels.map((l) => renderLabel(urls, repo, l)),
    assignee: issue.assignees[0] ? renderUser(urls, issue.assignees[0]) : null,
    assignees: issue.assignees.map((a) => renderUser(urls, a)),
    milestone: null,
    locked: issue.locked,
    active_lock_reason: null,
    comments,
    closed_at: isoOrNull(issue.closedAt),
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_by: issue.closedBy ? renderUser(urls, issue.closedBy) : null,
    author_association: association(repo, issue.user),
    timeline_url: `${iu}/timeline`,
    performed_via_github_app: null,
    reactions: rollup(`${iu}/reactions`, issue.reactions),
  };
  if (issue.pull) {
    out['draft'] = issue.pull.draft;
    out['pull_request'] = {
      url: `${u}/pulls/${issue.number}`,
      html_url: `${repoHtml(urls, repo)}/pull/${issue.number}`,
      diff_url: `${repoHtml(urls, repo)}/pull/${issue.number}.diff`,
      patch_url: `${repoHtml(urls, repo)}/pull/${issue.number}.patch`,
      merged_at: isoOrNull(issue.pull.mergedAt),
    };
  }
  return out;
}

export function renderComment(urls: Urls, repo: RepoRecord, issue: IssueRecord, c: CommentRecord): Json {
  const u = repoApi(urls, repo);
  return {
    id: c.id,
    node_id: nodeId('IC', c.id),
    url: `${u}/issues/comments/${c.id}`,
    html_url: `${repoHtml(urls, repo)}/${issueKind(issue)}/${issue.number}#issuecomment-${c.id}`,
    body: c.body,
    user: renderUser(urls, c.user),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    issue_url: `${u}/issues/${issue.number}`,
    author_association: association(repo, c.user),
    performed_via_github_app: null,
    reactions: rollup(`${u}/issues/comments/${c.id}/reactions`, c.reactions),
  };
}

export interface PullStats {
  readonly comments: number;
  readonly additions: number;
  readonly deletions: number;
  readonly changedFiles: number;
  readonly commits: number;
}

function branchSide(urls: Urls, repo: RepoRecord, ref: string, sha: string): Json {
  return { label: `${repo.owner.login}:${ref}`, ref, sha, user: renderUser(urls, repo.owner), repo: renderRepo(urls, repo, 'repository') };
}

/** `simple` is pull-request-simple (lists); `full` adds merge state and counters (GET one). */
export function renderPull(urls: Urls, repo: RepoRecord, issue: IssueRecord, pull: PullRecord, shape: 'simple' | 'full', stats?: PullStats): Json {
  const u = repoApi(urls, repo);
  const pu = `${u}/pulls/${issue.number}`;
  const html = `${repoHtml(urls, repo)}/pull/${issue.number}`;
  const out: Json = {
    url: pu,
    // A pull request has an id of its own, distinct from its issue's.
    id: issue.id + 500_000_000,
    node_id: nodeId('PR', issue.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${u}/issues/${issue.number}`,
    commits_url: `${pu}/commits`,
    review_comments_url: `${pu}/comments`,
    review_comment_url: `${u}/pulls/comments{/number}`,
    comments_url: `${u}/issues/${issue.number}/comments`,
    statuses_url: `${u}/statuses/${pull.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: renderUser(urls, issue.user),
    body: issue.body,
    labels: issue.labels.map((l) => ({ ...renderLabel(urls, repo, l), description: l.description ?? '' })),
    milestone: null,
    active_lock_reason: null,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: isoOrNull(issue.closedAt),
    merged_at: isoOrNull(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    assignee: issue.assignees[0] ? renderUser(urls, issue.assignees[0]) : null,
    assignees: issue.assignees.map((a) => renderUser(urls, a)),
    requested_reviewers: [],
    requested_teams: [],
    head: branchSide(urls, repo, pull.headRef, pull.headSha),
    base: branchSide(urls, repo, pull.baseRef, pull.baseSha),
    _links: {
      self: { href: pu },
      html: { href: html },
      issue: { href: `${u}/issues/${issue.number}` },
      comments: { href: `${u}/issues/${issue.number}/comments` },
      review_comments: { href: `${pu}/comments` },
      review_comment: { href: `${u}/pulls/comments{/number}` },
      commits: { href: `${pu}/commits` },
      statuses: { href: `${u}/statuses/${pull.headSha}` },
    },
    author_association: association(repo, issue.user),
    auto_merge: null,
    draft: pull.draft,
  };
  if (shape === 'simple') return out;
  const open = issue.state === 'open';
  Object.assign(out, {
    merged: pull.merged,
    mergeable: open ? true : null,
    rebaseable: open ? true : null,
    mergeable_state: open ? (pull.draft ? 'draft' : 'clean') : 'unknown',
    merged_by: pull.mergedBy ? renderUser(urls, pull.mergedBy) : null,
    comments: stats?.comments ?? 0,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: stats?.commits ?? 1,
    additions: stats?.additions ?? 0,
    deletions: stats?.deletions ?? 0,
    changed_files: stats?.changedFiles ?? 0,
  });
  return out;
}

/** pull-request-minimal, as check runs list the pull requests of their head SHA. */
export function renderPullMinimal(urls: Urls, repo: RepoRecord, issue: IssueRecord, pull: PullRecord): Json {
  const u = repoApi(urls, repo);
  const repoRef = { id: repo.id, url: u, name: repo.name };
  return {
    id: issue.id + 500_000_000,
    number: issue.number,
    url: `${u}/pulls/${issue.number}`,
    head: { ref: pull.headRef, sha: pull.headSha, repo: repoRef },
    base: { ref: pull.baseRef, sha: pull.baseSha, repo: repoRef },
  };
}

export function renderDiffEntry(urls: Urls, repo: RepoRecord, headSha: string, f: DiffFile): Json {
  const path = encodePath(f.filename);
  const out: Json = {
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${repoHtml(urls, repo)}/blob/${headSha}/${path}`,
    raw_url: `${repoHtml(urls, repo)}/raw/${headSha}/${path}`,
    contents_url: `${repoApi(urls, repo)}/contents/${path}?ref=${headSha}`,
  };
  if (f.patch !== undefined) out['patch'] = f.patch;
  if (f.previousFilename !== undefined) out['previous_filename'] = f.previousFilename;
  return out;
}

export function renderCheckRun(urls: Urls, repo: RepoRecord, run: CheckRunRecord, pulls: readonly Json[]): Json {
  const u = repoApi(urls, repo);
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('CR', run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? '',
    url: `${u}/check-runs/${run.id}`,
    html_url: `${repoHtml(urls, repo)}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${repoHtml(urls, repo)}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: isoOrNull(run.startedAt),
    completed_at: isoOrNull(run.completedAt),
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${u}/check-runs/${run.id}/annotations`,
    },
    check_suite: { id: run.suiteId },
    app: renderApp(urls, run.creator),
    pull_requests: pulls,
  };
}

export function renderStatus(urls: Urls, repo: RepoRecord, s: StatusRecord): Json {
  return {
    url: `${repoApi(urls, repo)}/statuses/${s.sha}`,
    avatar_url: avatarUrl(s.creator),
    id: s.id,
    node_id: nodeId('SC', s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: iso(s.createdAt),
    updated_at: iso(s.createdAt),
    creator: renderUser(urls, s.creator),
  };
}

/** Latest status per context wins; any error/failure fails, any pending (or none) is pending. */
export function renderCombinedStatus(urls: Urls, repo: RepoRecord, sha: string, statuses: readonly StatusRecord[]): Json {
  const latest = new Map<string, StatusRecord>();
  for (const s of statuses) latest.set(s.context, s);
  const list = [...latest.values()];
  const state = list.some((s) => s.state === 'error' || s.state === 'failure')
    ? 'failure'
    : list.length === 0 || list.some((s) => s.state === 'pending')
      ? 'pending'
      : 'success';
  const u = repoApi(urls, repo);
  return {
    state,
    statuses: list.map((s) => {
      const { creator: _creator, ...simple } = renderStatus(urls, repo, s);
      return simple;
    }),
    sha,
    total_count: list.length,
    repository: renderRepo(urls, repo, 'minimal'),
    commit_url: `${u}/commits/${sha}`,
    url: `${u}/commits/${sha}/status`,
  };
}

export function renderGitRef(urls: Urls, repo: RepoRecord, ref: string, sha: string): Json {
  const u = repoApi(urls, repo);
  return {
    ref,
    node_id: nodeId('REF', `${fullName(repo)}:${ref}`),
    url: `${u}/git/${encodePath(ref)}`,
    object: { type: 'commit', sha, url: `${u}/git/commits/${sha}` },
  };
}

function contentLinks(urls: Urls, repo: RepoRecord, path: string, ref: string, sha: string, type: 'file' | 'dir'): Json {
  const self = `${repoApi(urls, repo)}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${repoApi(urls, repo)}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  const html = `${repoHtml(urls, repo)}/${type === 'file' ? 'blob' : 'tree'}/${encodePath(ref)}/${encodePath(path)}`;
  return {
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === 'file' ? `https://raw.githubusercontent.com/${fullName(repo)}/${encodePath(ref)}/${encodePath(path)}` : null,
    _links: { self, git, html },
  };
}

/** GitHub wraps base64 content at 60 characters, with a trailing newline. */
function wrapBase64(content: Buffer): string {
  const b64 = content.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 60) lines.push(b64.slice(i, i + 60));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function renderContentFile(urls: Urls, repo: RepoRecord, path: string, ref: string, blob: BlobRecord): Json {
  return {
    type: 'file',
    encoding: 'base64',
    size: blob.content.length,
    name: path.split('/').pop() ?? path,
    path,
    content: wrapBase64(blob.content),
    sha: blob.sha,
    ...contentLinks(urls, repo, path, ref, blob.sha, 'file'),
  };
}

export interface DirEntry {
  readonly name: string;
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly sha: string;
  readonly size: number;
}

export function renderDirEntry(urls: Urls, repo: RepoRecord, ref: string, e: DirEntry): Json {
  return { type: e.type, size: e.size, name: e.name, path: e.path, sha: e.sha, ...contentLinks(urls, repo, e.path, ref, e.sha, e.type) };
}

export function renderFileCommit(urls: Urls, repo: RepoRecord, commit: CommitRecord, file: { path: string; ref: string; blob: BlobRecord } | null): Json {
  const u = repoApi(urls, repo);
  const content = file
    ? (() => {
        const { content: _content, encoding: _encoding, ...meta } = renderContentFile(urls, repo, file.path, file.ref, file.blob);
        return meta;
      })()
    : null;
  const identity = (i: CommitRecord['author']) => ({ name: i.name, email: i.email, date: iso(i.date) });
  return {
    content,
    commit: {
      sha: commit.sha,
      node_id: nodeId('C', commit.sha),
      url: `${u}/git/commits/${commit.sha}`,
      html_url: `${repoHtml(urls, repo)}/commit/${commit.sha}`,
      author: identity(commit.author),
      committer: identity(commit.committer),
      message: commit.message,
      tree: { url: `${u}/git/trees/${commit.treeSha}`, sha: commit.treeSha },
      parents: commit.parents.map((p) => ({ url: `${u}/git/commits/${p}`, html_url: `${repoHtml(urls, repo)}/commit/${p}`, sha: p })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
  };
}

export function renderReview(urls: Urls, repo: RepoRecord, issue: IssueRecord, r: ReviewRecord): Json {
  const html = `${repoHtml(urls, repo)}/pull/${issue.number}#pullrequestreview-${r.id}`;
  const pr = `${repoApi(urls, repo)}/pulls/${issue.number}`;
  const out: Json = {
    id: r.id,
    node_id: nodeId('PRR', r.id),
    user: renderUser(urls, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: pr,
    _links: { html: { href: html }, pull_request: { href: pr } },
    commit_id: r.commitId,
    author_association: association(repo, r.user),
  };
  if (r.submittedAt !== undefined) out['submitted_at'] = iso(r.submittedAt);
  return out;
}
