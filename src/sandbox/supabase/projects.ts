import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorServer } from '../emulator-kit/server.ts';
import { initialApiKeys } from './api-keys.ts';
import { initialAuthConfig } from './auth-config.ts';
import type { SupabaseContext } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { isObject, optEnum, optString, queryInteger, rejectUnknown, reqString, requireObject, type Obj } from './input.ts';
import { REGIONS, type OrganizationRecord, type ProjectRecord, type ProjectStatus, type Region } from './store.ts';

// Projects are created COMING_UP and report ACTIVE_HEALTHY once their database exists and the
// configured activation delay has passed (the emulator's stand-in for provisioning).

const CREATE_KEYS = new Set([
  'db_pass',
  'name',
  'organization_id',
  'organization_slug',
  'plan',
  'region',
  'region_selection',
  'kps_enabled',
  'desired_instance_size',
  'template_url',
]);
const INSTANCE_SIZES = [
  'nano',
  'micro',
  'small',
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '12xlarge',
  '16xlarge',
  '24xlarge',
  '24xlarge_optimized_memory',
  '24xlarge_optimized_cpu',
  '24xlarge_high_memory',
  '48xlarge',
  '48xlarge_optimized_memory',
  '48xlarge_optimized_cpu',
  '48xlarge_high_memory',
] as const;
// Smart groups resolve to one region of the group; the platform picks the closest, we pick one.
const SMART_GROUPS: Readonly<Record<string, Region>> = { americas: 'us-east-1', emea: 'eu-central-1', apac: 'ap-southeast-1' };
const DEFAULT_REGION: Region = 'us-east-1';
export const POSTGRES_VERSION = '15.8.1.100';

const HEALTH_SERVICES = ['auth', 'db', 'db_postgres_user', 'pooler', 'realtime', 'rest', 'storage', 'pg_bouncer'] as const;
type HealthService = (typeof HEALTH_SERVICES)[number];

function regionOf(body: Obj): Region {
  const region = body['region'];
  const selection = body['region_selection'];
  if (region !== undefined && selection !== undefined) badRequest('Only one of region or region_selection can be specified');
  if (region !== undefined) return optEnum(body, 'region', REGIONS) ?? DEFAULT_REGION;
  if (selection === undefined) return DEFAULT_REGION;
  if (!isObject(selection)) badRequest('region_selection must be an object');
  if (selection['type'] === 'specific') return optEnum(selection, 'code', REGIONS) ?? badRequest('region_selection.code should not be empty');
  if (selection['type'] === 'smartGroup') {
    const code = selection['code'];
    const region = typeof code === 'string' ? SMART_GROUPS[code] : undefined;
    return region ?? badRequest('region_selection.code must be one of the following values: americas, emea, apac');
  }
  return badRequest('region_selection.type must be one of the following values: specific, smartGroup');
}

export function newProject(ctx: SupabaseContext, org: OrganizationRecord, input: { name: string; region: Region; dbPass: string }): ProjectRecord {
  let ref = ctx.random.projectRef();
  while (ctx.store.projects.has(ref)) ref = ctx.random.projectRef();
  const createdAtMs = ctx.now();
  const createdAt = new Date(createdAtMs).toISOString();
  const jwtSecret = ctx.random.token(40);
  const base = { ref, jwtSecret, createdAtMs, createdAt };
  const project: ProjectRecord = {
    numericId: ctx.store.nextNumericId(),
    ref,
    name: input.name,
    organizationSlug: org.slug,
    organizationId: org.id,
    region: input.region,
    createdAt,
    createdAtMs,
    statusOverride: undefined,
    jwtSecret,
    dbPassDigest: createHash('sha256').update(input.dbPass).digest('hex'),
    apiKeys: initialApiKeys(ctx.random, base),
    legacyKeysEnabled: true,
    auth: initialAuthConfig(ctx.authDefaults),
    secrets: new Map(),
    pooler: { defaultPoolSize: 15, poolMode: 'transaction', maxClientConn: 200 },
    network: {
      config: { dbAllowedCidrs: ['0.0.0.0/0'], dbAllowedCidrsV6: ['::/0'] },
      oldConfig: undefined,
      status: 'applied',
      updatedAt: undefined,
      appliedAt: undefined,
    },
    database: { state: 'creating' },
    databaseReady: Promise.resolve(),
  };
  ctx.store.projects.set(ref, project);
  return project;
}

