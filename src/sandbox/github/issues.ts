import type { EmulatorServer } from '../emulator-kit/server.ts';
import { created, intParam, repoOperation, type GitHubContext } from './context.ts';
import { fail, invalidRequest, notFound, validationFailed } from './errors.ts';
import { bodyObject, charLength, isObject, optEnum, optNullableString, optStringArray, queryEnum, querySince, type Obj } from './input.ts';
import { paginate } from './pagination.ts';
import { renderIssue, renderLabel } from './render.ts';
import type { IssueRecord, LabelRecord, RepoRecord, UserRecord } from './store.ts';

export const MAX_BODY_CHARS = 65_536;

/** Issue and PR numbers share one sequence; issue endpoints serve both. */
export function requireIssue(repo: RepoRecord, number: number): IssueRecord {
  return repo.issues.get(number) ?? notFound();
}

export function commentCount(repo: RepoRecord, number: number): number {
  let n = 0;
  for (const c of repo.comments.values()) if (c.issueNumber === number) n++;
  return n;
}

export function openIssueCount(repo: RepoRecord): number {
  let n = 0;
  for (const i of repo.issues.values()) if (i.state === 'open') n++;
  return n;
}

/** GitHub's limit on issue, PR and comment bodies (NOTES §3.3), in characters. */
export function checkBodyLength(body: string | null | undefined, resource: string): void {
  if (body === null || body === undefined || body.length <= MAX_BODY_CHARS) return;
  if (charLength(body) > MAX_BODY_CHARS) {
    validationFailed({ resource, field: 'body', code: 'custom', message: `body is too long (maximum is ${MAX_BODY_CHARS} characters)` });
  }
}

export function newIssue(ctx: GitHubContext, repo: RepoRecord, init: { title: string; body: string | null; user: UserRecord; labels?: LabelRecord[]; assignees?: UserRecord[] }, pull?: IssueRecord['pull']): IssueRecord {
  const now = ctx.clock.stamp();
  const issue: IssueRecord = {
    id: ctx.ids.next('issue'),
    number: repo.nextNumber++,
    title: init.title,
    body: init.body,
    state: 'open',
    stateReason: null,
    user: init.user,
    labels: init.labels ?? [],
    assignees: init.assignees ?? [],
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: undefined,
    closedBy: null,
    reactions: [],
    pull,
  };
  repo.issues.set(issue.number, issue);
  return issue;
}

