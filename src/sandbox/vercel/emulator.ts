import { BearerAuth, type AuthFailure } from '../emulator-kit/bearer-auth.ts';
import { FixedWindowRateLimiter, type RateLimitPolicy, type RateLimitRenderer } from '../emulator-kit/rate-limit.ts';
import type { EmulatorReply } from '../emulator-kit/reply.ts';
import { EmulatorServer } from '../emulator-kit/server.ts';
import type { VercelContext } from './context.ts';
import { deployPush, registerDeploymentRoutes, type GitPush } from './deployments.ts';
import { DnsMarks, normalise, type DnsAnswers, type DnsLookup } from './dns-lookup.ts';
import { registerDnsRoutes } from './dns.ts';
import { registerDomainRoutes } from './domains.ts';
import { registerEnvRoutes } from './env.ts';
import { forbidden, vercelErrorBody } from './errors.ts';
import { registerProjectRoutes } from './projects.ts';
import { IdSource, MonotonicClock } from './sequence.ts';
import { apexOf, findProject, type DeploymentRecord, type DnsRecordEntry, type ProjectRecord, type ReadyState, type ScopeState, type UserRecord, VercelStore } from './store.ts';
import { HostedEmulator } from '../emulator-kit/hosted.ts';

export interface VercelTeam {
  readonly id: string;
  readonly slug: string;
}

export interface VercelTokenSpec {
  readonly token: string;
  readonly user?: Partial<UserRecord>;
  /** Team ids this token may act for; omitted = every configured team. */
  readonly teams?: readonly string[];
}

export interface VercelEmulatorOptions {
  readonly tokens: readonly (string | VercelTokenSpec)[];
  readonly teams?: readonly VercelTeam[];
  /** Per token and per endpoint (operation id), fixed window. Default 1000 per minute. */
  readonly rateLimit?: { readonly limit?: number; readonly windowMs?: number; readonly perEndpoint?: Readonly<Record<string, RateLimitPolicy>> };
  /** Replaces the built-in DNS view (test marks + the emulator's own DNS records); see resolverLookup(). */
  readonly dnsLookup?: DnsLookup;
  /**
   * Built-in view only: records created through the DNS API answer lookups, as if the zone
   * used Vercel's nameservers (default true). False = only `emulator.dns` marks count.
   */
  readonly hostedDns?: boolean;
  /** Repositories the git integration can see: "owner/name" → default branch. Omitted = any repo, branch "main". */
  readonly gitRepositories?: Readonly<Record<string, { readonly defaultBranch: string }>>;
  /** Apex domains used by another Vercel account: adding them requires TXT verification. */
  readonly claimedDomains?: readonly string[];
  /** Vercel answers 403 for a missing or invalid token; 401 is available for clients that expect it. */
  readonly authFailureStatus?: 401 | 403;
  readonly now?: () => number;
  /** Seeds ids and probabilistic faults, so runs repeat exactly. */
  readonly seed?: number;
}

interface TokenGrant {
  readonly user: UserRecord;
  readonly teams: readonly string[] | undefined;
}

/** Read access (and a few seeding helpers) for tests; routes go through the HTTP API. */
export class VercelStateView {
  readonly #store: VercelStore;
  readonly #defaultUser: UserRecord;
  readonly #teams: readonly VercelTeam[];

  constructor(store: VercelStore, defaultUser: UserRecord, teams: readonly VercelTeam[]) {
    this.#store = store;
    this.#defaultUser = defaultUser;
    this.#teams = teams;
  }

  /** A team's scope, or the first token user's personal account when teamId is omitted. */
  scope(teamId?: string): ScopeState {
    if (teamId === undefined) return this.#store.scope('user', this.#defaultUser.id, this.#defaultUser.username);
    const team = this.#teams.find((t) => t.id === teamId || t.slug === teamId);
    if (!team) throw new Error(`unknown team ${teamId}`);
    return this.#store.scope('team', team.id, team.slug);
  }

  projects(teamId?: string): ProjectRecord[] {
    return [...this.scope(teamId).projects.values()];
  }

  project(idOrName: string, teamId?: string): ProjectRecord | undefined {
    return findProject(this.scope(teamId), idOrName);
  }