export function renderProject(ctx: SupabaseContext, p: ProjectRecord): Obj {
  return {
    id: p.ref,
    ref: p.ref,
    organization_id: p.organizationId,
    organization_slug: p.organizationSlug,
    name: p.name,
    region: p.region,
    created_at: p.createdAt,
    status: ctx.statusOf(p),
  };
}

export function renderProjectWithDatabase(ctx: SupabaseContext, p: ProjectRecord): Obj {
  return {
    ...renderProject(ctx, p),
    database: { host: `db.${p.ref}.supabase.co`, version: POSTGRES_VERSION, postgres_engine: '15', release_channel: 'ga' },
  };
}

/** The organization listing's database entry speaks a smaller status vocabulary. */
function databaseStatus(status: ProjectStatus): string {
  const same = ['ACTIVE_HEALTHY', 'ACTIVE_UNHEALTHY', 'COMING_UP', 'GOING_DOWN', 'INIT_FAILED', 'REMOVED', 'RESTORING', 'RESTARTING', 'RESIZING'];
  return same.includes(status) ? status : 'UNKNOWN';
}

function renderOrganizationProject(ctx: SupabaseContext, p: ProjectRecord): Obj {
  const status = ctx.statusOf(p);
  return {
    ref: p.ref,
    name: p.name,
    cloud_provider: 'AWS',
    region: p.region,
    is_branch: false,
    status,
    inserted_at: p.createdAt,
    databases: [
      {
        infra_compute_size: 'nano',
        region: p.region,
        status: databaseStatus(status),
        cloud_provider: 'AWS',
        identifier: p.ref,
        type: 'PRIMARY',
        disk_volume_size_gb: 8,
        disk_type: 'gp3',
        disk_throughput_mbps: 125,
      },
    ],
  };
}

function healthOf(ctx: SupabaseContext, p: ProjectRecord, service: HealthService): Obj {
  const status = ctx.statusOf(p);
  if (p.database.state === 'failed') return { name: service, healthy: false, status: 'UNHEALTHY', error: p.database.error };
  if (status !== 'ACTIVE_HEALTHY') return { name: service, healthy: false, status: status === 'COMING_UP' ? 'COMING_UP' : 'UNHEALTHY' };
  const out: Obj = { name: service, healthy: true, status: 'ACTIVE_HEALTHY' };
  if (service === 'auth') out['info'] = { name: 'GoTrue', version: 'v2.177.0', description: 'GoTrue is a user registration and authentication API' };
  if (service === 'rest') out['info'] = { db_schema: 'public' };
  if (service === 'realtime') out['info'] = { healthy: true, db_connected: true, replication_connected: true, connected_cluster: 1 };
  return out;
}

function healthServices(req: EmulatorRequest): HealthService[] {
  // Both `services=db&services=auth` and `services=db,auth` reach the API in practice.
  const raw = req.query.getAll('services').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (raw.length === 0) badRequest('services should not be empty');
  for (const s of raw) {
    if (!(HEALTH_SERVICES as readonly string[]).includes(s)) badRequest(`each value in services must be one of the following values: ${HEALTH_SERVICES.join(', ')}`);
  }
  return [...new Set(raw)] as HealthService[];
}

function sortProjects(projects: ProjectRecord[], sort: string): ProjectRecord[] {
  const byName = (a: ProjectRecord, b: ProjectRecord) => a.name.localeCompare(b.name) || a.ref.localeCompare(b.ref);
  const byCreated = (a: ProjectRecord, b: ProjectRecord) => a.createdAtMs - b.createdAtMs || a.numericId - b.numericId;
  switch (sort) {
    case 'name_asc':
      return projects.sort(byName);
    case 'name_desc':
      return projects.sort((a, b) => byName(b, a));
    case 'created_asc':
      return projects.sort(byCreated);
    case 'created_desc':
      return projects.sort((a, b) => byCreated(b, a));
    default:
      return badRequest('sort must be one of the following values: name_asc, name_desc, created_asc, created_desc');
  }
}