/** Setting a label that does not exist creates it, as GitHub does for users with push access. */
export function labelsByName(ctx: GitHubContext, repo: RepoRecord, names: readonly string[]): LabelRecord[] {
  const out: LabelRecord[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') validationFailed({ resource: 'Label', field: 'name', code: 'missing_field' });
    let label = repo.labels.get(name.toLowerCase());
    if (!label) {
      label = { id: ctx.ids.next('label'), name, color: 'ededed', description: null, isDefault: false };
      repo.labels.set(name.toLowerCase(), label);
    }
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

/** `labels` items are names or `{name}` objects. */
function labelNames(v: unknown, key = 'labels'): string[] {
  if (!Array.isArray(v)) invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not an array.`);
  return v.map((item) => {
    if (typeof item === 'string') return item;
    if (isObject(item) && typeof item['name'] === 'string') return item['name'];
    return invalidRequest(`For 'items', ${JSON.stringify(item)} is not a string or an object with a name.`);
  });
}

function titleOf(o: Obj, required: boolean): string | undefined {
  const v = o['title'];
  if (v === undefined || v === null) {
    if (required) invalidRequest(`"title" wasn't supplied.`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') invalidRequest(`For 'properties/title', ${JSON.stringify(v)} is not a string or integer.`);
  const title = String(v);
  if (title.trim() === '') validationFailed({ resource: 'Issue', field: 'title', code: 'missing_field' });
  return title;
}

function assigneesOf(ctx: GitHubContext, o: Obj): UserRecord[] | undefined {
  const list = optStringArray(o, 'assignees');
  const single = optNullableString(o, 'assignee');
  if (list !== undefined) return list.map((login) => ctx.store.user(login));
  if (single === null) return [];
  return single === undefined ? undefined : [ctx.store.user(single)];
}

export function closeIssue(ctx: GitHubContext, issue: IssueRecord, by: UserRecord, reason: IssueRecord['stateReason']): void {
  const now = ctx.clock.stamp();
  issue.state = 'closed';
  issue.stateReason = reason ?? 'completed';
  issue.closedAt = now;
  issue.closedBy = by;
  issue.updatedAt = now;
}

export function reopenIssue(ctx: GitHubContext, issue: IssueRecord): void {
  issue.state = 'open';
  issue.stateReason = 'reopened';
  issue.closedAt = undefined;
  issue.closedBy = null;
  issue.updatedAt = ctx.clock.stamp();
}

const ISSUE_PERMS = ['issues', 'pull_requests'] as const;

export function registerIssueRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  const issueJson = (repo: RepoRecord, i: IssueRecord) => renderIssue(ctx.urls(), repo, i, commentCount(repo, i.number));

  repoOperation(server, ctx, { method: 'GET', template: '/repos/{owner}/{repo}/issues', docs: 'issues/issues#list-repository-issues', needs: ['issues'], level: 'read' }, ({ req, repo }) => {
    const q = req.query;
    const state = queryEnum(q, 'state', ['open', 'closed', 'all'] as const, 'open');
    const sort = queryEnum(q, 'sort', ['created', 'updated', 'comments'] as const, 'created');
    const direction = queryEnum(q, 'direction', ['asc', 'desc'] as const, 'desc');
    const wanted = (q.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
    const creator = q.get('creator')?.toLowerCase();
    const since = querySince(q);
    let issues = [...repo.issues.values()].filter((i) => state === 'all' || i.state === state);
    if (wanted.length > 0) issues = issues.filter((i) => wanted.every((w) => i.labels.some((l) => l.name.toLowerCase() === w)));
    if (creator) issues = issues.filter((i) => i.user.login.toLowerCase() === creator);
    if (since !== undefined) issues = issues.filter((i) => i.updatedAt >= since);
    const key = (i: IssueRecord) => (sort === 'created' ? i.createdAt : sort === 'updated' ? i.updatedAt : commentCount(repo, i.number));
    issues.sort((a, b) => (direction === 'asc' ? 1 : -1) * (key(a) - key(b) || a.number - b.number));
    const page = paginate(req, ctx.urls().api, issues);
    return { status: 200, body: page.items.map((i) => issueJson(repo, i)), headers: page.headers };
  });

  repoOperation(server, ctx, { method: 'POST', template: '/repos/{owner}/{repo}/issues', docs: 'issues/issues#create-an-issue', needs: ['issues'], level: 'write' }, ({ req, repo, user }) => {
    if (!repo.settings.hasIssues) fail(410, 'Issues are disabled for this repo');
    const o = bodyObject(req.body);
    const title = titleOf(o, true)!;
    const body = optNullableString(o, 'body') ?? null;
    checkBodyLength(body, 'Issue');
    const labels = o['labels'] === undefined ? [] : labelsByName(ctx, repo, labelNames(o['labels']));
    const issue = newIssue(ctx, repo, { title, body, user, labels, assignees: assigneesOf(ctx, o) ?? [] });
    return created(issueJson(repo, issue), `${ctx.urls().api}/repos/${repo.owner.login}/${repo.name}/issues/${issue.number}`);
  });

  repoOperation(server, ctx, { method: 'GET', template: '/repos/{owner}/{repo}/issues/{issue_number}', docs: 'issues/issues#get-an-issue', needs: ISSUE_PERMS, level: 'read' }, ({ req, repo }) => {
    return { status: 200, body: issueJson(repo, requireIssue(repo, intParam(req, 'issue_number'))) };
  });

  repoOperation(server, ctx, { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/{issue_number}', docs: 'issues/issues#update-an-issue', needs: ISSUE_PERMS, level: 'write' }, ({ req, repo, user }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    const o = bodyObject(req.body);
    const title = titleOf(o, false);
    const body = optNullableString(o, 'body');
    checkBodyLength(body, 'Issue');
    const state = optEnum(o, 'state', ['open', 'closed'] as const);
    const reason = o['state_reason'] === null ? null : optEnum(o, 'state_reason', ['completed', 'not_planned', 'duplicate', 'reopened'] as const);
    const labels = o['labels'] === undefined ? undefined : labelsByName(ctx, repo, labelNames(o['labels']));
    const assignees = assigneesOf(ctx, o);
    if (title !== undefined) issue.title = title;
    if (body !== undefined) issue.body = body;
    if (labels !== undefined) issue.labels = labels;
    if (assignees !== undefined) issue.assignees = assignees;
    if (state === 'closed' && issue.state === 'open') closeIssue(ctx, issue, user, reason ?? null);
    else if (state === 'open' && issue.state === 'closed') {
      if (issue.pull?.merged) validationFailed({ resource: 'Issue', field: 'state', code: 'invalid', message: 'state cannot be changed. The pull request cannot be reopened because it has been merged.' });
      reopenIssue(ctx, issue);
    }
    issue.updatedAt = ctx.clock.stamp();
    return { status: 200, body: issueJson(repo, issue) };
  });

  registerLabelRoutes(server, ctx);
}

function registerLabelRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  const template = '/repos/{owner}/{repo}/issues/{issue_number}/labels';
  const labelsJson = (repo: RepoRecord, labels: readonly LabelRecord[]) => labels.map((l) => renderLabel(ctx.urls(), repo, l));
  // Octokit sends {labels: [...]}; GitHub also takes a bare array.
  const namesFrom = (body: unknown): string[] => labelNames(Array.isArray(body) ? body : (bodyObject(body)['labels'] ?? []));

  repoOperation(server, ctx, { method: 'GET', template, docs: 'issues/labels#list-labels-for-an-issue', needs: ISSUE_PERMS, level: 'read' }, ({ req, repo }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    const page = paginate(req, ctx.urls().api, issue.labels);
    return { status: 200, body: labelsJson(repo, page.items), headers: page.headers };
  });

  repoOperation(server, ctx, { method: 'POST', template, docs: 'issues/labels#add-labels-to-an-issue', needs: ISSUE_PERMS, level: 'write' }, ({ req, repo }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    const added = labelsByName(ctx, repo, namesFrom(req.body));
    issue.labels = [...issue.labels, ...added.filter((l) => !issue.labels.includes(l))];
    issue.updatedAt = ctx.clock.stamp();
    return { status: 200, body: labelsJson(repo, issue.labels) };
  });

  repoOperation(server, ctx, { method: 'PUT', template, docs: 'issues/labels#set-labels-for-an-issue', needs: ISSUE_PERMS, level: 'write' }, ({ req, repo }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    issue.labels = labelsByName(ctx, repo, namesFrom(req.body));
    issue.updatedAt = ctx.clock.stamp();
    return { status: 200, body: labelsJson(repo, issue.labels) };
  });

  repoOperation(server, ctx, { method: 'DELETE', template, docs: 'issues/labels#remove-all-labels-from-an-issue', needs: ISSUE_PERMS, level: 'write' }, ({ req, repo }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    issue.labels = [];
    issue.updatedAt = ctx.clock.stamp();
    return { status: 204 };
  });
}
