import type { EmulatorServer } from '../emulator-kit/server.ts';
import { requireCommit, resolveRef } from './commits.ts';
import { created, intParam, repoOperation, type GitHubContext } from './context.ts';
import { fail, invalidRequest, notFound, validationFailed } from './errors.ts';
import { bodyObject, checkMaxChars, checkMaxItems, isObject, optEnum, optInteger, optNullableString, optString, reqString, type Obj } from './input.ts';
import { paginate } from './pagination.ts';
import { pulls } from './pulls.ts';
import { repoApi } from './render-repo.ts';
import { renderCheckRun, renderCombinedStatus, renderPullMinimal, renderStatus } from './render.ts';
import {
  CHECK_CONCLUSIONS,
  CHECK_STATUSES,
  STATUS_STATES,
  type Annotation,
  type CheckConclusion,
  type CheckRunRecord,
  type RepoRecord,
  type StatusRecord,
} from './store.ts';

// Check runs (the full plan goes into their output) and commit statuses.

/** Output fields: maxLength 65535 in the schema (characters), and a byte limit behind it. */
export const MAX_OUTPUT = 65_535;
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
const MAX_STATUS_DESCRIPTION = 140;
const MAX_STATUSES_PER_CONTEXT = 1000;

function date(o: Obj, key: string): number | undefined {
  const v = optString(o, key);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not a date-time.`);
  return ms;
}

function outputText(o: Obj, key: 'summary' | 'text'): string | undefined {
  const v = optString(o, key);
  checkMaxChars(v, MAX_OUTPUT);
  // Characters pass the schema, but storage counts bytes (emoji-heavy summaries hit this).
  if (v !== undefined && Buffer.byteLength(v) > MAX_OUTPUT) {
    validationFailed({ resource: 'CheckRun', code: 'custom', field: key, message: `${key} exceeds a maximum bytesize of ${MAX_OUTPUT}` });
  }
  return v;
}

function annotations(v: unknown): Annotation[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) invalidRequest(`For 'properties/annotations', ${JSON.stringify(v)} is not an array.`);
  checkMaxItems(v, MAX_ANNOTATIONS_PER_REQUEST);
  return v.map((a) => {
    if (!isObject(a)) invalidRequest(`For 'items', ${JSON.stringify(a)} is not an object.`);
    const path = reqString(a, 'path');
    const startLine = optInteger(a, 'start_line') ?? invalidRequest(`"start_line" wasn't supplied.`);
    const endLine = optInteger(a, 'end_line') ?? invalidRequest(`"end_line" wasn't supplied.`);
    reqString(a, 'annotation_level');
    const level = optEnum(a, 'annotation_level', ['notice', 'warning', 'failure'] as const)!;
    const message = reqString(a, 'message');
    checkMaxChars(message, 64 * 1024);
    return { path, startLine, endLine, level, message, title: optString(a, 'title') };
  });
}

interface OutputInput {
  readonly title: string | undefined;
  readonly summary: string | undefined;
  readonly text: string | undefined;
  readonly annotations: Annotation[];
}

function output(v: unknown, requireTitle: boolean): OutputInput | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) invalidRequest(`For 'properties/output', ${JSON.stringify(v)} is not an object.`);
  const title = requireTitle ? reqString(v, 'title') : optString(v, 'title');
  reqString(v, 'summary');
  const summary = outputText(v, 'summary');
  const text = outputText(v, 'text');
  return { title, summary, text, annotations: annotations(v['annotations']) };
}

function actions(v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) invalidRequest(`For 'properties/actions', ${JSON.stringify(v)} is not an array.`);
  checkMaxItems(v, 3);
}

