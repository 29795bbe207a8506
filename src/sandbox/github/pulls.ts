import type { EmulatorServer } from '../emulator-kit/server.ts';
import { commitsBetween, diffTrees, mergeBase, requireCommit, treeAt } from './commits.ts';
import { created, intParam, repoOperation, type GitHubContext } from './context.ts';
import { fail, notFound, validationFailed } from './errors.ts';
import { bodyObject, optBoolean, optEnum, optNullableString, optString, queryEnum } from './input.ts';
import { checkBodyLength, closeIssue, commentCount, newIssue, reopenIssue } from './issues.ts';
import { paginate } from './pagination.ts';
import { repoApi } from './render-repo.ts';
import { renderDiffEntry, renderPull, renderReview, type PullStats } from './render.ts';
import type { DiffFile, IssueRecord, PullRecord, RepoRecord, ReviewRecord, ReviewState, UserRecord } from './store.ts';

/** GitHub lists at most 3,000 files of a pull request (NOTES §3.2). */
export const MAX_PULL_FILES = 3000;

export interface PullIssue {
  readonly issue: IssueRecord;
  readonly pull: PullRecord;
}

export function pulls(repo: RepoRecord): PullIssue[] {
  const out: PullIssue[] = [];
  for (const issue of repo.issues.values()) if (issue.pull) out.push({ issue, pull: issue.pull });
  return out;
}

export function requirePull(repo: RepoRecord, number: number): PullIssue {
  const issue = repo.issues.get(number);
  if (!issue?.pull) notFound();
  return { issue, pull: issue.pull };
}

/** An open PR's base follows its branch; a closed one keeps the base it had. */
function baseSha(repo: RepoRecord, p: PullIssue): string {
  return p.issue.state === 'open' ? (repo.branches.get(p.pull.baseRef) ?? p.pull.baseSha) : p.pull.baseSha;
}

export function pullFiles(repo: RepoRecord, p: PullIssue): DiffFile[] {
  if (p.pull.files) return p.pull.files;
  const base = baseSha(repo, p);
  const from = mergeBase(repo, base, p.pull.headSha) ?? base;
  return diffTrees(treeAt(repo, from), treeAt(repo, p.pull.headSha));
}

function stats(repo: RepoRecord, p: PullIssue): PullStats {
  const files = pullFiles(repo, p).slice(0, MAX_PULL_FILES);
  return {
    comments: commentCount(repo, p.issue.number),
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changedFiles: files.length,
    commits: Math.max(1, commitsBetween(repo, baseSha(repo, p), p.pull.headSha)),
  };
}

export function newPull(
  ctx: GitHubContext,
  repo: RepoRecord,
  init: { title: string; body: string | null; user: UserRecord; headRef: string; headSha: string; baseRef: string; draft: boolean; files?: DiffFile[]; maintainerCanModify?: boolean },
): PullIssue {
  const baseTip = repo.branches.get(init.baseRef);
  if (baseTip === undefined) throw new Error(`${repo.owner.login}/${repo.name}: base branch ${init.baseRef} does not exist`);
  const pull: PullRecord = {
    headRef: init.headRef,
    headSha: init.headSha,
    baseRef: init.baseRef,
    baseSha: baseTip,
    headShas: [init.headSha],
    files: init.files,
    draft: init.draft,
    maintainerCanModify: init.maintainerCanModify ?? false,
    merged: false,
    mergedAt: undefined,
    mergeCommitSha: null,
    mergedBy: null,
    reviews: [],
  };
  const issue = newIssue(ctx, repo, { title: init.title, body: init.body, user: init.user }, pull);
  return { issue, pull };
}

/** `branch` or `owner:branch`; forks are not modelled, so the owner must be the repository's. */
function headBranch(repo: RepoRecord, head: string): string | undefined {
  const i = head.indexOf(':');
  if (i < 0) return head;
  return head.slice(0, i).toLowerCase() === repo.owner.login.toLowerCase() ? head.slice(i + 1) : undefined;
}

const PR_PERMS = ['pull_requests'] as const;

