import { readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_CONTENT_TYPE } from '../../src/sandbox/emulator-kit/json-http.ts';
import { describeCheck, OpenApiValidator, type OpenApiDocument } from '../../src/sandbox/emulator-kit/openapi-validator.ts';
import type { ResponseRecord } from '../../src/sandbox/emulator-kit/server.ts';
import { createGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from '../../src/sandbox/github/emulator.ts';
import type { GitHubRepoHandle } from '../../src/sandbox/github/seed.ts';

// Every call goes through the real @octokit/rest (and @actions/github's getOctokit), and every
// response the emulators give is checked against GitHub's own OpenAPI description (the subset
// in contracts/). Error statuses an operation does not document are checked against GitHub's
// error schemas instead, so no response escapes a contract check.

const contracts = new URL('../../../shared/contracts/', import.meta.url);
const spec = JSON.parse(readFileSync(new URL('github-api.subset.json', contracts), 'utf8')) as OpenApiDocument & {
  components: Record<string, unknown>;
};
const validator = new OpenApiValidator(spec);
const schemaRef = (name: string) => ({ description: name, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });
// GitHub documents 401, 403 (rate limits), 5xx... globally, not per operation: check those bodies against its error schemas.
const errorValidator = new OpenApiValidator({
  openapi: '3.0.3',
  paths: {
    '/basic-error': { get: { responses: { default: schemaRef('basic-error') } } },
    '/validation-error': { get: { responses: { default: schemaRef('validation-error') } } },
  },
  components: spec.components,
});

/** Operations of the subset the emulator deliberately does not serve. */
const NOT_IMPLEMENTED: string[] = [];

const TOKEN = 'ghs_actions_token';
const READER = 'ghs_read_only';
const PAT = 'github_pat_developer';
const NARROW = 'ghs_least_privilege';
const OWNER = 'acme';
const REPO = 'infra';
// Routes as plain strings: Octokit's types would not let a test leave out a required field.
const UNTYPED_CREATE_COMMENT: string = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const UNTYPED_CREATE_ISSUE: string = 'POST /repos/{owner}/{repo}/issues';
const RATE_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset', 'x-ratelimit-resource'];

const contractViolations: string[] = [];
const undocumented = new Set<string>();
const exercised = new Set<string>();
const statusesSeen = new Set<string>();

function checkResponse(r: ResponseRecord): void {
  const where = `${r.method} ${r.path} → ${r.status}`;
  if (r.route) {
    exercised.add(`${r.method} ${r.route}`);
    statusesSeen.add(`${r.method} ${r.route} ${r.status}`);
  }
  if (r.body !== undefined && r.headers['content-type'] !== JSON_CONTENT_TYPE) contractViolations.push(`${where}: content-type ${r.headers['content-type']}`);
  // Injected faults stand in for a proxy or load balancer; everything else is the API and carries the primary limit.
  if (r.fault === undefined) {
    for (const h of RATE_HEADERS) if (r.headers[h] === undefined) contractViolations.push(`${where}: missing ${h}`);
  }
  if (r.status >= 400) {
    const body = r.body as Record<string, unknown> | undefined;
    if (typeof body?.['message'] !== 'string' || typeof body['documentation_url'] !== 'string') contractViolations.push(`${where}: error body lacks message/documentation_url`);
  }
  const check = validator.validateResponse(r.method, r.path, r.status, r.body);
  if (check.kind === 'invalid') contractViolations.push(`${where}: ${describeCheck(check)}`);
  if (check.kind === 'no-operation') undocumented.add(`${r.method} ${r.route ?? r.path}`);
  if (check.kind === 'undocumented-status') {
    if (r.status < 300) {
      contractViolations.push(`${where}: ${describeCheck(check)}`);
    } else {
      const errorCheck = errorValidator.validateResponse('GET', r.status === 422 ? '/validation-error' : '/basic-error', r.status, r.body);
      if (errorCheck.kind !== 'valid') contractViolations.push(`${where} (as an error): ${describeCheck(errorCheck)}`);
    }
  }
}

function watch(emulator: GitHubEmulator): void {
  emulator.onResponse((r) => {
    try {
      checkResponse(r);
    } catch (err) {
      // The emulator would only log a listener crash; a broken check must fail the suite.
      contractViolations.push(`${r.method} ${r.path}: contract check crashed: ${String(err)}`);
    }
  });
}

const started: GitHubEmulator[] = [];
async function startEmulator(options: Partial<GitHubEmulatorOptions> = {}): Promise<{ emulator: GitHubEmulator; url: string; octokit: Octokit; repo: GitHubRepoHandle }> {
  const emulator = createGitHubEmulator({
    tokens: [
      TOKEN,
      { token: READER, user: { login: 'reader[bot]', type: 'Bot' }, permissions: 'read' },
      { token: PAT, user: { login: 'dev-user' } },
      // What a plan job's workflow grants: comment and check, read code, nothing else.
      { token: NARROW, user: { login: 'planner[bot]', type: 'Bot' }, permissions: { contents: 'read', pull_requests: 'write', checks: 'write' }, repos: { 'acme/secret': 'none' } },
    ],
    repos: [`${OWNER}/${REPO}`, 'acme/secret'],
    ...options,
  });
  watch(emulator);
  const { url } = await emulator.start();
  started.push(emulator);
  return { emulator, url, octokit: client(url, TOKEN), repo: emulator.repo(`${OWNER}/${REPO}`) };
}

function client(url: string, auth: string): Octokit {
  // No retries or throttling plugins in @octokit/rest: every status reaches the test as is.
  return new Octokit({ auth, baseUrl: url, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
}

interface HttpFailure {
  status: number;
  data: Record<string, unknown>;
  headers: Record<string, string | number | undefined>;
}

async function httpError(p: Promise<unknown>): Promise<HttpFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const e = err as { status?: number; response?: { data?: unknown; headers?: Record<string, string | number | undefined> } } | undefined;
  if (typeof e?.status !== 'number') throw new Error(`expected an HTTP error, got ${String(err)}`);
  return { status: e.status, data: (e.response?.data ?? {}) as Record<string, unknown>, headers: e.response?.headers ?? {} };
}

let emulator: GitHubEmulator;
let url: string;
let octokit: Octokit;
let repo: GitHubRepoHandle;
const base = { owner: OWNER, repo: REPO };

beforeAll(async () => {
  // The shared emulator posts hundreds of comments; the secondary limit has tests of its own.
  ({ emulator, url, octokit, repo } = await startEmulator({ secondaryLimitPerMinute: 100_000 }));
});

afterAll(async () => {
  await Promise.all(started.map((e) => e.stop()));
});

describe('sticky plan comment', () => {
  const MARKER = '<!-- shipyard:plan env=production fingerprint=abc123 -->';

  it('paginates 250 comments with octokit.paginate and finds the one with the hidden marker', async () => {
    const pr = repo.openPullRequest({ head: 'feature/many-comments', files: ['secrets/production.yaml'] });
    for (let i = 0; i < 250; i++) {
      await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: i === 217 ? `${MARKER}\n## Plan\n2 to add` : `chatter ${i}` });
    }
    const before = emulator.requests.count({ route: '/repos/{owner}/{repo}/issues/{issue_number}/comments', method: 'GET' });
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...base, issue_number: pr.number, per_page: 100 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.id)).size).toBe(250);
    expect(all.map((c) => c.body)).toEqual(repo.comments(pr.number).map((c) => c.body));
    expect(emulator.requests.count({ route: '/repos/{owner}/{repo}/issues/{issue_number}/comments', method: 'GET' }) - before).toBe(3);

    const sticky = all.filter((c) => c.body?.includes(MARKER));
    expect(sticky).toHaveLength(1);
    expect(sticky[0]).toMatchObject({ body: `${MARKER}\n## Plan\n2 to add`, user: { login: 'github-actions[bot]', type: 'Bot' }, author_association: 'NONE' });
    expect(sticky[0]?.html_url).toBe(`https://github.com/${OWNER}/${REPO}/pull/${pr.number}#issuecomment-${sticky[0]?.id}`);
  });

  it('link header: rel next/last on the first page, prev/first on the last, per_page capped at 100', async () => {
    const pr = repo.openPullRequest({ head: 'feature/links' });
    for (let i = 0; i < 5; i++) await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: `c${i}` });
    const first = await octokit.rest.issues.listComments({ ...base, issue_number: pr.number, per_page: 2 });
    expect(first.data.map((c) => c.body)).toEqual(['c0', 'c1']);
    const path = `/repos/${OWNER}/${REPO}/issues/${pr.number}/comments`;
    expect(first.headers.link).toBe(`<${url}${path}?per_page=2&page=2>; rel="next", <${url}${path}?per_page=2&page=3>; rel="last"`);
    const last = await octokit.rest.issues.listComments({ ...base, issue_number: pr.number, per_page: 2, page: 3 });
    expect(last.data.map((c) => c.body)).toEqual(['c4']);
    expect(last.headers.link).toBe(`<${url}${path}?per_page=2&page=2>; rel="prev", <${url}${path}?per_page=2&page=1>; rel="first"`);
    const capped = await octokit.rest.issues.listComments({ ...base, issue_number: pr.number, per_page: 500 });
    expect(capped.data).toHaveLength(5);
    expect(capped.headers.link).toBeUndefined();
  });

  it('creates (201 + location), updates, and deletes (204) a comment', async () => {
    const pr = repo.openPullRequest({ head: 'feature/crud' });
    const made = await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: `${MARKER}\nfirst` });
    expect(made.status).toBe(201);
    expect(made.headers.location).toBe(`${url}/repos/${OWNER}/${REPO}/issues/comments/${made.data.id}`);
    expect(made.data.issue_url).toBe(`${url}/repos/${OWNER}/${REPO}/issues/${pr.number}`);

    const updated = await octokit.rest.issues.updateComment({ ...base, comment_id: made.data.id, body: `${MARKER}\nsecond` });
    expect(updated.status).toBe(200);
    expect(updated.data.body).toBe(`${MARKER}\nsecond`);
    expect(repo.comments(pr.number).map((c) => c.body)).toEqual([`${MARKER}\nsecond`]);
    expect((await octokit.rest.issues.getComment({ ...base, comment_id: made.data.id })).data.body).toBe(`${MARKER}\nsecond`);
    expect((await octokit.rest.issues.get({ ...base, issue_number: pr.number })).data.comments).toBe(1);

    const deleted = await octokit.rest.issues.deleteComment({ ...base, comment_id: made.data.id });
    expect(deleted.status).toBe(204);
    expect(repo.comments(pr.number)).toEqual([]);
    const gone = await httpError(octokit.rest.issues.getComment({ ...base, comment_id: made.data.id }));
    expect(gone.status).toBe(404);
    expect(gone.data).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment', status: '404' });
    expect((await httpError(octokit.rest.issues.deleteComment({ ...base, comment_id: made.data.id }))).status).toBe(404);
  });

  it('answers 404 for unknown repositories and issues', async () => {
    expect((await httpError(octokit.rest.issues.createComment({ owner: OWNER, repo: 'nope', issue_number: 1, body: 'x' }))).status).toBe(404);
    expect((await httpError(octokit.rest.issues.listComments({ ...base, issue_number: 9999 }))).status).toBe(404);
    expect((await httpError(octokit.rest.issues.get({ ...base, issue_number: 9999 }))).data['message']).toBe('Not Found');
  });

  it('refuses bodies over 65,536 characters with GitHub validation error, counting characters not UTF-16 units', async () => {
    const pr = repo.openPullRequest({ head: 'feature/size' });
    const exact = await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'x'.repeat(65_536) });
    expect(exact.status).toBe(201);
    // 65,536 emoji are 131,072 UTF-16 units but 65,536 characters: allowed.
    expect((await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: '🚀'.repeat(65_536) })).status).toBe(201);

    const tooLong = await httpError(octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'x'.repeat(65_537) }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.data).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', field: 'body', code: 'custom', message: 'body is too long (maximum is 65536 characters)' }],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    });
    const patch = await httpError(octokit.rest.issues.updateComment({ ...base, comment_id: exact.data.id, body: 'y'.repeat(70_000) }));
    expect(patch.status).toBe(422);
    expect(repo.comments(pr.number)).toHaveLength(2);
    expect(repo.comments(pr.number)[0]?.body).toBe('x'.repeat(65_536));

    const missing = await httpError(octokit.request(UNTYPED_CREATE_COMMENT, { ...base, issue_number: pr.number }));
    expect(missing).toMatchObject({ status: 422, data: { message: 'Invalid request.\n\n"body" wasn\'t supplied.' } });
  });
});