export function registerProjectRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  const visible = (req: EmulatorRequest) => {
    const slugs = new Set(ctx.organizationsOf(req).map((o) => o.slug));
    return [...ctx.store.projects.values()].filter((p) => slugs.has(p.organizationSlug));
  };

  server.route('GET', '/v1/organizations', (req) => ({
    status: 200,
    body: ctx.organizationsOf(req).map((o) => ({ id: o.id, slug: o.slug, name: o.name })),
  }));

  server.route('GET', '/v1/organizations/{slug}', (req) => {
    const org = ctx.organization(req, req.params['slug'] ?? '');
    return { status: 200, body: { id: org.id, name: org.name, plan: org.plan, opt_in_tags: [], allowed_release_channels: ['ga'] } };
  });

  server.route('POST', '/v1/projects', (req) => {
    const body = requireObject(req.body);
    rejectUnknown(body, CREATE_KEYS);
    const name = reqString(body, 'name', { minLength: 1, maxLength: 256 });
    const dbPass = reqString(body, 'db_pass', { minLength: 1 });
    const slug = reqString(body, 'organization_slug');
    if (!/^[\w-]+$/.test(slug)) badRequest('organization_slug must match /^[\\w-]+$/ regular expression');
    const region = regionOf(body);
    optEnum(body, 'desired_instance_size', INSTANCE_SIZES);
    optString(body, 'template_url');
    const org = ctx.organization(req, slug);
    const project = newProject(ctx, org, { name, region, dbPass });
    void ctx.provision(project);
    return { status: 201, body: renderProject(ctx, project) };
  });

  server.route('GET', '/v1/projects', (req) => ({
    status: 200,
    body: sortProjects(visible(req), 'created_asc').map((p) => renderProjectWithDatabase(ctx, p)),
  }));

  server.route('GET', '/v1/organizations/{slug}/projects', (req) => {
    const org = ctx.organization(req, req.params['slug'] ?? '');
    const offset = queryInteger(req.query, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = queryInteger(req.query, 'limit', 1, 100) ?? 100;
    const search = (req.query.get('search') ?? '').toLowerCase();
    const statuses = (req.query.get('statuses') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const matching = sortProjects(
      [...ctx.store.projects.values()].filter(
        (p) =>
          p.organizationSlug === org.slug &&
          (search === '' || p.name.toLowerCase().includes(search) || p.ref.includes(search)) &&
          (statuses.length === 0 || statuses.includes(ctx.statusOf(p))),
      ),
      req.query.get('sort') ?? 'name_asc',
    );
    return {
      status: 200,
      body: { projects: matching.slice(offset, offset + limit).map((p) => renderOrganizationProject(ctx, p)), pagination: { count: matching.length, limit, offset } },
    };
  });

  server.route('GET', '/v1/projects/{ref}', (req) => ({ status: 200, body: renderProjectWithDatabase(ctx, ctx.project(req, req.params['ref'] ?? '')) }));

  server.route('PATCH', '/v1/projects/{ref}', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, new Set(['name']));
    project.name = reqString(body, 'name', { minLength: 1, maxLength: 256 });
    return { status: 200, body: { id: project.numericId, ref: project.ref, name: project.name } };
  });

  server.route('DELETE', '/v1/projects/{ref}', async (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    ctx.store.projects.delete(project.ref);
    await project.databaseReady;
    if (project.database.state === 'ready') await project.database.db.drop();
    return { status: 200, body: { id: project.numericId, ref: project.ref, name: project.name } };
  });

  server.route('GET', '/v1/projects/{ref}/health', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const services = healthServices(req);
    queryInteger(req.query, 'timeout_ms', 0, 10_000);
    return { status: 200, body: services.map((s) => healthOf(ctx, project, s)) };
  });
}

/** For routes that only exist for projects the emulator knows (the data API). */
export function knownProject(ctx: SupabaseContext, ref: string): ProjectRecord {
  return ctx.store.projects.get(ref) ?? notFound('Project not found');
}
