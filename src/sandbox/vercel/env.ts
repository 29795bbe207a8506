import type { EmulatorServer } from '../emulator-kit/server.ts';
import { operation, type VercelContext } from './context.ts';
import { badRequest, fail, notFound } from './errors.ts';
import { optEnum, optNullableString, optString, optStringArray, rejectUnknown, reqString, requireObject, type Obj } from './input.ts';
import { renderEnv } from './render.ts';
import { ENV_TARGETS, ENV_TYPES, requireProject, type EnvRecord, type EnvTarget, type EnvType, type ProjectRecord, type UserRecord } from './store.ts';

export interface EnvInput {
  readonly key: string;
  readonly value: string;
  readonly type: EnvType;
  readonly target: EnvTarget[];
  readonly gitBranch: string | undefined;
  readonly comment: string | undefined;
  readonly customEnvironmentIds: string[];
}

const ENV_KEYS = new Set(['key', 'value', 'type', 'target', 'gitBranch', 'comment', 'customEnvironmentIds']);
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvInput(o: Obj): EnvInput {
  rejectUnknown(o, ENV_KEYS);
  const key = reqString(o, 'key', 256);
  if (!KEY_PATTERN.test(key)) badRequest(`Invalid request: \`key\` "${key}" may only contain letters, digits and underscores and must not start with a digit.`);
  const value = reqString(o, 'value', 64 * 1024);
  const type = optEnum(o, 'type', ENV_TYPES) ?? badRequest('Invalid request: missing required property `type`.');
  const target = parseTargets(o['target']);
  const customEnvironmentIds = optStringArray(o, 'customEnvironmentIds') ?? [];
  if (target.length === 0 && customEnvironmentIds.length === 0) {
    badRequest('Invalid request: either `target` or `customEnvironmentIds` is required.');
  }
  const gitBranch = optNullableString(o, 'gitBranch', 250) ?? undefined;
  checkCombination(type, target, gitBranch);
  return { key, value, type, target, gitBranch, comment: optString(o, 'comment', 500), customEnvironmentIds };
}

function parseTargets(v: unknown): EnvTarget[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((t) => !ENV_TARGETS.includes(t as EnvTarget))) {
    badRequest(`Invalid request: \`target\` should be an array of "${ENV_TARGETS.join('", "')}".`);
  }
  return [...new Set(v as EnvTarget[])];
}

function checkCombination(type: EnvType, target: readonly EnvTarget[], gitBranch: string | undefined): void {
  if (gitBranch !== undefined && !(target.length === 1 && target[0] === 'preview')) {
    badRequest('Invalid request: `gitBranch` requires `target` to be ["preview"].');
  }
  // Sensitive values are write-only; Vercel does not offer them to local development.
  if (type === 'sensitive' && target.includes('development')) {
    badRequest('Sensitive Environment Variables cannot be created in the Development environment.');
  }
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.includes(x));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function conflictsWith(project: ProjectRecord, key: string, target: readonly string[], gitBranch: string | undefined, except?: string): EnvRecord[] {
  return project.envs.filter((e) => e.id !== except && e.key === key && e.gitBranch === gitBranch && overlaps(e.target, target));
}

function conflictDetails(input: EnvInput, existing: EnvRecord): Record<string, unknown> {
  const details: Record<string, unknown> = { key: input.key, envVarKey: input.key, envVarId: existing.id, target: input.target };
  // The documented error shape has gitBranch as a string: omit it rather than send null.
  if (input.gitBranch !== undefined) details['gitBranch'] = input.gitBranch;
  return details;
}

type AddOutcome = { ok: true; env: EnvRecord } | { ok: false; status: number; error: { code: string; message: string } & Record<string, unknown> };

/**
 * Creates (or with upsert, updates in place) each input in order. Conflicts: same key and
 * branch with an overlapping target. Upsert only replaces a variable whose target set is
 * identical; a partial overlap is ENV_CONFLICT, as on the real API.
 */
export function addEnvs(
  ctx: VercelContext,
  project: ProjectRecord,
  inputs: readonly EnvInput[],
  user: UserRecord,
  mode: { upsert: boolean; batch: boolean },
): AddOutcome[] {
  const outcomes: AddOutcome[] = [];
  for (const input of inputs) {
    const conflicts = conflictsWith(project, input.key, input.target, input.gitBranch);
    const first = conflicts[0];
    if (first && mode.upsert) {
      if (conflicts.length === 1 && sameSet(first.target, input.target)) {
        first.value = input.value;
        first.type = input.type;
        first.comment = input.comment;
        first.customEnvironmentIds = [...input.customEnvironmentIds];
        first.updatedAt = ctx.clock.stamp();
        first.updatedBy = user.id;
        outcomes.push({ ok: true, env: first });
        continue;
      }
      outcomes.push({
        ok: false,
        status: 400,
        error: {
          code: 'ENV_CONFLICT',
          message: `The target of the Environment Variable ${input.key} overlaps with an existing one but does not match it; upsert cannot decide which to update.`,
          ...conflictDetails(input, first),
        },
      });
      continue;
    }
    if (first) {
      outcomes.push({
        ok: false,
        status: 403,
        error: {
          code: mode.batch ? 'ENV_CONFLICT' : 'ENV_ALREADY_EXISTS',
          message: 'Another Environment Variable with the same Name and Environment exists in your project. Remove it or choose a different Name or Environment.',
          ...conflictDetails(input, first),
        },
      });
      continue;
    }
    const now = ctx.clock.stamp();
    const env: EnvRecord = {
      id: ctx.ids.token(16),
      key: input.key,
      value: input.value,
      type: input.type,
      target: [...input.target],
      gitBranch: input.gitBranch,
      comment: input.comment,
      customEnvironmentIds: [...input.customEnvironmentIds],
      createdAt: now,
      updatedAt: now,
      createdBy: user.id,
      updatedBy: null,
    };
    project.envs.push(env);
    outcomes.push({ ok: true, env });
  }
  const failed = outcomes.find((o) => !o.ok);
  if (!mode.batch && failed && !failed.ok) fail(failed.status, failed.error.code, failed.error.message, failed.error);
  return outcomes;
}

