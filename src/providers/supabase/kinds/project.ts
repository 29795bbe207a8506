/**
 * Supabase projects, one per venture and environment, found by name. A list reads the plan's
 * directory (shared), then the project's keys (revealed), its pooler config and its database
 * snapshot (shared with rls and policy): the outputs other resources consume.
 *
 * Create: the password is generated here (generateSecret, registered with processRedactor,
 * never printed) and kept in the project's database (database-snapshot.ts) once it is up. A
 * create is not idempotent (two projects may share a name), so the name is looked up right
 * before it, and again after any ambiguous failure: a lost answer never makes a second
 * project. A run killed after the create leaves a project the inventory already claims; the
 * next plan finds it, and if its password was not kept yet, the update sets a new one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { address, type Address } from '../../../model/address.ts';
import { ApplyError, type ApplyResult, type ResourceKind } from '../../../model/provider.ts';
import type { JsonObject, ObservedResource } from '../../../model/resource.ts';
import { Sensitive } from '../../../model/sensitive.ts';
import { generateSecret } from '../../../secrets/fingerprint.ts';
import { processRedactor } from '../../../secrets/redact.ts';
import { AmbiguousWriteError, type ApiKeyInfo, type PoolerInfo, type ProjectInfo } from '../client.ts';
import { currentSecretKey } from '../key-rotation.ts';
import { keepPasswordSql, type DatabaseSnapshot } from '../database-snapshot.ts';
import { PASSWORD_KEPT } from '../desired.ts';
import { specOf, type KindContext } from './context.ts';

export const PASSWORD_UNKNOWN = 'unknown to shipyard';
const HEALTHY = 'ACTIVE_HEALTHY';
/** Statuses a wait cannot end: someone must act (restore, unpause, contact support). */
const STUCK = new Set(['INACTIVE', 'INIT_FAILED', 'REMOVED', 'GOING_DOWN', 'PAUSING', 'PAUSE_FAILED', 'RESTORE_FAILED']);
const CREATE_ATTEMPTS = 3;

export function projectAddress(name: string): Address {
  return address('supabase', name, 'project', name);
}

/** Live project in the shape of the desired spec (desired.ts). */
function projectState(p: ProjectInfo, password: string): JsonObject {
  return { name: p.name, organization_slug: p.organizationSlug, region: p.region, databasePassword: password };
}

function passwordState(p: ProjectInfo, snapshot: DatabaseSnapshot | undefined): string {
  if (p.status !== HEALTHY || !snapshot) return `unreadable while the project is ${p.status}`;
  return snapshot.password !== undefined ? PASSWORD_KEPT : PASSWORD_UNKNOWN;
}

export function projectKind(ctx: KindContext): ResourceKind {
  const readOutputs = async (at: Address, p: ProjectInfo, snapshot: DatabaseSnapshot | undefined) => {
    const [keys, poolers] = await Promise.all([ctx.client.apiKeys(at, p.ref), ctx.client.pooler(at, p.ref)]);
    return projectOutputs(ctx, p, keys, poolers, snapshot?.password);
  };

  return {
    kind: 'project',
    replaceOn: ['/region', '/organization_slug'],
    irreversibleOnDelete: 'deletes the Supabase project: its database with all data, its users, storage and API keys',
    async list(scope) {
      const at = projectAddress(scope);
      const p = await ctx.projectForList('project', scope);
      if (!p) return [];
      const snapshot = p.status === HEALTHY ? await ctx.snapshotForList('project', p.ref, at) : undefined;
      const observed: ObservedResource = { address: at, id: p.ref, state: projectState(p, passwordState(p, snapshot)), outputs: await readOutputs(at, p, snapshot) };
      return [observed];
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      if (operation.action === 'delete') {
        const ref = operation.observed?.id ?? (await ctx.projectNow(operation.scope))?.ref;
        if (ref) await ctx.client.deleteProject(at, ref);
        ctx.projectsChanged();
        return {};
      }
      const spec = specOf(operation);
      const wanted = { name: String(spec.name ?? operation.scope), organizationSlug: String(spec.organization_slug ?? ''), region: String(spec.region ?? '') };
      let project: ProjectInfo;
      let password: string | undefined;
      if (operation.action === 'create') ({ project, password } = await create(ctx, at, wanted));
      else project = (await ctx.client.getProject(at, operation.observed?.id ?? (await ctx.refForApply(operation)))) ?? gone(at);
      project = await waitUntilHealthy(ctx, at, project);
      const snapshot = await ctx.snapshotNow(project.ref, at);
      if (password === undefined && snapshot.password === undefined) {
        // Never known (adopted) or lost (a run died before keeping it): a new one, and apps using the old one must switch.
        password = newPassword();
        await keep(ctx, at, project.ref, password, true);
        ctx.progress(at, 'Shipyard did not know the database password: it set a new one and keeps it; DATABASE_URL consumers get the new value');
      } else if (password !== undefined) {
        await keep(ctx, at, project.ref, password, false);
      }
      const kept = password ?? snapshot.password;
      const outputs = await readOutputs(at, project, { ...snapshot, password: kept });
      return { id: project.ref, outputs, state: projectState(project, PASSWORD_KEPT) };
    },
  };
}

