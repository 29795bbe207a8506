import { notFound } from './errors.ts';

// In-memory Vercel state. Everything lives in a scope: a team, or a user's personal account
// (requests without teamId). Records are plain mutable objects; render.ts turns them into
// API shapes, so the stored form never leaks onto the wire by accident.

export const ENV_TYPES = ['system', 'encrypted', 'plain', 'sensitive', 'secret'] as const;
export type EnvType = (typeof ENV_TYPES)[number];
export const ENV_TARGETS = ['production', 'preview', 'development'] as const;
export type EnvTarget = (typeof ENV_TARGETS)[number];
export const GIT_PROVIDERS = ['github', 'github-limited', 'gitlab', 'bitbucket', 'vercel', 'cursor-origin'] as const;
export type GitProvider = (typeof GIT_PROVIDERS)[number];
export const RECORD_TYPES = ['A', 'AAAA', 'ALIAS', 'CAA', 'CNAME', 'HTTPS', 'MX', 'SRV', 'TXT', 'NS'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export const REDIRECT_STATUS_CODES = [301, 302, 307, 308] as const;
export type RedirectStatusCode = (typeof REDIRECT_STATUS_CODES)[number];
export const READY_STATES = ['BUILDING', 'ERROR', 'INITIALIZING', 'QUEUED', 'READY', 'CANCELED'] as const;
export type ReadyState = (typeof READY_STATES)[number];
export const NODE_VERSIONS = ['24.x', '22.x', '20.x', '18.x', '16.x', '14.x', '12.x', '10.x', '8.10.x'] as const;
export type NodeVersion = (typeof NODE_VERSIONS)[number];

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string;
}

export interface EnvRecord {
  readonly id: string;
  key: string;
  value: string;
  type: EnvType;
  target: EnvTarget[];
  gitBranch: string | undefined;
  comment: string | undefined;
  customEnvironmentIds: string[];
  readonly createdAt: number;
  updatedAt: number;
  readonly createdBy: string;
  updatedBy: string | null;
}

export interface GitLink {
  readonly type: GitProvider;
  readonly org: string;
  readonly repo: string;
  readonly repoId: number;
  readonly repoOwnerId: number;
  readonly productionBranch: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ProjectDomainRecord {
  readonly name: string;
  readonly apexName: string;
  readonly projectId: string;
  redirect: string | null;
  redirectStatusCode: RedirectStatusCode | null;
  gitBranch: string | null;
  customEnvironmentId: string | null;
  readonly createdAt: number;
  updatedAt: number;
  verified: boolean;
  /** TXT value expected at `_vercel.<apex>` while unverified. */
  readonly verificationValue: string;
}

export interface ProjectSettings {
  framework: string | null;
  buildCommand: string | null;
  devCommand: string | null;
  installCommand: string | null;
  outputDirectory: string | null;
  rootDirectory: string | null;
  commandForIgnoringBuildStep: string | null;
  nodeVersion: NodeVersion;
  directoryListing: boolean;
  publicSource: boolean | null;
  previewDeploymentsDisabled: boolean;
  serverlessFunctionRegion: string | null;
  autoExposeSystemEnvs: boolean;
  autoAssignCustomDomains: boolean;
  gitForkProtection: boolean;
  sourceFilesOutsideRootDirectory: boolean;
}

export interface ProjectRecord {
  readonly id: string;
  name: string;
  readonly accountId: string;
  readonly createdAt: number;
  updatedAt: number;
  settings: ProjectSettings;
  /** Accepted by PATCH but not modelled; kept so a read-back shows nothing was lost silently. */
  extra: Record<string, unknown>;
  link: GitLink | undefined;
  envs: EnvRecord[];
  domains: ProjectDomainRecord[];
}

export interface DnsRecordEntry {
  readonly id: string;
  /** The zone (apex domain) the record belongs to. */
  readonly domain: string;
  name: string;
  type: RecordType;
  value: string;
  mxPriority: number | undefined;
  ttl: number;
  comment: string | undefined;
  srv: { priority: number; weight: number; port: number; target: string } | undefined;
  https: { priority: number; target: string; params?: string } | undefined;
  readonly creator: string;
  readonly createdAt: number;
  updatedAt: number;
}

export interface DeploymentRecord {
  readonly uid: string;
  readonly name: string;
  readonly url: string;
  readonly projectId: string;
  readonly ownerId: string;
  readonly createdAt: number;
  buildingAt: number;
  readyAt: number | undefined;
  readyState: ReadyState;
  readonly target: 'production' | null;
  readonly creator: UserRecord;
  readonly meta: Record<string, string>;
  readonly regions: string[];
  readonly gitRepo: { readonly provider: GitProvider; readonly org: string; readonly repo: string; readonly repoId: number } | undefined;
  /** The variables it was built with: what the running app reads (Vercel bakes them in at build time). Never rendered. */
  readonly env: Readonly<Record<string, string>>;
}

export interface ScopeState {
  readonly kind: 'team' | 'user';
  /** Team id, or user id for a personal account. */
  readonly id: string;
  readonly slug: string;
  readonly projects: Map<string, ProjectRecord>;
  /** Apex domains known to the account (added with a project domain, or seeded). */
  readonly domains: Set<string>;
  readonly records: Map<string, DnsRecordEntry>;
  readonly deployments: Map<string, DeploymentRecord>;
}

export class VercelStore {
  readonly #scopes = new Map<string, ScopeState>();

  scope(kind: 'team' | 'user', id: string, slug: string): ScopeState {
    const key = `${kind}:${id}`;
    let s = this.#scopes.get(key);
    if (!s) {
      s = { kind, id, slug, projects: new Map(), domains: new Set(), records: new Map(), deployments: new Map() };
      this.#scopes.set(key, s);
    }
    return s;
  }

  /** Existing scope for a team or user id, without creating one. */
  peek(id: string): ScopeState | undefined {
    return this.#scopes.get(`team:${id}`) ?? this.#scopes.get(`user:${id}`);
  }

  all(): ScopeState[] {
    return [...this.#scopes.values()];
  }

  clear(): void {
    this.#scopes.clear();
  }
}

export function findProject(scope: ScopeState, idOrName: string): ProjectRecord | undefined {
  const byId = scope.projects.get(idOrName);
  if (byId) return byId;
  for (const p of scope.projects.values()) if (p.name === idOrName) return p;
  return undefined;
}

export function requireProject(scope: ScopeState, idOrName: string): ProjectRecord {
  return findProject(scope, idOrName) ?? notFound('Project not found');
}

// Not the Public Suffix List: the common two-label suffixes are enough for test domains.
const TWO_LABEL_SUFFIXES = new Set(['co.uk', 'org.uk', 'ac.uk', 'com.au', 'net.au', 'com.br', 'co.jp', 'co.nz', 'co.za', 'com.mx']);

/** Registrable domain as Vercel reports it in `apexName`. */
export function apexOf(domain: string): string {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const keep = TWO_LABEL_SUFFIXES.has(labels.slice(-2).join('.')) ? 3 : 2;
  return labels.slice(-keep).join('.');
}