describe('pull requests', () => {
  it('finds the pull request of a merge commit, and of an earlier head', async () => {
    const pr = repo.openPullRequest({ head: 'feature/merge-me', headSha: 'a'.repeat(40), contents: { 'environments/staging.yaml': 'replicas: 2\n' } });
    const pushed = repo.pushToPullRequest(pr.number, { contents: { 'environments/staging.yaml': 'replicas: 3\n' } });
    const mergeSha = repo.mergePullRequest(pr.number, 'b'.repeat(40));
    expect(mergeSha).toBe('b'.repeat(40));
    expect(repo.branch('main')).toBe(mergeSha);
    expect(repo.file('environments/staging.yaml')).toBe('replicas: 3\n');

    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: mergeSha });
    expect(data.map((p) => [p.number, p.state, p.merge_commit_sha, p.head.sha, p.base.ref])).toEqual([[pr.number, 'closed', mergeSha, pushed, 'main']]);
    expect(data[0]?.merged_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/));
    const byOldHead = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: 'a'.repeat(40) });
    expect(byOldHead.data.map((p) => p.number)).toEqual([pr.number]);

    const full = await octokit.rest.pulls.get({ ...base, pull_number: pr.number });
    expect(full.data).toMatchObject({ merged: true, state: 'closed', merge_commit_sha: mergeSha, changed_files: 1, commits: 2, mergeable: null });
    const unknown = await httpError(octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: 'c'.repeat(40) }));
    expect(unknown).toMatchObject({ status: 422, data: { message: `No commit found for SHA: ${'c'.repeat(40)}` } });
  });

  it('gets a PR with head.sha and base, and lists open PRs filtered by head', async () => {
    const pr = repo.openPullRequest({ head: 'feature/get', title: 'Add staging', body: 'plan me', files: ['a.yaml', { filename: 'b.yaml', status: 'added', additions: 10 }] });
    const { data } = await octokit.rest.pulls.get({ ...base, pull_number: pr.number });
    expect(data).toMatchObject({
      number: pr.number,
      state: 'open',
      title: 'Add staging',
      body: 'plan me',
      merged: false,
      mergeable: true,
      head: { ref: 'feature/get', sha: pr.headSha, label: `${OWNER}:feature/get`, repo: { full_name: `${OWNER}/${REPO}` } },
      base: { ref: 'main', sha: repo.branch('main') },
      user: { login: 'shipyard-dev' },
      additions: 11,
      changed_files: 2,
    });
    const listed = await octokit.rest.pulls.list({ ...base, head: `${OWNER}:feature/get` });
    expect(listed.data.map((p) => p.number)).toEqual([pr.number]);
    const issue = await octokit.rest.issues.get({ ...base, issue_number: pr.number });
    expect(issue.data.pull_request?.url).toBe(`${url}/repos/${OWNER}/${REPO}/pulls/${pr.number}`);
    const notPull = await octokit.rest.issues.create({ ...base, title: 'plain issue' });
    expect((await httpError(octokit.rest.pulls.get({ ...base, pull_number: notPull.data.number }))).status).toBe(404);
  });

  it('paginates pulls.listFiles and stops at 3,000 files', async () => {
    const files = Array.from({ length: 3_500 }, (_, i) => `ventures/v${String(i).padStart(4, '0')}.yaml`);
    const big = repo.openPullRequest({ head: 'feature/huge', files });
    const first = await octokit.rest.pulls.listFiles({ ...base, pull_number: big.number, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.data[0]).toMatchObject({ filename: 'ventures/v0000.yaml', status: 'modified', additions: 1, deletions: 0, changes: 1 });
    expect(first.data[0]?.blob_url).toBe(`https://github.com/${OWNER}/${REPO}/blob/${big.headSha}/ventures/v0000.yaml`);
    expect(first.headers.link).toContain('page=30>; rel="last"');
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, { ...base, pull_number: big.number, per_page: 100 });
    expect(all).toHaveLength(3_000);
    expect(all.at(-1)?.filename).toBe('ventures/v2999.yaml');
    expect((await octokit.rest.pulls.get({ ...base, pull_number: big.number })).data.changed_files).toBe(3_000);

    const small = repo.openPullRequest({ head: 'feature/small', files: Array.from({ length: 45 }, (_, i) => `f${i}.yaml`) });
    const pages: number[] = [];
    for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, { ...base, pull_number: small.number, per_page: 20 })) pages.push(page.data.length);
    expect(pages).toEqual([20, 20, 5]);
  });

  it('creates a PR through the API from a branch with a committed file; files come from the trees', async () => {
    const mainSha = repo.branch('main')!;
    await octokit.rest.git.createRef({ ...base, ref: 'refs/heads/feature/api-pr', sha: mainSha });
    await octokit.rest.repos.createOrUpdateFileContents({ ...base, path: 'ventures/new.yaml', branch: 'feature/api-pr', message: 'add venture', content: Buffer.from('name: new\nplan: free\n').toString('base64') });
    const made = await octokit.rest.pulls.create({ ...base, head: 'feature/api-pr', base: 'main', title: 'New venture' });
    expect(made.status).toBe(201);
    expect(made.data).toMatchObject({ head: { ref: 'feature/api-pr', sha: repo.branch('feature/api-pr') }, additions: 2, deletions: 0, changed_files: 1, commits: 1, maintainer_can_modify: true });
    const files = await octokit.rest.pulls.listFiles({ ...base, pull_number: made.data.number });
    expect(files.data.map((f) => [f.filename, f.status, f.additions])).toEqual([['ventures/new.yaml', 'added', 2]]);

    const dup = await httpError(octokit.rest.pulls.create({ ...base, head: 'feature/api-pr', base: 'main', title: 'again' }));
    expect(dup.data).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${OWNER}:feature/api-pr.` }] });
    const noBranch = await httpError(octokit.rest.pulls.create({ ...base, head: 'feature/ghost', base: 'main', title: 'x' }));
    expect(noBranch.data['errors']).toEqual([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);

    // A push to the head branch moves the PR head (synchronize).
    const pushed = await octokit.rest.repos.createOrUpdateFileContents({ ...base, path: 'ventures/other.yaml', branch: 'feature/api-pr', message: 'more', content: Buffer.from('x: 1\n').toString('base64') });
    const after = await octokit.rest.pulls.get({ ...base, pull_number: made.data.number });
    expect(after.data.head.sha).toBe(pushed.data.commit.sha);
    expect(after.data).toMatchObject({ commits: 2, changed_files: 2 });

    const closed = await octokit.rest.pulls.update({ ...base, pull_number: made.data.number, state: 'closed', title: 'Closed venture' });
    expect(closed.data).toMatchObject({ state: 'closed', title: 'Closed venture', merged: false });
    expect((await octokit.rest.pulls.list({ ...base, state: 'closed' })).data.map((p) => p.number)).toContain(made.data.number);
  });

  it('reviews: the bot may approve a developer PR but never its own', async () => {
    const pr = repo.openPullRequest({ head: 'feature/review' });
    const approved = await octokit.rest.pulls.createReview({ ...base, pull_number: pr.number, event: 'APPROVE' });
    expect(approved.data).toMatchObject({ state: 'APPROVED', commit_id: pr.headSha, user: { login: 'github-actions[bot]' } });
    const mine = repo.openPullRequest({ head: 'feature/bot-owned', author: 'github-actions[bot]' });
    const refused = await httpError(octokit.rest.pulls.createReview({ ...base, pull_number: mine.number, event: 'APPROVE' }));
    expect(refused).toMatchObject({ status: 422, data: { message: 'Unprocessable Entity', errors: ['Can not approve your own pull request'] } });
    const reviews = await octokit.rest.pulls.listReviews({ ...base, pull_number: pr.number });
    expect(reviews.data.map((r) => r.state)).toEqual(['APPROVED']);
  });
});

describe('check runs and statuses', () => {
  it('creates a check run (201), completes it with annotations, and reads it back', async () => {
    const pr = repo.openPullRequest({ head: 'feature/checks' });
    const made = await octokit.rest.checks.create({ ...base, name: 'shipyard plan', head_sha: pr.headSha, status: 'in_progress', output: { title: 'Planning', summary: 'running' } });
    expect(made.status).toBe(201);
    expect(made.data).toMatchObject({ status: 'in_progress', conclusion: null, completed_at: null, app: { slug: 'github-actions' }, pull_requests: [{ number: pr.number }] });

    const annotations = Array.from({ length: 50 }, (_, i) => ({ path: 'ventures/a.yaml', start_line: i + 1, end_line: i + 1, annotation_level: 'warning' as const, message: `w${i}` }));
    const done = await octokit.rest.checks.update({ ...base, check_run_id: made.data.id, conclusion: 'success', output: { title: 'Plan: 2 to add', summary: 'x'.repeat(65_535), text: 'full plan', annotations } });
    expect(done.data).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'Plan: 2 to add', text: 'full plan', annotations_count: 50 } });
    expect(done.data.completed_at).not.toBeNull();
    await octokit.rest.checks.update({ ...base, check_run_id: made.data.id, output: { summary: 'more', annotations: annotations.slice(0, 5) } });
    const got = await octokit.rest.checks.get({ ...base, check_run_id: made.data.id });
    expect(got.data.output).toMatchObject({ title: 'Plan: 2 to add', summary: 'more', annotations_count: 55 });
    const listed = await octokit.rest.checks.listForRef({ ...base, ref: 'feature/checks' });
    expect(listed.data.total_count).toBe(1);
    expect(listed.data.check_runs[0]?.id).toBe(made.data.id);
    expect(repo.checkRuns(pr.headSha).map((r) => [r.name, r.status, r.conclusion])).toEqual([['shipyard plan', 'completed', 'success']]);
  });

  it('refuses more than 50 annotations per request, over-long output, and leaves the run unchanged', async () => {
    const sha = repo.branch('main')!;
    const run = await octokit.rest.checks.create({ ...base, name: 'limits', head_sha: sha });
    const annotations = Array.from({ length: 51 }, () => ({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice' as const, message: 'm' }));
    const tooMany = await httpError(octokit.rest.checks.update({ ...base, check_run_id: run.data.id, conclusion: 'failure', output: { title: 't', summary: 's', annotations } }));
    expect(tooMany).toMatchObject({ status: 422, data: { message: 'Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.' } });
    const tooManyOnCreate = await httpError(octokit.rest.checks.create({ ...base, name: 'x', head_sha: sha, output: { title: 't', summary: 's', annotations } }));
    expect(tooManyOnCreate.status).toBe(422);

    const long = await httpError(octokit.rest.checks.update({ ...base, check_run_id: run.data.id, output: { title: 't', summary: 'x'.repeat(65_536) } }));
    expect(long.data['message']).toBe('Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.');
    // 30,000 characters, 120,000 bytes: passes the schema, fails the byte limit behind it.
    const bytes = await httpError(octokit.rest.checks.update({ ...base, check_run_id: run.data.id, output: { title: 't', summary: '🚀'.repeat(30_000) } }));
    expect(bytes.data).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'CheckRun', code: 'custom', field: 'summary', message: 'summary exceeds a maximum bytesize of 65535' }] });

    const after = await octokit.rest.checks.get({ ...base, check_run_id: run.data.id });
    expect(after.data).toMatchObject({ status: 'queued', conclusion: null, output: { annotations_count: 0, summary: null } });
    const unknownSha = await httpError(octokit.rest.checks.create({ ...base, name: 'x', head_sha: 'd'.repeat(40) }));
    expect(unknownSha).toMatchObject({ status: 422, data: { message: `No commit found for SHA: ${'d'.repeat(40)}` } });
  });

  it('check runs need a GitHub App: a personal access token is refused', async () => {
    const pat = client(url, PAT);
    const refused = await httpError(pat.rest.checks.create({ ...base, name: 'x', head_sha: repo.branch('main')! }));
    expect(refused).toMatchObject({ status: 403, data: { message: 'You must authenticate via a GitHub App.' } });
  });

  it('creates commit statuses (context defaults to "default") and combines them per context', async () => {
    const sha = repo.commit({ files: { 'status.txt': 'x' } });
    const made = await octokit.rest.repos.createCommitStatus({ ...base, sha, state: 'pending' });
    expect(made.status).toBe(201);
    expect(made.data).toMatchObject({ state: 'pending', context: 'default', description: null, target_url: null, creator: { login: 'github-actions[bot]' } });
    await octokit.rest.repos.createCommitStatus({ ...base, sha, state: 'success', context: 'shipyard/plan', target_url: 'https://ci.example/run/1', description: 'Plan: 2 to add' });
    await octokit.rest.repos.createCommitStatus({ ...base, sha, state: 'success' });
    const combined = await octokit.rest.repos.getCombinedStatusForRef({ ...base, ref: sha });
    expect(combined.data).toMatchObject({ state: 'success', total_count: 2, sha });
    await octokit.rest.repos.createCommitStatus({ ...base, sha, state: 'failure', context: 'shipyard/plan' });
    expect((await octokit.rest.repos.getCombinedStatusForRef({ ...base, ref: 'main' })).data.state).toBe('failure');
    expect(repo.statuses(sha).map((s) => s.state)).toEqual(['pending', 'success', 'success', 'failure']);

    const bad = await httpError(octokit.rest.repos.createCommitStatus({ ...base, sha, state: 'done' as 'success' }));
    expect(bad.status).toBe(422);
    const unknown = await httpError(octokit.rest.repos.createCommitStatus({ ...base, sha: 'e'.repeat(40), state: 'success' }));
    expect(unknown.data['message']).toBe(`No commit found for SHA: ${'e'.repeat(40)}`);
  });
});

describe('reactions', () => {
  it('answers 201 for a new reaction and 200 with the same reaction when repeated', async () => {
    const pr = repo.openPullRequest({ head: 'feature/react' });
    const comment = await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: '/shipyard apply' });
    const first = await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: comment.data.id, content: 'eyes' });
    expect(first.status).toBe(201);
    const again = await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: comment.data.id, content: 'eyes' });
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(first.data.id);
    const rocket = await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: comment.data.id, content: 'rocket' });
    expect(rocket.status).toBe(201);
    // Another user's identical reaction is a new one.
    expect((await client(url, PAT).rest.reactions.createForIssueComment({ ...base, comment_id: comment.data.id, content: 'eyes' })).status).toBe(201);

    const listed = await octokit.rest.reactions.listForIssueComment({ ...base, comment_id: comment.data.id, content: 'eyes' });
    expect(listed.data).toHaveLength(2);
    const rolled = await octokit.rest.issues.getComment({ ...base, comment_id: comment.data.id });
    expect(rolled.data.reactions).toMatchObject({ total_count: 3, eyes: 2, rocket: 1 });

    expect((await octokit.rest.reactions.deleteForIssueComment({ ...base, comment_id: comment.data.id, reaction_id: rocket.data.id })).status).toBe(204);
    expect((await octokit.rest.reactions.listForIssueComment({ ...base, comment_id: comment.data.id })).data.map((r) => r.content)).toEqual(['eyes', 'eyes']);
    const bad = await httpError(octokit.rest.reactions.createForIssueComment({ ...base, comment_id: comment.data.id, content: 'party' as 'eyes' }));
    expect(bad.status).toBe(422);

    const onIssue = await octokit.rest.reactions.createForIssue({ ...base, issue_number: pr.number, content: '+1' });
    expect(onIssue.status).toBe(201);
    expect((await octokit.rest.reactions.createForIssue({ ...base, issue_number: pr.number, content: '+1' })).status).toBe(200);
    expect((await octokit.rest.reactions.listForIssue({ ...base, issue_number: pr.number })).data.map((r) => r.content)).toEqual(['+1']);
  });
});

describe('issues and labels (drift issues)', () => {
  it('creates an issue with new labels, finds it by label, closes it', async () => {
    const made = await octokit.rest.issues.create({ ...base, title: 'Drift in production', body: '<!-- shipyard:drift env=production -->', labels: ['shipyard:drift', 'env:production'] });
    expect(made.status).toBe(201);
    expect(made.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['shipyard:drift', 'env:production']);
    expect(made.headers.location).toBe(`${url}/repos/${OWNER}/${REPO}/issues/${made.data.number}`);
    await octokit.rest.issues.create({ ...base, title: 'Drift in staging', labels: ['shipyard:drift'] });
    await octokit.rest.issues.create({ ...base, title: 'Unrelated', labels: ['bug'] });

    const drift = await octokit.paginate(octokit.rest.issues.listForRepo, { ...base, labels: 'shipyard:drift', state: 'open' });
    expect(drift.map((i) => i.title).sort()).toEqual(['Drift in production', 'Drift in staging']);
    const both = await octokit.rest.issues.listForRepo({ ...base, labels: 'shipyard:drift,env:production' });
    expect(both.data.map((i) => i.number)).toEqual([made.data.number]);
    expect(both.data[0]?.labels[0]).toMatchObject({ name: 'shipyard:drift', color: 'ededed', default: false });

    const closed = await octokit.rest.issues.update({ ...base, issue_number: made.data.number, state: 'closed', state_reason: 'completed' });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed', closed_by: { login: 'github-actions[bot]' } });
    expect((await octokit.rest.issues.listForRepo({ ...base, labels: 'shipyard:drift' })).data.map((i) => i.title)).toEqual(['Drift in staging']);
    expect((await octokit.rest.issues.listForRepo({ ...base, labels: 'shipyard:drift', state: 'closed' })).data.map((i) => i.number)).toEqual([made.data.number]);
    const reopened = await octokit.rest.issues.update({ ...base, issue_number: made.data.number, state: 'open' });
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });
    expect(repo.issue(made.data.number)?.labels.map((l) => l.name)).toEqual(['shipyard:drift', 'env:production']);
  });

  it('adds, sets, lists and removes labels of an issue', async () => {
    const issue = await octokit.rest.issues.create({ ...base, title: 'labels' });
    expect((await octokit.rest.issues.addLabels({ ...base, issue_number: issue.data.number, labels: ['a', 'Bug'] })).data.map((l) => l.name)).toEqual(['a', 'bug']);
    expect((await octokit.rest.issues.addLabels({ ...base, issue_number: issue.data.number, labels: ['A', 'b'] })).data.map((l) => l.name)).toEqual(['a', 'bug', 'b']);
    expect((await octokit.rest.issues.setLabels({ ...base, issue_number: issue.data.number, labels: ['c'] })).data.map((l) => l.name)).toEqual(['c']);
    expect((await octokit.rest.issues.listLabelsOnIssue({ ...base, issue_number: issue.data.number })).data.map((l) => l.name)).toEqual(['c']);
    expect((await octokit.rest.issues.removeAllLabels({ ...base, issue_number: issue.data.number })).status).toBe(204);
    expect(repo.issue(issue.data.number)?.labels).toEqual([]);
    const missingTitle = await httpError(octokit.request(UNTYPED_CREATE_ISSUE, { ...base, body: 'no title' }));
    expect(missingTitle.data['message']).toBe('Invalid request.\n\n"title" wasn\'t supplied.');
  });
});

describe('git refs and contents', () => {
  it('creates a branch, commits a file (base64), reads it back, updates it with its sha, deletes it', async () => {
    const main = await octokit.rest.git.getRef({ ...base, ref: 'heads/main' });
    expect(main.data).toMatchObject({ ref: 'refs/heads/main', object: { type: 'commit', sha: repo.branch('main') } });
    const ref = await octokit.rest.git.createRef({ ...base, ref: 'refs/heads/shipyard/rotate', sha: main.data.object.sha });
    expect(ref.status).toBe(201);
    expect(ref.data.ref).toBe('refs/heads/shipyard/rotate');
    expect(repo.branch('shipyard/rotate')).toBe(main.data.object.sha);
    const exists = await httpError(octokit.rest.git.createRef({ ...base, ref: 'refs/heads/shipyard/rotate', sha: main.data.object.sha }));
    expect(exists).toMatchObject({ status: 422, data: { message: 'Reference already exists' } });
    expect((await httpError(octokit.rest.git.createRef({ ...base, ref: 'refs/heads/x', sha: 'f'.repeat(40) }))).data['message']).toBe('Object does not exist');
    expect((await httpError(octokit.rest.git.getRef({ ...base, ref: 'heads/nope' }))).status).toBe(404);

    const text = 'secrets:\n  rotatedAt: 2030-01-01\n';
    const createdFile = await octokit.rest.repos.createOrUpdateFileContents({
      ...base,
      path: 'secrets/production.yaml',
      branch: 'shipyard/rotate',
      message: 'rotate',
      content: Buffer.from(text).toString('base64'),
      committer: { name: 'Shipyard', email: 'shipyard@example.test' },
    });
    expect(createdFile.status).toBe(201);
    expect(createdFile.data.commit).toMatchObject({ message: 'rotate', committer: { name: 'Shipyard' }, parents: [{ sha: main.data.object.sha }] });
    expect(repo.branch('shipyard/rotate')).toBe(createdFile.data.commit.sha);
    expect(repo.file('secrets/production.yaml', 'shipyard/rotate')).toBe(text);
    expect(repo.file('secrets/production.yaml')).toBeUndefined(); // main untouched

    const got = await octokit.rest.repos.getContent({ ...base, path: 'secrets/production.yaml', ref: 'shipyard/rotate' });
    const file = got.data as { type: string; encoding: string; content: string; sha: string; size: number };
    expect(file).toMatchObject({ type: 'file', encoding: 'base64', sha: createdFile.data.content?.sha, size: Buffer.byteLength(text) });
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe(text);
    const dir = await octokit.rest.repos.getContent({ ...base, path: 'secrets', ref: 'shipyard/rotate' });
    expect((dir.data as { name: string; type: string }[]).map((e) => [e.name, e.type])).toEqual([['production.yaml', 'file']]);
    expect((await httpError(octokit.rest.repos.getContent({ ...base, path: 'secrets/production.yaml' }))).status).toBe(404);

    const content = Buffer.from('v2\n').toString('base64');
    const noSha = await httpError(octokit.rest.repos.createOrUpdateFileContents({ ...base, path: 'secrets/production.yaml', branch: 'shipyard/rotate', message: 'v2', content }));
    expect(noSha).toMatchObject({ status: 422, data: { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' } });
    const stale = await httpError(octokit.rest.repos.createOrUpdateFileContents({ ...base, path: 'secrets/production.yaml', branch: 'shipyard/rotate', message: 'v2', content, sha: 'deadbeef' }));
    expect(stale).toMatchObject({ status: 409, data: { message: 'secrets/production.yaml does not match deadbeef' } });
    const updated = await octokit.rest.repos.createOrUpdateFileContents({ ...base, path: 'secrets/production.yaml', branch: 'shipyard/rotate', message: 'v2', content, sha: file.sha });
    expect(updated.status).toBe(200);
    expect(repo.file('secrets/production.yaml', 'shipyard/rotate')).toBe('v2\n');
    const noBranch = await httpError(octokit.rest.repos.createOrUpdateFileContents({ ...base, path: 'x', branch: 'ghost', message: 'm', content }));
    expect(noBranch).toMatchObject({ status: 404, data: { message: 'Branch ghost not found' } });

    const removed = await octokit.rest.repos.deleteFile({ ...base, path: 'secrets/production.yaml', branch: 'shipyard/rotate', message: 'rm', sha: updated.data.content!.sha! });
    expect(removed.data.content).toBeNull();
    expect(repo.file('secrets/production.yaml', 'shipyard/rotate')).toBeUndefined();
  });
});

describe('repository', () => {
  it('gets the repository with the caller permissions, updates settings, archives, deletes', async () => {
    const { emulator: own, octokit: admin } = await startEmulator();
    const got = await admin.rest.repos.get(base);
    expect(got.data).toMatchObject({ full_name: `${OWNER}/${REPO}`, default_branch: 'main', private: true, owner: { login: OWNER, type: 'Organization' }, permissions: { admin: true, push: true } });
    const narrow = await client(own.url, NARROW).rest.repos.get(base);
    expect(narrow.data.permissions).toMatchObject({ admin: false, push: false, pull: true });

    const updated = await admin.rest.repos.update({ ...base, description: 'Infrastructure', has_wiki: false, delete_branch_on_merge: true });
    expect(updated.data).toMatchObject({ description: 'Infrastructure', delete_branch_on_merge: true });
    await admin.rest.repos.update({ ...base, archived: true });
    const readOnly = await httpError(admin.rest.issues.create({ ...base, title: 'x' }));
    expect(readOnly).toMatchObject({ status: 403, data: { message: 'Repository was archived so is read-only.' } });
    expect((await admin.rest.repos.update({ ...base, archived: false })).data.archived).toBe(false);

    const notAdmin = await httpError(client(own.url, NARROW).rest.repos.delete(base));
    expect(notAdmin.status).toBe(403);
    expect((await admin.rest.repos.delete(base)).status).toBe(204);
    expect((await httpError(admin.rest.repos.get(base))).status).toBe(404);
  });
});

describe('auth and least privilege', () => {
  it('401 Bad credentials for an unknown or revoked token, 401 without one; rate headers still sent', async () => {
    const bad = await httpError(client(url, 'ghp_wrong').rest.repos.get(base));
    expect(bad.status).toBe(401);
    expect(bad.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect(bad.headers['x-ratelimit-limit']).toBe('60');
    const anonymous = await fetch(`${url}/repos/${OWNER}/${REPO}`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { message: string }).message).toBe('Requires authentication');

    // "Bearer" works too, as on GitHub.
    const bearer = await fetch(`${url}/repos/${OWNER}/${REPO}`, { headers: { authorization: `Bearer ${PAT}` } });
    expect(bearer.status).toBe(200);
    const { emulator: own } = await startEmulator();
    own.revokeToken(PAT);
    expect((await httpError(client(own.url, PAT).rest.repos.get(base))).data['message']).toBe('Bad credentials');
  });

  it('a read-only token reads but gets 403 "Resource not accessible by integration" on writes', async () => {
    const reader = client(url, READER);
    const pr = repo.openPullRequest({ head: 'feature/readonly' });
    await octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'by the writer' });
    expect((await reader.rest.issues.listComments({ ...base, issue_number: pr.number })).data).toHaveLength(1);
    expect((await reader.rest.pulls.get({ ...base, pull_number: pr.number })).data.head.sha).toBe(pr.headSha);

    const refused = await httpError(reader.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'nope' }));
    expect(refused.status).toBe(403);
    expect(refused.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '403',
    });
    expect(refused.headers['x-accepted-github-permissions']).toBe('issues=write; pull_requests=write');
    expect((await httpError(reader.rest.checks.create({ ...base, name: 'x', head_sha: pr.headSha }))).status).toBe(403);
    expect(repo.comments(pr.number)).toHaveLength(1);
    // A personal access token is named as such.
    const { emulator: own } = await startEmulator({ tokens: [TOKEN, { token: PAT, permissions: 'read' }] });
    const patRefused = await httpError(client(own.url, PAT).rest.issues.create({ ...base, title: 'x' }));
    expect(patRefused.data['message']).toBe('Resource not accessible by personal access token');
  });

  it('a GITHUB_TOKEN-style permission map grants exactly what it lists; hidden repositories are 404', async () => {
    const narrow = client(url, NARROW);
    const pr = repo.openPullRequest({ head: 'feature/narrow' });
    expect((await narrow.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'plan' })).status).toBe(201); // pull_requests: write
    expect((await narrow.rest.checks.create({ ...base, name: 'plan', head_sha: pr.headSha })).status).toBe(201);
    expect((await narrow.rest.repos.getContent({ ...base, path: 'README.md' })).status).toBe(200);
    const status = await httpError(narrow.rest.repos.createCommitStatus({ ...base, sha: pr.headSha, state: 'success' }));
    expect(status).toMatchObject({ status: 403, headers: { 'x-accepted-github-permissions': 'statuses=write' } });
    const push = await httpError(narrow.rest.git.createRef({ ...base, ref: 'refs/heads/narrow-x', sha: pr.headSha }));
    expect(push.status).toBe(403);
    expect((await httpError(narrow.rest.issues.listForRepo(base))).status).toBe(403); // issues: none
    expect((await httpError(narrow.rest.repos.get({ owner: 'acme', repo: 'secret' }))).status).toBe(404);
    expect((await octokit.rest.repos.get({ owner: 'acme', repo: 'secret' })).status).toBe(200);
  });

  it('works through @actions/github getOctokit with a baseUrl', async () => {
    const gh = getOctokit(TOKEN, { baseUrl: url });
    const pr = repo.openPullRequest({ head: 'feature/actions' });
    const made = await gh.rest.issues.createComment({ ...base, issue_number: pr.number, body: '<!-- shipyard:plan -->' });
    expect(made.status).toBe(201);
    const all = await gh.paginate(gh.rest.issues.listComments, { ...base, issue_number: pr.number });
    expect(all.map((c) => c.id)).toEqual([made.data.id]);
    const bad = await httpError(getOctokit('nope', { baseUrl: url }).rest.pulls.get({ ...base, pull_number: pr.number }));
    expect(bad.status).toBe(401);
  });
});

describe('rate limits', () => {
  it('sends primary rate-limit headers on every response and refuses with 403 when spent', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const { emulator: own, octokit: gh } = await startEmulator({ now: () => now, rateLimit: { limit: 3, windowMs: 3_600_000 } });
    const first = await gh.rest.repos.get(base);
    const reset = String(Math.ceil((now + 3_600_000) / 1000));
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-used': '1', 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core' });
    const limits = await gh.rest.rateLimit.get();
    expect(limits.data.resources.core).toEqual({ limit: 3, used: 2, remaining: 1, reset: Number(reset) });
    now += 1_000;
    await gh.rest.issues.listForRepo(base);
    const spent = await httpError(gh.rest.repos.get(base));
    expect(spent.status).toBe(403);
    expect(spent.headers['x-ratelimit-remaining']).toBe('0');
    expect(spent.data['message']).toBe('API rate limit exceeded for installation ID 41898282.');
    // Another token has its own budget.
    expect((await client(own.url, PAT).rest.repos.get(base)).headers['x-ratelimit-remaining']).toBe('2');
  });

  it('secondary limit: the N+1th content-creating request in a minute is 403 with retry-after; reads still pass', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const { emulator: own, octokit: gh, repo: r } = await startEmulator({ now: () => now, secondaryLimitPerMinute: 5 });
    const pr = r.openPullRequest({ head: 'feature/spam' });
    for (let i = 0; i < 5; i++) await gh.rest.issues.createComment({ ...base, issue_number: pr.number, body: `c${i}` });
    now += 15_000;
    const limited = await httpError(gh.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'one too many' }));
    expect(limited.status).toBe(403);
    expect(limited.headers['retry-after']).toBe('45');
    expect(limited.data['message']).toMatch(/^You have exceeded a secondary rate limit/);
    expect(Number(limited.headers['x-ratelimit-remaining'])).toBeGreaterThan(0); // the primary budget is not the cause
    // Updates and deletes create content too; reads do not.
    expect((await httpError(gh.rest.issues.updateComment({ ...base, comment_id: r.comments(pr.number)[0]!.id, body: 'x' }))).status).toBe(403);
    expect((await gh.rest.issues.listComments({ ...base, issue_number: pr.number })).data).toHaveLength(5);
    expect(r.comments(pr.number)).toHaveLength(5);
    // Per token: another token may still write.
    expect((await client(own.url, PAT).rest.issues.createComment({ ...base, issue_number: pr.number, body: 'other token' })).status).toBe(201);

    now += 45_000;
    expect((await gh.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'after the window' })).status).toBe(201);
    expect(own.requests.filter({ method: 'POST', status: 403 })).toHaveLength(1);
  });

  it('answers a secondary limit with 429 when configured, and counts 80 per minute by default', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const { octokit: gh, repo: r } = await startEmulator({ now: () => now, secondaryLimitStatus: 429 });
    const sha = r.branch('main')!;
    for (let i = 0; i < 80; i++) await gh.rest.repos.createCommitStatus({ ...base, sha, state: 'pending', context: `c${i % 3}` });
    const limited = await httpError(gh.rest.repos.createCommitStatus({ ...base, sha, state: 'pending' }));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    now += 60_000;
    expect((await gh.rest.repos.createCommitStatus({ ...base, sha, state: 'success' })).status).toBe(201);
  });
});

describe('fault injection', () => {
  it('injects a 502 once; Octokit sees it; the next call is served', async () => {
    const pr = repo.openPullRequest({ head: 'feature/fault' });
    const fault = emulator.faults.inject({ kind: 'status', status: 502, times: 1, match: { method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}' } });
    const err = await httpError(octokit.rest.pulls.get({ ...base, pull_number: pr.number }));
    expect(err.status).toBe(502);
    expect(fault.fired).toBe(1);
    expect((await octokit.rest.pulls.get({ ...base, pull_number: pr.number })).data.number).toBe(pr.number);
  });

  it('acceptThenTimeout on a comment: the comment exists though the client saw a dropped connection', async () => {
    const pr = repo.openPullRequest({ head: 'feature/lost' });
    emulator.faults.inject({ kind: 'acceptThenTimeout', after: 'reset', times: 1, match: { method: 'POST', path: /\/comments$/ } });
    await expect(octokit.rest.issues.createComment({ ...base, issue_number: pr.number, body: 'lost answer' })).rejects.toThrow();
    expect(repo.comments(pr.number).map((c) => c.body)).toEqual(['lost answer']);
  });
});

describe('contracts', () => {
  it('every response matched the OpenAPI subset (or GitHub error schemas for undocumented error statuses)', () => {
    expect(contractViolations).toEqual([]);
    expect([...undocumented]).toEqual([]);
  });

  it('serves every operation of the subset except the listed ones, and exercised all of them', () => {
    const ops = validator.operations().map((o) => `${o.method} ${o.template}`).sort();
    expect(ops).toHaveLength(41);
    const routes = emulator.server.routes().map((r) => `${r.method} ${r.template}`).sort();
    expect(routes).toEqual(ops.filter((o) => !NOT_IMPLEMENTED.includes(o)));
    expect(routes.filter((r) => !exercised.has(r))).toEqual([]);
  });
});