function requireEnv(project: ProjectRecord, id: string): EnvRecord {
  return project.envs.find((e) => e.id === id) ?? notFound(`Environment Variable "${id}" not found`);
}

const EDIT_KEYS = ENV_KEYS;

export function registerEnvRoutes(server: EmulatorServer, ctx: VercelContext): void {
  operation(server, 'filterProjectEnvs', 'GET', '/v10/projects/{idOrName}/env', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const decrypt = req.query.get('decrypt') === 'true';
    const branch = req.query.get('gitBranch');
    const envs = project.envs
      .filter((e) => branch === null || e.gitBranch === undefined || e.gitBranch === branch)
      .sort((a, b) => b.updatedAt - a.updatedAt);
    return {
      status: 200,
      body: { envs: envs.map((e) => renderEnv(e, { kind: 'list', decrypt })), pagination: { count: envs.length, next: null, prev: null } },
    };
  });

  operation(server, 'createProjectEnv', 'POST', '/v10/projects/{idOrName}/env', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const batch = Array.isArray(req.body);
    const items: unknown[] = batch ? (req.body as unknown[]) : [req.body];
    // All-or-nothing validation first: a malformed item fails the whole request with 400.
    const inputs = items.map((item, i) => parseEnvInput(requireObject(item, batch ? `body[${i}]` : 'body')));
    const outcomes = addEnvs(ctx, project, inputs, ctx.userOf(req), { upsert: req.query.get('upsert') === 'true', batch });
    if (outcomes.some((o) => o.ok)) project.updatedAt = ctx.clock.stamp();
    const created = outcomes.flatMap((o) => (o.ok ? [renderEnv(o.env, { kind: 'write' })] : []));
    const failed = outcomes.flatMap((o) => (o.ok ? [] : [{ error: o.error }]));
    return { status: 201, body: { created: batch ? created : created[0], failed } };
  });

  operation(server, 'getProjectEnv', 'GET', '/v1/projects/{idOrName}/env/{id}', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    return { status: 200, body: renderEnv(requireEnv(project, req.params['id'] ?? ''), { kind: 'get' }) };
  });

  operation(server, 'editProjectEnv', 'PATCH', '/v9/projects/{idOrName}/env/{id}', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const env = requireEnv(project, req.params['id'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, EDIT_KEYS);
    const key = optString(body, 'key', 256) ?? env.key;
    if (!KEY_PATTERN.test(key)) badRequest(`Invalid request: \`key\` "${key}" may only contain letters, digits and underscores.`);
    const type = optEnum(body, 'type', ENV_TYPES) ?? env.type;
    // Turning a sensitive variable into a readable one would reveal its value.
    if (env.type === 'sensitive' && type !== 'sensitive') badRequest('Sensitive Environment Variables cannot be changed to another type.');
    const target = body['target'] === undefined ? env.target : parseTargets(body['target']);
    const branchIn = optNullableString(body, 'gitBranch', 250);
    const gitBranch = branchIn === undefined ? env.gitBranch : (branchIn ?? undefined);
    checkCombination(type, target, gitBranch);
    const clash = conflictsWith(project, key, target, gitBranch, env.id)[0];
    if (clash) {
      fail(409, 'ENV_CONFLICT', 'Another Environment Variable with the same Name and Environment exists in your project.', {
        key,
        envVarKey: key,
        envVarId: clash.id,
        target,
        ...(gitBranch === undefined ? {} : { gitBranch }),
      });
    }
    env.key = key;
    env.type = type;
    env.target = [...target];
    env.gitBranch = gitBranch;
    const value = optString(body, 'value', 64 * 1024);
    if (value !== undefined) env.value = value;
    const comment = optString(body, 'comment', 500);
    if (comment !== undefined) env.comment = comment;
    const customEnvironmentIds = optStringArray(body, 'customEnvironmentIds');
    if (customEnvironmentIds !== undefined) env.customEnvironmentIds = customEnvironmentIds;
    env.updatedAt = ctx.clock.stamp();
    env.updatedBy = ctx.userOf(req).id;
    project.updatedAt = env.updatedAt;
    return { status: 200, body: renderEnv(env, { kind: 'write' }) };
  });

  operation(server, 'removeProjectEnv', 'DELETE', '/v9/projects/{idOrName}/env/{id}', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const env = requireEnv(project, req.params['id'] ?? '');
    project.envs = project.envs.filter((e) => e.id !== env.id);
    project.updatedAt = ctx.clock.stamp();
    return { status: 200, body: renderEnv(env, { kind: 'write' }) };
  });

  operation(server, 'batchRemoveProjectEnv', 'DELETE', '/v1/projects/{idOrName}/env', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, new Set(['ids']));
    const ids = optStringArray(body, 'ids') ?? badRequest('Invalid request: missing required property `ids`.');
    const removed = project.envs.filter((e) => ids.includes(e.id)).map((e) => e.id);
    project.envs = project.envs.filter((e) => !ids.includes(e.id));
    if (removed.length > 0) project.updatedAt = ctx.clock.stamp();
    return { status: 200, body: { deleted: removed.length, ids: removed } };
  });
}