/** A conclusion completes the run; "completed" without one is refused. */
function settle(run: CheckRunRecord, o: Obj, now: number): void {
  const status = optEnum(o, 'status', CHECK_STATUSES);
  const conclusion = optEnum(o, 'conclusion', CHECK_CONCLUSIONS);
  if (conclusion === 'stale') validationFailed({ resource: 'CheckRun', field: 'conclusion', code: 'invalid', message: 'conclusion cannot be set to stale; only GitHub can' });
  const completedAt = date(o, 'completed_at');
  if (status !== undefined) run.status = status;
  if (conclusion !== undefined) {
    run.conclusion = conclusion as CheckConclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed') {
    if (run.conclusion === null) invalidRequest(`"conclusion" wasn't supplied.`);
    run.completedAt = completedAt ?? run.completedAt ?? now;
  } else if (completedAt !== undefined) {
    invalidRequest(`"conclusion" wasn't supplied.`);
  }
  const startedAt = date(o, 'started_at');
  if (startedAt !== undefined) run.startedAt = startedAt;
}

function applyOutput(run: CheckRunRecord, out: OutputInput | undefined): void {
  if (!out) return;
  if (out.title !== undefined) run.output.title = out.title;
  if (out.summary !== undefined) run.output.summary = out.summary;
  if (out.text !== undefined) run.output.text = out.text;
  // Annotations accumulate across updates; each request may carry at most 50.
  run.annotations.push(...out.annotations);
}

const CHECK_PERMS = ['checks'] as const;

export function registerCheckRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  const runJson = (repo: RepoRecord, run: CheckRunRecord) => {
    const prs = pulls(repo)
      .filter((p) => p.issue.state === 'open' && p.pull.headSha === run.headSha)
      .map((p) => renderPullMinimal(ctx.urls(), repo, p.issue, p.pull));
    return renderCheckRun(ctx.urls(), repo, run, prs);
  };
  const requireRun = (repo: RepoRecord, id: number) => repo.checkRuns.get(id) ?? notFound();

  repoOperation(server, ctx, { method: 'POST', template: '/repos/{owner}/{repo}/check-runs', docs: 'checks/runs#create-a-check-run', needs: CHECK_PERMS, level: 'write' }, ({ req, repo, user }) => {
    // The Checks API writes only for GitHub Apps (GITHUB_TOKEN is one); a PAT is refused.
    if (user.type !== 'Bot') fail(403, 'You must authenticate via a GitHub App.');
    const o = bodyObject(req.body);
    const name = reqString(o, 'name');
    if (name.trim() === '') validationFailed({ resource: 'CheckRun', field: 'name', code: 'missing_field' });
    const headSha = reqString(o, 'head_sha');
    requireCommit(repo, headSha);
    const out = output(o['output'], true);
    actions(o['actions']);
    const now = ctx.clock.stamp();
    let suiteId = repo.suites.get(headSha);
    if (suiteId === undefined) {
      suiteId = ctx.ids.next('check_suite');
      repo.suites.set(headSha, suiteId);
    }
    const run: CheckRunRecord = {
      id: ctx.ids.next('check_run'),
      headSha,
      name,
      status: 'queued',
      conclusion: null,
      startedAt: now,
      completedAt: undefined,
      externalId: optString(o, 'external_id') ?? null,
      detailsUrl: optNullableString(o, 'details_url') ?? null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      suiteId,
      creator: user,
    };
    settle(run, o, now);
    applyOutput(run, out);
    repo.checkRuns.set(run.id, run);
    return created(runJson(repo, run), `${repoApi(ctx.urls(), repo)}/check-runs/${run.id}`);
  });

  const one = '/repos/{owner}/{repo}/check-runs/{check_run_id}';
  repoOperation(server, ctx, { method: 'GET', template: one, docs: 'checks/runs#get-a-check-run', needs: CHECK_PERMS, level: 'read' }, ({ req, repo }) => {
    return { status: 200, body: runJson(repo, requireRun(repo, intParam(req, 'check_run_id'))) };
  });

  repoOperation(server, ctx, { method: 'PATCH', template: one, docs: 'checks/runs#update-a-check-run', needs: CHECK_PERMS, level: 'write' }, ({ req, repo, user }) => {
    const run = requireRun(repo, intParam(req, 'check_run_id'));
    // Only the app that created a run may update it.
    if (run.creator.id !== user.id) fail(403, 'Only the GitHub App that created a check run may update it.');
    const o = bodyObject(req.body);
    const name = optString(o, 'name');
    const out = output(o['output'], false);
    actions(o['actions']);
    // Validate everything before changing anything: a 422 leaves the run as it was.
    const draft: CheckRunRecord = { ...run, output: { ...run.output }, annotations: [...run.annotations] };
    settle(draft, o, ctx.clock.stamp());
    applyOutput(draft, out);
    Object.assign(run, { status: draft.status, conclusion: draft.conclusion, startedAt: draft.startedAt, completedAt: draft.completedAt });
    Object.assign(run.output, draft.output);
    run.annotations.splice(0, run.annotations.length, ...draft.annotations);
    if (name !== undefined) run.name = name;
    if (o['details_url'] !== undefined) run.detailsUrl = optNullableString(o, 'details_url') ?? null;
    if (o['external_id'] !== undefined) run.externalId = optString(o, 'external_id') ?? null;
    return { status: 200, body: runJson(repo, run) };
  });

  repoOperation(
    server,
    ctx,
    { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/check-runs', docs: 'checks/runs#list-check-runs-for-a-git-reference', needs: CHECK_PERMS, level: 'read' },
    ({ req, repo }) => {
      const ref = req.params['ref'] ?? '';
      const sha = resolveRef(repo, ref) ?? fail(422, `No commit found for SHA: ${ref}`);
      const q = req.query;
      const name = q.get('check_name');
      const status = q.get('status');
      const filter = q.get('filter') ?? 'latest';
      let runs = [...repo.checkRuns.values()].filter((r) => r.headSha === sha).sort((a, b) => b.id - a.id);
      if (name) runs = runs.filter((r) => r.name === name);
      if (status) runs = runs.filter((r) => r.status === status);
      if (filter === 'latest') runs = runs.filter((r, i) => runs.findIndex((x) => x.name === r.name) === i);
      const page = paginate(req, ctx.urls().api, runs);
      return { status: 200, body: { total_count: runs.length, check_runs: page.items.map((r) => runJson(repo, r)) }, headers: page.headers };
    },
  );

  registerStatusRoutes(server, ctx);
}

function registerStatusRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  repoOperation(server, ctx, { method: 'POST', template: '/repos/{owner}/{repo}/statuses/{sha}', docs: 'commits/statuses#create-a-commit-status', needs: ['statuses'], level: 'write' }, ({ req, repo, user }) => {
    const sha = req.params['sha'] ?? '';
    const o = bodyObject(req.body);
    reqString(o, 'state');
    const state = optEnum(o, 'state', STATUS_STATES)!;
    const targetUrl = optNullableString(o, 'target_url') ?? null;
    const description = optNullableString(o, 'description') ?? null;
    const context = optString(o, 'context') ?? 'default';
    requireCommit(repo, sha);
    if (targetUrl !== null && !/^https?:\/\/\S+$/i.test(targetUrl)) {
      validationFailed({ resource: 'Status', code: 'custom', field: 'target_url', message: 'target_url must use http(s) scheme' });
    }
    if (description !== null && description.length > MAX_STATUS_DESCRIPTION) {
      validationFailed({ resource: 'Status', code: 'custom', field: 'description', message: `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)` });
    }
    if (repo.statuses.filter((s) => s.sha === sha && s.context === context).length >= MAX_STATUSES_PER_CONTEXT) {
      validationFailed({ resource: 'Status', code: 'custom', message: 'This SHA and context has reached the maximum number of statuses.' });
    }
    const status: StatusRecord = { id: ctx.ids.next('status'), sha, state, context, description, targetUrl, creator: user, createdAt: ctx.clock.stamp() };
    repo.statuses.push(status);
    return created(renderStatus(ctx.urls(), repo, status), `${repoApi(ctx.urls(), repo)}/statuses/${sha}`);
  });

  repoOperation(
    server,
    ctx,
    { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/status', docs: 'commits/statuses#get-the-combined-status-for-a-specific-reference', needs: ['statuses'], level: 'read' },
    ({ req, repo }) => {
      const sha = resolveRef(repo, req.params['ref'] ?? '') ?? notFound();
      const all = repo.statuses.filter((s) => s.sha === sha);
      return { status: 200, body: renderCombinedStatus(ctx.urls(), repo, sha, all) };
    },
  );
}