export function registerPullRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  const full = (repo: RepoRecord, p: PullIssue) => {
    // The snapshot a reader sees carries the current base tip, as GitHub recomputes it.
    const pull = { ...p.pull, baseSha: baseSha(repo, p) };
    return renderPull(ctx.urls(), repo, p.issue, pull, 'full', stats(repo, p));
  };
  const simple = (repo: RepoRecord, p: PullIssue) => renderPull(ctx.urls(), repo, p.issue, { ...p.pull, baseSha: baseSha(repo, p) }, 'simple');

  repoOperation(server, ctx, { method: 'GET', template: '/repos/{owner}/{repo}/pulls', docs: 'pulls/pulls#list-pull-requests', needs: PR_PERMS, level: 'read' }, ({ req, repo }) => {
    const q = req.query;
    const state = queryEnum(q, 'state', ['open', 'closed', 'all'] as const, 'open');
    const sort = queryEnum(q, 'sort', ['created', 'updated', 'popularity', 'long-running'] as const, 'created');
    const direction = queryEnum(q, 'direction', ['asc', 'desc'] as const, sort === 'created' ? 'desc' : 'asc');
    const head = q.get('head');
    const base = q.get('base');
    let list = pulls(repo).filter((p) => state === 'all' || p.issue.state === state);
    if (head) list = list.filter((p) => `${repo.owner.login}:${p.pull.headRef}`.toLowerCase() === head.toLowerCase());
    if (base) list = list.filter((p) => p.pull.baseRef === base);
    const key = (p: PullIssue) => (sort === 'updated' ? p.issue.updatedAt : sort === 'popularity' ? commentCount(repo, p.issue.number) : p.issue.createdAt);
    list.sort((a, b) => (direction === 'asc' ? 1 : -1) * (key(a) - key(b) || a.issue.number - b.issue.number));
    const page = paginate(req, ctx.urls().api, list);
    return { status: 200, body: page.items.map((p) => simple(repo, p)), headers: page.headers };
  });

  repoOperation(server, ctx, { method: 'POST', template: '/repos/{owner}/{repo}/pulls', docs: 'pulls/pulls#create-a-pull-request', needs: PR_PERMS, level: 'write' }, ({ req, repo, user }) => {
    const o = bodyObject(req.body);
    const title = optString(o, 'title');
    const headInput = optString(o, 'head');
    const baseRef = optString(o, 'base');
    const body = optNullableString(o, 'body') ?? null;
    const draft = optBoolean(o, 'draft') ?? false;
    const maintainerCanModify = optBoolean(o, 'maintainer_can_modify') ?? true;
    if (headInput === undefined) validationFailed({ resource: 'PullRequest', field: 'head', code: 'missing_field' });
    if (baseRef === undefined) validationFailed({ resource: 'PullRequest', field: 'base', code: 'missing_field' });
    if (title === undefined || title.trim() === '') validationFailed({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
    checkBodyLength(body, 'PullRequest');
    const headRef = headBranch(repo, headInput);
    const headSha = headRef === undefined ? undefined : repo.branches.get(headRef);
    if (headRef === undefined || headSha === undefined) validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
    const baseTip = repo.branches.get(baseRef) ?? validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (pulls(repo).some((p) => p.issue.state === 'open' && p.pull.headRef === headRef && p.pull.baseRef === baseRef)) {
      validationFailed({ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner.login}:${headRef}.` });
    }
    if (commitsBetween(repo, baseTip, headSha) === 0) {
      validationFailed({ resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${headRef}` });
    }
    const p = newPull(ctx, repo, { title, body, user, headRef, headSha, baseRef, draft, maintainerCanModify });
    return created(full(repo, p), `${repoApi(ctx.urls(), repo)}/pulls/${p.issue.number}`);
  });

  const one = '/repos/{owner}/{repo}/pulls/{pull_number}';
  repoOperation(server, ctx, { method: 'GET', template: one, docs: 'pulls/pulls#get-a-pull-request', needs: PR_PERMS, level: 'read' }, ({ req, repo }) => {
    return { status: 200, body: full(repo, requirePull(repo, intParam(req, 'pull_number'))) };
  });

  repoOperation(server, ctx, { method: 'PATCH', template: one, docs: 'pulls/pulls#update-a-pull-request', needs: PR_PERMS, level: 'write' }, ({ req, repo, user }) => {
    const p = requirePull(repo, intParam(req, 'pull_number'));
    const o = bodyObject(req.body);
    const title = optString(o, 'title');
    const body = optNullableString(o, 'body');
    checkBodyLength(body, 'PullRequest');
    const state = optEnum(o, 'state', ['open', 'closed'] as const);
    const base = optString(o, 'base');
    const mcm = optBoolean(o, 'maintainer_can_modify');
    if (base !== undefined && !repo.branches.has(base)) validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (state === 'open' && p.issue.state === 'closed') {
      if (p.pull.merged) validationFailed({ resource: 'PullRequest', field: 'state', code: 'invalid', message: 'state cannot be changed. The pull request cannot be reopened because it has been merged.' });
      reopenIssue(ctx, p.issue);
    } else if (state === 'closed' && p.issue.state === 'open') {
      p.pull.baseSha = baseSha(repo, p);
      closeIssue(ctx, p.issue, user, 'completed');
    }
    if (title !== undefined) p.issue.title = title;
    if (body !== undefined) p.issue.body = body;
    if (base !== undefined) {
      p.pull.baseRef = base;
      p.pull.baseSha = repo.branches.get(base)!;
    }
    if (mcm !== undefined) p.pull.maintainerCanModify = mcm;
    p.issue.updatedAt = ctx.clock.stamp();
    return { status: 200, body: full(repo, p) };
  });

  repoOperation(server, ctx, { method: 'GET', template: `${one}/files`, docs: 'pulls/pulls#list-pull-requests-files', needs: PR_PERMS, level: 'read' }, ({ req, repo }) => {
    const p = requirePull(repo, intParam(req, 'pull_number'));
    const page = paginate(req, ctx.urls().api, pullFiles(repo, p).slice(0, MAX_PULL_FILES));
    return { status: 200, body: page.items.map((f) => renderDiffEntry(ctx.urls(), repo, p.pull.headSha, f)), headers: page.headers };
  });

  registerReviewRoutes(server, ctx);

  repoOperation(
    server,
    ctx,
    { method: 'GET', template: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', docs: 'commits/commits#list-pull-requests-associated-with-a-commit', needs: ['pull_requests', 'contents'], level: 'read' },
    ({ req, repo }) => {
      const sha = req.params['commit_sha'] ?? '';
      requireCommit(repo, sha);
      // A merge commit names the PR it merged; otherwise every PR that had it as a head.
      const merged = pulls(repo).filter((p) => p.pull.mergeCommitSha === sha);
      const list = merged.length > 0 ? merged : pulls(repo).filter((p) => p.pull.headShas.includes(sha));
      list.sort((a, b) => b.issue.number - a.issue.number);
      const page = paginate(req, ctx.urls().api, list);
      return { status: 200, body: page.items.map((p) => simple(repo, p)), headers: page.headers };
    },
  );
}

const REVIEW_STATES: Record<string, ReviewState> = { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' };

function unprocessable(message: string): never {
  // validation-error-simple: errors are plain strings here.
  return fail(422, 'Unprocessable Entity', { errors: [message] });
}

function registerReviewRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  const template = '/repos/{owner}/{repo}/pulls/{pull_number}/reviews';
  const json = (repo: RepoRecord, issue: IssueRecord, r: ReviewRecord) => renderReview(ctx.urls(), repo, issue, r);

  repoOperation(server, ctx, { method: 'GET', template, docs: 'pulls/reviews#list-reviews-for-a-pull-request', needs: PR_PERMS, level: 'read' }, ({ req, repo }) => {
    const p = requirePull(repo, intParam(req, 'pull_number'));
    const page = paginate(req, ctx.urls().api, p.pull.reviews);
    return { status: 200, body: page.items.map((r) => json(repo, p.issue, r)), headers: page.headers };
  });

  repoOperation(server, ctx, { method: 'POST', template, docs: 'pulls/reviews#create-a-review-for-a-pull-request', needs: PR_PERMS, level: 'write' }, ({ req, repo, user }) => {
    const p = requirePull(repo, intParam(req, 'pull_number'));
    const o = bodyObject(req.body);
    const event = optEnum(o, 'event', ['APPROVE', 'REQUEST_CHANGES', 'COMMENT'] as const);
    const body = optString(o, 'body') ?? '';
    const commitId = optString(o, 'commit_id') ?? p.pull.headSha;
    requireCommit(repo, commitId);
    const own = p.issue.user.id === user.id;
    if (event === 'APPROVE' && own) unprocessable('Can not approve your own pull request');
    if (event === 'REQUEST_CHANGES' && own) unprocessable('Can not request changes on your own pull request');
    if ((event === 'REQUEST_CHANGES' || event === 'COMMENT') && body.trim() === '' && o['comments'] === undefined) unprocessable("Body can't be blank");
    if (event === undefined && p.pull.reviews.some((r) => r.state === 'PENDING' && r.user.id === user.id)) {
      unprocessable('User can only have one pending review per pull request');
    }
    const review: ReviewRecord = {
      id: ctx.ids.next('review'),
      user,
      body,
      state: event ? REVIEW_STATES[event]! : 'PENDING',
      commitId,
      submittedAt: event ? ctx.clock.stamp() : undefined,
    };
    p.pull.reviews.push(review);
    // The spec documents 200 here, not 201.
    return { status: 200, body: json(repo, p.issue, review) };
  });
}
