import { setTimeout as sleep } from 'node:timers/promises';
import { BearerAuth } from '../emulator-kit/bearer-auth.ts';
import type { HeaderMap } from '../emulator-kit/json-http.ts';
import { FixedWindowRateLimiter, type RateLimitPolicy, type RateLimitRenderer } from '../emulator-kit/rate-limit.ts';
import { EmulatorServer, type EmulatorRequest } from '../emulator-kit/server.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { authConfigFieldNames, PLATFORM_AUTH_DEFAULTS, registerAuthConfigRoutes } from './auth-config.ts';
import type { DatabaseBackend, ProjectDatabase } from './backend.ts';
import { NotReadyError, type SupabaseContext } from './context.ts';
import { DATA_API_BUCKET, PROJECT_PATH_PREFIX, registerDataApiRoutes } from './data-api.ts';
import { registerDatabaseRoutes } from './database.ts';
import { forbidden, messageReply, notFound } from './errors.ts';
import { signJwt, type JwtClaims } from './jwt.ts';
import { registerNetworkRestrictionRoutes } from './network-restrictions.ts';
import { registerPoolerRoutes } from './pooler.ts';
import { registerProjectRoutes } from './projects.ts';
import { RandomSource } from './random.ts';
import { registerSecretRoutes } from './secrets.ts';
import { SupabaseStore, type OrganizationPlan, type OrganizationRecord, type ProjectRecord, type ProjectStatus } from './store.ts';
import { HostedEmulator } from '../emulator-kit/hosted.ts';

// An in-process Supabase Management API (https://api.supabase.com/v1/...) plus a small data API
// per project under /project/<ref>/ (see data-api.ts), on the shared emulator kit.

export interface SupabaseOrganization {
  readonly slug: string;
  readonly name?: string;
  /** Deprecated in the API in favour of the slug; defaults to the slug. */
  readonly id?: string;
  readonly plan?: OrganizationPlan;
}

export interface SupabaseTokenSpec {
  /** A personal access token, `sbp_…`. */
  readonly token: string;
  /** Organization slugs this token is a member of; omitted = every configured organization. */
  readonly organizations?: readonly string[];
}

export interface SupabaseEmulatorOptions {
  readonly tokens: readonly (string | SupabaseTokenSpec)[];
  readonly organizations: readonly (string | SupabaseOrganization)[];
  /** Where project databases live; the emulator owns it from here on (stop() closes it). */
  readonly backend: DatabaseBackend;
  /** How long a new project stays COMING_UP at least (its database must also exist). Default 0. */
  readonly activationDelayMs?: number;
  /** Per token and per endpoint, fixed window. Default 120 per minute (NOTES §2.3). */
  readonly rateLimit?: { readonly limit?: number; readonly windowMs?: number; readonly perEndpoint?: Readonly<Record<string, RateLimitPolicy>> };
  /** Raw auth config values new projects start with, over the platform defaults. */
  readonly authDefaults?: Readonly<Record<string, unknown>>;
  readonly now?: () => number;
  /** Seeds refs, keys and probabilistic faults, so runs repeat exactly. */
  readonly seed?: number;
}

/** The four keys a project starts with, in clear (what the dashboard shows). */
export interface ProjectKeys {
  readonly anon: string;
  readonly serviceRole: string;
  readonly publishable: string;
  readonly secret: string;
}

/** Read access to the emulator's state for tests; changes go through the HTTP API or the hooks. */
export class SupabaseStateView {
  readonly #store: SupabaseStore;

  constructor(store: SupabaseStore) {
    this.#store = store;
  }