  deployments(teamId?: string): DeploymentRecord[] {
    return [...this.scope(teamId).deployments.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  records(domain: string, teamId?: string): DnsRecordEntry[] {
    const zone = normalise(domain);
    return [...this.scope(teamId).records.values()].filter((r) => r.domain === zone);
  }

  /** Seeds an account domain (as if bought or added earlier) so DNS records can be managed. */
  addDomain(apex: string, teamId?: string): void {
    this.scope(teamId).domains.add(normalise(apex));
  }

  reset(): void {
    this.#store.clear();
  }
}

export class VercelEmulator extends HostedEmulator {
  readonly server: EmulatorServer;
  readonly state: VercelStateView;
  /** Built-in DNS answers: mark domains configured or misconfigured, add TXT values. */
  readonly dns = new DnsMarks();
  readonly rateLimiter: FixedWindowRateLimiter;
  readonly #ctx: VercelContext;
  readonly #gitUser: UserRecord;

  constructor(options: VercelEmulatorOptions) {
    super();
    if (options.tokens.length === 0) throw new Error('createVercelEmulator: at least one token is required');
    const teams = options.teams ?? [];
    const grants = new Map<string, TokenGrant>();
    options.tokens.forEach((spec, i) => {
      const s: VercelTokenSpec = typeof spec === 'string' ? { token: spec } : spec;
      const id = s.user?.id ?? `user_${String(i + 1).padStart(2, '0')}emulator`;
      const username = s.user?.username ?? (i === 0 ? 'shipyard' : `shipyard-${i + 1}`);
      grants.set(s.token, { user: { id, username, email: s.user?.email ?? `${username}@example.test` }, teams: s.teams });
    });
    const first = grants.values().next().value as TokenGrant;
    this.#gitUser = first.user;

    const store = new VercelStore();
    const clock = new MonotonicClock(options.now);
    const ids = new IdSource(`vercel-emulator:${options.seed ?? 1}`);
    const claimed = new Set((options.claimedDomains ?? []).map(normalise));
    const repos = options.gitRepositories;
    const hostedDns = options.hostedDns ?? true;
    const builtInDns: DnsLookup = (name) => this.#builtInAnswers(hostedDns ? store : undefined, name);

    this.#ctx = {
      store,
      ids,
      clock,
      dns: options.dnsLookup ?? builtInDns,
      userOf: (req) => grants.get(req.token ?? '')?.user ?? first.user,
      scopeOf: (req) => {
        const grant = grants.get(req.token ?? '') ?? first;
        const teamId = req.query.get('teamId');
        const slug = req.query.get('slug');
        if (!teamId && !slug) return store.scope('user', grant.user.id, grant.user.username);
        const team = teams.find((t) => (teamId ? t.id === teamId : t.slug === slug));
        // Vercel does not tell "no such team" from "not your team".
        if (!team || (grant.teams !== undefined && !grant.teams.includes(team.id))) forbidden('Not authorized');
        return store.scope('team', team.id, team.slug);
      },
      defaultBranch: (_provider, repo) => (repos ? repos[repo]?.defaultBranch : 'main'),
      isClaimedElsewhere: (apex) => claimed.has(normalise(apex)),
    };

    const status = options.authFailureStatus ?? 403;
    const auth = new BearerAuth({ tokens: grants.keys(), reject: (failure) => authReply(status, failure) });
    this.rateLimiter = new FixedWindowRateLimiter({
      limit: options.rateLimit?.limit ?? 1000,
      windowMs: options.rateLimit?.windowMs ?? 60_000,
      policyFor: (endpoint) => options.rateLimit?.perEndpoint?.[endpoint],
      ...(options.now ? { now: options.now } : {}),
    });
    this.server = new EmulatorServer({
      name: 'vercel',
      errorBody: (_status, code, message) => vercelErrorBody(code, message),
      auth,
      rateLimit: { limiter: this.rateLimiter, render: vercelRateLimit },
      faultSeed: options.seed ?? 1,
    });
    registerProjectRoutes(this.server, this.#ctx);
    registerEnvRoutes(this.server, this.#ctx);
    registerDomainRoutes(this.server, this.#ctx);
    registerDnsRoutes(this.server, this.#ctx);
    registerDeploymentRoutes(this.server, this.#ctx);
    this.state = new VercelStateView(store, first.user, teams);
  }

  /** A git push as Vercel's GitHub integration sees it; returns the deployments it created. */
  simulateGitPush(push: GitPush): DeploymentRecord[] {
    return deployPush(this.#ctx, push, this.#gitUser);
  }

  /** Moves a deployment along (e.g. BUILDING → READY or ERROR). */
  setDeploymentState(uid: string, readyState: ReadyState): void {
    for (const scope of this.#ctx.store.all()) {
      const d = scope.deployments.get(uid);
      if (!d) continue;
      d.readyState = readyState;
      if (readyState === 'READY') d.readyAt = this.#ctx.clock.stamp();
      return;
    }
    throw new Error(`no deployment ${uid}`);
  }

  /** Test marks win; then records the emulator itself serves for zones it hosts. */
  #builtInAnswers(store: VercelStore | undefined, name: string): DnsAnswers {
    const fqdn = normalise(name);
    const marked = this.dns.get(fqdn);
    if (!store) return marked;
    const zone = apexOf(fqdn);
    const label = fqdn === zone ? '' : fqdn.slice(0, -(zone.length + 1));
    const hosted = store
      .all()
      .flatMap((s) => [...s.records.values()])
      .filter((r) => r.domain === zone && r.name === label);
    const pick = (type: string) => hosted.filter((r) => r.type === type).map((r) => r.value);
    return {
      a: [...marked.a, ...pick('A')],
      cname: [...marked.cname, ...pick('CNAME')],
      txt: [...marked.txt, ...pick('TXT')],
    };
  }
}

export function createVercelEmulator(options: VercelEmulatorOptions): VercelEmulator {
  return new VercelEmulator(options);
}

function authReply(status: 401 | 403, failure: AuthFailure): EmulatorReply {
  return failure === 'missing'
    ? { status, body: vercelErrorBody('forbidden', 'The request is missing an authentication token', { missingToken: true }) }
    : { status, body: vercelErrorBody('forbidden', 'Not authorized', { invalidToken: true }) };
}

/** X-RateLimit-* per endpoint with Reset in epoch seconds; 429 body carries error.limit. */
export const vercelRateLimit: RateLimitRenderer = {
  headers: (s) => ({
    'x-ratelimit-limit': String(s.limit),
    'x-ratelimit-remaining': String(s.remaining),
    'x-ratelimit-reset': String(Math.ceil(s.resetAtMs / 1000)),
  }),
  body: (s) =>
    vercelErrorBody('rate_limited', 'Rate limit exceeded', {
      limit: { remaining: s.remaining, reset: Math.ceil(s.resetAtMs / 1000), resetMs: s.resetAtMs, total: s.limit },
    }),
};