async function create(ctx: KindContext, at: Address, wanted: { name: string; organizationSlug: string; region: string }): Promise<{ project: ProjectInfo; password: string | undefined }> {
  // The name first: the plan said there is none. One this process tried to create before (the
  // engine retrying the step after ambiguous failures) is ours; any other is not ours to take.
  const existing = await ctx.projectNow(wanted.name);
  if (existing) {
    if (!ctx.triedToCreate(wanted.name)) {
      throw new ApplyError(at, `a project named ${wanted.name} (${existing.ref} in ${existing.organizationSlug}) appeared after the plan was made: plan again, and adopt it (\`shipyard plan --adopt ${at}\`) if it is this venture's`);
    }
    ctx.progress(at, `an earlier attempt created ${wanted.name} (${existing.ref}); using it`);
    return { project: existing, password: undefined };
  }
  for (let attempt = 1; ; attempt++) {
    const password = newPassword();
    ctx.tryingToCreate(wanted.name);
    try {
      const project = await ctx.client.createProject(at, { name: wanted.name, organizationSlug: wanted.organizationSlug, region: wanted.region, dbPass: password });
      ctx.projectsChanged();
      ctx.progress(at, `created project ${wanted.name} (${project.ref}) in ${project.region}`);
      return { project, password };
    } catch (error) {
      if (!(error instanceof AmbiguousWriteError) || attempt >= CREATE_ATTEMPTS) throw error;
      ctx.progress(at, `no answer to the create (${error.message.slice(at.length + 2)}); looking the name up before trying again`);
      const found = await ctx.projectNow(wanted.name);
      if (found) {
        ctx.progress(at, `the create went through: project ${found.ref}`);
        return { project: found, password };
      }
    }
  }
}

function newPassword(): string {
  const password = generateSecret({ length: 40, alphabet: 'alphanumeric' }).reveal();
  processRedactor.add(password);
  return password;
}

async function keep(ctx: KindContext, at: Address, ref: string, password: string, reset: boolean): Promise<void> {
  await ctx.client.query(at, ref, keepPasswordSql(password, { reset }));
  ctx.databaseChanged(ref);
}

/**
 * Polls the project until ACTIVE_HEALTHY, with progress notes while it comes up. The interval
 * grows (×1.25, at most 15 s): a project takes minutes, and its polls share one endpoint's
 * rate limit with every other project coming up.
 */
async function waitUntilHealthy(ctx: KindContext, at: Address, project: ProjectInfo): Promise<ProjectInfo> {
  const started = Date.now();
  let interval = ctx.options.pollIntervalMs;
  let current = project;
  let reported = '';
  let lastNote = started;
  for (;;) {
    if (current.status === HEALTHY) {
      if (reported) ctx.progress(at, `${current.name} is ${HEALTHY} after ${Math.round((Date.now() - started) / 1000)} s`);
      return current;
    }
    if (STUCK.has(current.status)) {
      throw new ApplyError(at, `project ${current.name} (${current.ref}) is ${current.status}: it will not become healthy by waiting; restore or fix it in the Supabase dashboard, then apply again`);
    }
    const elapsed = Date.now() - started;
    if (current.status !== reported || Date.now() - lastNote >= 30_000) {
      ctx.progress(at, `waiting for ${current.name} to become ${HEALTHY} (now ${current.status}, ${Math.round(elapsed / 1000)} s)`);
      reported = current.status;
      lastNote = Date.now();
    }
    if (elapsed > ctx.options.activationTimeoutMs) {
      throw new ApplyError(at, `project ${current.name} (${current.ref}) is still ${current.status} after ${Math.round(elapsed / 1000)} s; Supabase keeps starting it: run apply again later, it continues from here`);
    }
    await sleep(interval);
    interval = Math.min(15_000, Math.max(interval, Math.round(interval * 1.25)));
    current = (await ctx.client.getProject(at, current.ref)) ?? gone(at);
  }
}

function projectOutputs(ctx: KindContext, p: ProjectInfo, keys: ApiKeyInfo[], poolers: PoolerInfo[], password: string | undefined): Record<string, string | Sensitive<string>> {
  const outputs: Record<string, string | Sensitive<string>> = { ref: p.ref, url: ctx.options.projectUrl(p.ref) };
  const legacy = (name: string) => keys.find((k) => k.type === 'legacy' && k.name === name)?.apiKey;
  const modern = (type: string) => keys.filter((k) => k.type === type).sort((a, b) => Number(b.name === 'default') - Number(a.name === 'default'));
  const anon = legacy('anon');
  const serviceRole = legacy('service_role');
  const publishable = modern('publishable')[0]?.apiKey;
  const secret = currentSecretKey(keys)?.apiKey;
  if (anon) outputs.anonKey = anon;
  if (publishable) outputs.publishableKey = publishable;
  if (serviceRole) outputs.serviceRoleKey = new Sensitive(serviceRole);
  if (secret) outputs.secretKey = new Sensitive(secret);
  // The data store endpoint: the primary database's pooler (no password in it).
  const pooler = poolers.find((x) => x.databaseType === 'PRIMARY') ?? poolers[0];
  if (pooler?.connectionString) {
    outputs.poolerUrl = pooler.connectionString;
    if (password !== undefined) {
      const url = new URL(pooler.connectionString);
      url.password = password;
      const databaseUrl = url.toString();
      processRedactor.add(databaseUrl);
      outputs.databaseUrl = new Sensitive(databaseUrl);
    }
  }
  return outputs;
}

function gone(at: Address): never {
  throw new ApplyError(at, 'the project disappeared while applying; plan again');
}