  organizations(): OrganizationRecord[] {
    return [...this.#store.organizations.values()];
  }

  projects(): ProjectRecord[] {
    return [...this.#store.projects.values()];
  }

  project(ref: string): ProjectRecord | undefined {
    return this.#store.projects.get(ref);
  }

  projectsNamed(name: string): ProjectRecord[] {
    return this.projects().filter((p) => p.name === name);
  }

  /** The stored auth config: only fields ever set, secrets in clear. */
  rawAuthConfig(ref: string): Record<string, unknown> {
    return { ...this.#require(ref).auth };
  }

  /** Edge Function secrets in clear. */
  secrets(ref: string): Record<string, string> {
    return Object.fromEntries([...this.#require(ref).secrets.values()].map((s) => [s.name, s.value]));
  }

  keys(ref: string): ProjectKeys {
    const p = this.#require(ref);
    const find = (type: string, name?: string) => p.apiKeys.find((k) => k.type === type && (name === undefined || k.name === name))?.apiKey ?? '';
    return { anon: find('legacy', 'anon'), serviceRole: find('legacy', 'service_role'), publishable: find('publishable'), secret: find('secret') };
  }

  jwtSecret(ref: string): string {
    return this.#require(ref).jwtSecret;
  }

  /** The project's database once created, whatever the activation delay says. */
  async database(ref: string): Promise<ProjectDatabase> {
    const p = this.#require(ref);
    await p.databaseReady;
    if (p.database.state !== 'ready') throw new Error(`project ${ref}: database ${p.database.state === 'failed' ? `failed: ${p.database.error}` : 'not created'}`);
    return p.database.db;
  }

  #require(ref: string): ProjectRecord {
    const p = this.#store.projects.get(ref);
    if (!p) throw new Error(`no project ${ref}`);
    return p;
  }
}

export class SupabaseEmulator extends HostedEmulator {
  readonly server: EmulatorServer;
  readonly state: SupabaseStateView;
  readonly rateLimiter: FixedWindowRateLimiter;
  readonly #ctx: SupabaseContext;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: SupabaseEmulatorOptions) {
    super();
    if (options.tokens.length === 0) throw new Error('createSupabaseEmulator: at least one token is required');
    const store = new SupabaseStore();
    for (const o of options.organizations) {
      const spec: SupabaseOrganization = typeof o === 'string' ? { slug: o } : o;
      store.organizations.set(spec.slug, { id: spec.id ?? spec.slug, slug: spec.slug, name: spec.name ?? spec.slug, plan: spec.plan ?? 'free' });
    }
    // Membership per token: undefined = every organization.
    const grants = new Map<string, ReadonlySet<string> | undefined>();
    for (const t of options.tokens) {
      const spec: SupabaseTokenSpec = typeof t === 'string' ? { token: t } : t;
      const unknown = (spec.organizations ?? []).filter((slug) => !store.organizations.has(slug));
      if (unknown.length > 0) throw new Error(`createSupabaseEmulator: token lists unknown organizations ${unknown.join(', ')}`);
      grants.set(spec.token, spec.organizations ? new Set(spec.organizations) : undefined);
    }

    const now = options.now ?? Date.now;
    const delay = options.activationDelayMs ?? 0;
    const backend = options.backend;
    const isMember = (req: EmulatorRequest, slug: string) => {
      const orgs = grants.get(req.token ?? '');
      return orgs === undefined || orgs.has(slug);
    };
    const statusOf = (p: ProjectRecord): ProjectStatus => {
      if (p.statusOverride) return p.statusOverride;
      if (p.database.state === 'failed') return 'INIT_FAILED';
      return p.database.state === 'ready' && now() >= p.createdAtMs + delay ? 'ACTIVE_HEALTHY' : 'COMING_UP';
    };

    this.#ctx = {
      store,
      random: new RandomSource(options.seed ?? 1),
      backend,
      now,
      authDefaults: { ...PLATFORM_AUTH_DEFAULTS, ...(options.authDefaults ?? {}) },
      organizationsOf: (req) => [...store.organizations.values()].filter((o) => isMember(req, o.slug)),
      organization: (req, slug) => {
        const org = store.organizations.get(slug);
        if (!org) notFound('Organization not found');
        if (!isMember(req, slug)) forbidden();
        return org;
      },
      project: (req, ref) => {
        const p = store.projects.get(ref);
        if (!p) notFound('Project not found');
        if (!isMember(req, p.organizationSlug)) forbidden();
        return p;
      },
      statusOf,
      database: async (p) => {
        if (p.statusOverride && p.statusOverride !== 'ACTIVE_HEALTHY') throw new NotReadyError(p.ref, p.statusOverride);
        if (now() < p.createdAtMs + delay) throw new NotReadyError(p.ref, 'COMING_UP');
        await p.databaseReady;
        if (p.database.state !== 'ready') throw new NotReadyError(p.ref, statusOf(p));
        return p.database.db;
      },
      provision: (p) => {
        const done = backend.create(p.ref).then(
          async (db) => {
            // Deleted while its database was being created: nobody will ever drop it otherwise.
            if (store.projects.get(p.ref) !== p) {
              await db.drop().catch(() => {});
              return;
            }
            p.database = { state: 'ready', db };
          },
          (err: unknown) => {
            p.database = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
          },
        );
        p.databaseReady = done;
        this.#pending.add(done);
        void done.finally(() => this.#pending.delete(done));
        return done;
      },
    };

    const auth = new BearerAuth({ tokens: grants.keys(), reject: () => messageReply(401, 'Unauthorized') });
    const windowMs = options.rateLimit?.windowMs ?? 60_000;
    this.rateLimiter = new FixedWindowRateLimiter({
      limit: options.rateLimit?.limit ?? 120,
      windowMs,
      // The data API is not the Management API: its own unlimited bucket, and no headers.
      policyFor: (endpoint) => (endpoint === DATA_API_BUCKET ? { limit: Number.MAX_SAFE_INTEGER, windowMs } : options.rateLimit?.perEndpoint?.[endpoint]),
      ...(options.now ? { now: options.now } : {}),
    });
    this.server = new EmulatorServer({
      name: 'supabase',
      errorBody: (_status, _code, message) => ({ message }),
      auth,
      // Supabase counts per user and per project or organization (project creation counts against its organization).
      rateLimit: { limiter: this.rateLimiter, render: supabaseRateLimit, scope: rateLimitScope },
      faultSeed: options.seed ?? 1,
    });
    registerProjectRoutes(this.server, this.#ctx);
    registerApiKeyRoutes(this.server, this.#ctx);
    registerAuthConfigRoutes(this.server, this.#ctx);
    registerDatabaseRoutes(this.server, this.#ctx);
    registerSecretRoutes(this.server, this.#ctx);
    registerPoolerRoutes(this.server, this.#ctx);
    registerNetworkRestrictionRoutes(this.server, this.#ctx);
    registerDataApiRoutes(this.server, this.#ctx);
    this.state = new SupabaseStateView(store);
  }

  /** Stops the HTTP server, waits for databases still being created, and closes the backend. */
  override async stop(): Promise<void> {
    await this.server.stop();
    await Promise.all([...this.#pending]);
    await this.#ctx.backend.close();
  }

  /** What `createClient(url, key)` of @supabase/supabase-js takes for this project. */
  projectUrl(ref: string): string {
    return `${this.url}${PROJECT_PATH_PREFIX}/${ref}`;
  }

  /** Polls (the clock, not HTTP) until the project reports ACTIVE_HEALTHY. */
  async waitUntilActive(ref: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.state.project(ref);
      if (!p) throw new Error(`no project ${ref}`);
      const status = this.#ctx.statusOf(p);
      if (status === 'ACTIVE_HEALTHY') return;
      if (status === 'INIT_FAILED') throw new Error(`project ${ref} failed to initialise: ${p.database.state === 'failed' ? p.database.error : ''}`);
      if (Date.now() > deadline) throw new Error(`project ${ref} still ${status} after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** A user's access token as Supabase Auth would issue it: role authenticated, signed with the project's JWT secret. */
  userJwt(ref: string, user: { sub: string; email?: string; role?: string; expiresInS?: number; claims?: JwtClaims }): string {
    const p = this.state.project(ref);
    if (!p) throw new Error(`no project ${ref}`);
    const iat = Math.floor(this.#ctx.now() / 1000);
    return signJwt(
      {
        iss: `https://${ref}.supabase.co/auth/v1`,
        aud: 'authenticated',
        sub: user.sub,
        role: user.role ?? 'authenticated',
        ...(user.email ? { email: user.email } : {}),
        iat,
        exp: iat + (user.expiresInS ?? 3600),
        ...(user.claims ?? {}),
      },
      p.jwtSecret,
    );
  }

  /** Drift: someone changed auth settings in the dashboard. Raw values, secrets in clear; null unsets. */
  patchAuthBehindBack(ref: string, fields: Readonly<Record<string, unknown>>): void {
    const p = this.state.project(ref);
    if (!p) throw new Error(`no project ${ref}`);
    const known = new Set(authConfigFieldNames());
    for (const [name, value] of Object.entries(fields)) {
      if (!known.has(name)) throw new Error(`patchAuthBehindBack: ${name} is not an AuthConfigResponse property`);
      if (value === null) delete p.auth[name];
      else p.auth[name] = value;
    }
  }

  /** Forces a status (e.g. INACTIVE for a paused project); undefined returns to the computed one. */
  setProjectStatus(ref: string, status: ProjectStatus | undefined): void {
    const p = this.state.project(ref);
    if (!p) throw new Error(`no project ${ref}`);
    p.statusOverride = status;
  }
}

export function createSupabaseEmulator(options: SupabaseEmulatorOptions): SupabaseEmulator {
  return new SupabaseEmulator(options);
}

/** X-RateLimit-* on every Management API response; Reset is the seconds left in the window. */
export const supabaseRateLimit: RateLimitRenderer = {
  headers: (s): HeaderMap =>
    s.endpoint === DATA_API_BUCKET
      ? {}
      : {
          'x-ratelimit-limit': String(s.limit),
          'x-ratelimit-remaining': String(s.remaining),
          'x-ratelimit-reset': String(Math.max(0, Math.ceil((s.resetAtMs - s.nowMs) / 1000))),
        },
  body: () => ({ message: 'Rate limit exceeded' }),
};

function rateLimitScope(request: { readonly params: Readonly<Record<string, string>>; readonly raw: string }): string | undefined {
  if (request.params['ref']) return `project:${request.params['ref']}`;
  if (request.params['slug']) return `organization:${request.params['slug']}`;
  try {
    const slug = (JSON.parse(request.raw) as { organization_slug?: unknown }).organization_slug;
    return typeof slug === 'string' ? `organization:${slug}` : undefined;
  } catch {
    return undefined;
  }
}
