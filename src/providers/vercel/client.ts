/**
 * The only file that imports @vercel/sdk. It wraps the SDK with what every call needs:
 * team scoping, a token bucket per endpoint fed by the X-RateLimit-* headers, retries with
 * backoff that honour Retry-After, pagination, call counting, and errors that start with the
 * address and never contain the token. Kinds see plain shapes, never SDK types.
 *
 * Retries: the client itself retries 429, 5xx, resets and timeouts (`maxRetries` times, for
 * reads and writes alike; every write the kinds issue is idempotent: upsert, or 409 → read).
 * When its retries are exhausted it throws the engine's TransientError (with Retry-After),
 * so the applier may retry the whole step; the planner does not retry reads.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Vercel } from '@vercel/sdk';
import { HTTPClient } from '@vercel/sdk/lib/http.js';
import { HTTPClientError } from '@vercel/sdk/models/httpclienterrors.js';
import { ResponseValidationError } from '@vercel/sdk/models/responsevalidationerror.js';
import { VercelError } from '@vercel/sdk/models/vercelerror.js';
import { ApplyError, TransientError } from '../../model/provider.ts';
import { MASK } from '../../model/sensitive.ts';
import { processRedactor } from '../../secrets/redact.ts';
import { readRateLimitHeaders, RequestPacer, type CallStats, type RetryOptions } from '../rate-limit-bucket.ts';

export interface VercelClientOptions extends RetryOptions {
  token: string;
  /** Every call is scoped to this team; omitted = the token's personal account. */
  teamId?: string;
  /** The API base URL (an emulator in tests); default https://api.vercel.com. */
  serverURL?: string;
}

export type ApiStats = CallStats;

// Plain shapes the kinds work with.
export interface ProjectInfo {
  id: string;
  name: string;
  framework: string | null;
  nodeVersion: string;
  buildCommand: string | null;
  installCommand: string | null;
  outputDirectory: string | null;
  rootDirectory: string | null;
  previewDeploymentsDisabled: boolean;
  /** `owner/name` of the linked repository, with Vercel's git provider type. */
  link: { type: string; repo: string; productionBranch: string | null } | null;
}

export interface ProjectSettingsInput {
  framework?: string | null;
  nodeVersion?: string;
  buildCommand?: string | null;
  installCommand?: string | null;
  outputDirectory?: string | null;
  rootDirectory?: string | null;
  previewDeploymentsDisabled?: boolean;
}

export type EnvType = 'system' | 'encrypted' | 'plain' | 'sensitive' | 'secret';
export type EnvTarget = 'production' | 'preview' | 'development';

export interface EnvInfo {
  id: string;
  key: string;
  type: EnvType;
  target: EnvTarget[];
  gitBranch: string | null;
  comment: string | null;
  customEnvironmentIds: string[];
  /** Undefined when the API does not reveal it (sensitive values). */
  value: string | undefined;
  /** Milliseconds since the epoch: when the value (or anything else) was last written. */
  updatedAt: number | undefined;
}

export interface EnvInput {
  key: string;
  value: string;
  type: 'encrypted' | 'plain' | 'sensitive';
  target: EnvTarget[];
  gitBranch?: string;
  comment?: string;
}

export type EnvPatch = Partial<EnvInput>;

export interface VerificationChallenge {
  type: string;
  domain: string;
  value: string;
  reason: string;
}

export interface ProjectDomainInfo {
  name: string;
  apexName: string;
  redirect: string | null;
  redirectStatusCode: number | null;
  gitBranch: string | null;
  verified: boolean;
  verification: VerificationChallenge[];
}

export type RedirectStatusCode = 301 | 302 | 307 | 308;

export interface DnsRecordInfo {
  id: string;
  name: string;
  type: string;
  value: string;
  ttl: number | null;
  mxPriority: number | null;
  creator: string;
}

export interface DnsRecordInput {
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA';
  name: string;
  value: string;
  ttl?: number;
  mxPriority?: number;
}

export interface DeploymentInfo {
  uid: string;
  url: string;
  readyState: string;
  target: string | null;
}

/** A non-retryable API answer; the message starts with the address. */
export class VercelApiError extends ApplyError {
  readonly status: number;
  readonly code: string;
  constructor(address: string, status: number, code: string, message: string) {
    super(address, message);
    this.name = 'VercelApiError';
    this.status = status;
    this.code = code;
  }
}

type CallContext = { operation: string };
type ProjectDomainsRequest = Parameters<Vercel['projects']['getProjectDomains']>[0];

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class VercelClient {
  readonly teamId: string | undefined;
  readonly stats: ApiStats = { calls: 0, requests: 0, retries: 0, throttled: 0, byOperation: {} };
  /** Loaded on the first call: the SDK's entry point takes over a second to import, and most commands never call Vercel. */
  #sdk: Promise<Vercel> | undefined;
  readonly #sdkOptions: ConstructorParameters<typeof Vercel>[0];
  readonly #token: string;
  readonly #context = new AsyncLocalStorage<CallContext>();
  readonly #pacer: RequestPacer;

  constructor(options: VercelClientOptions) {
    if (!options.token) throw new Error('vercel: a token is required (VERCEL_TOKEN)');
    this.#token = options.token;
    processRedactor.add(options.token);
    this.teamId = options.teamId;
    this.#pacer = new RequestPacer(options, { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 20_000, timeoutMs: 30_000 });
    const httpClient = new HTTPClient({ fetcher: (input, init) => this.#fetch(input instanceof Request && !init ? input : new Request(input, init)) });
    this.#sdkOptions = { bearerToken: options.token, httpClient, retryConfig: { strategy: 'none' }, ...(options.serverURL ? { serverURL: options.serverURL } : {}) };
  }

  resetStats(): void {
    Object.assign(this.stats, { calls: 0, requests: 0, retries: 0, throttled: 0, byOperation: {} });
  }

  // ── projects ──────────────────────────────────────────────────────────────

  async listProjects(address: string, limit = 1): Promise<ProjectInfo[]> {
    const res = await this.#call('getProjects', address, (sdk, scope) => sdk.projects.getProjects({ ...scope, limit: String(limit) }));
    const projects = 'projects' in res ? (res.projects as unknown[]) : [];
    return projects.map(toProject);
  }

  async getProject(address: string, idOrName: string): Promise<ProjectInfo | undefined> {
    return this.#orAbsent(() => this.#call('getProject', address, (sdk, scope) => sdk.projects.getProject({ ...scope, idOrName })).then(toProject));
  }

  async createProject(address: string, input: { name: string; gitRepository?: { type: string; repo: string } } & ProjectSettingsInput): Promise<ProjectInfo> {
    const { nodeVersion: _nodeVersion, ...body } = input; // not accepted on create: set by an update afterwards
    type Body = Parameters<Vercel['projects']['createProject']>[0]['requestBody'];
    return toProject(await this.#call('createProject', address, (sdk, scope) => sdk.projects.createProject({ ...scope, requestBody: body as Body })));
  }

  async updateProject(address: string, idOrName: string, input: ProjectSettingsInput): Promise<ProjectInfo> {
    type Body = Parameters<Vercel['projects']['updateProject']>[0]['requestBody'];
    return toProject(await this.#call('updateProject', address, (sdk, scope) => sdk.projects.updateProject({ ...scope, idOrName, requestBody: input as Body })));
  }

  async deleteProject(address: string, idOrName: string): Promise<void> {
    await this.#orAbsent(() => this.#call('deleteProject', address, (sdk, scope) => sdk.projects.deleteProject({ ...scope, idOrName })));
  }

  // ── environment variables ────────────────────────────────────────────────

  /** Every variable of a project in one call, values decrypted where the API allows; undefined when the project does not exist. */
  async listEnvs(address: string, project: string): Promise<EnvInfo[] | undefined> {
    const res = await this.#orAbsent(() => this.#call('filterProjectEnvs', address, (sdk, scope) => sdk.projects.filterProjectEnvs({ ...scope, idOrName: project, decrypt: 'true' })));
    if (res === undefined) return undefined;
    const envs = typeof res === 'object' && res !== null && 'envs' in res ? (res.envs as unknown[]) : [];
    return envs.map(toEnv);
  }

  /** Create-or-update (upsert): a retry after a lost answer updates the same variable. */
  async createEnv(address: string, project: string, input: EnvInput): Promise<EnvInfo> {
    type Body = Parameters<Vercel['projects']['createProjectEnv']>[0]['requestBody'];
    const res = await this.#call('createProjectEnv', address, (sdk, scope) =>
      sdk.projects.createProjectEnv({ ...scope, idOrName: project, upsert: 'true', requestBody: input as Body }),
    );
    const failed = (res.failed ?? []) as { error?: { code?: string; message?: string } }[];
    if (failed.length > 0) {
      const error = failed[0]?.error;
      throw new VercelApiError(address, 400, error?.code ?? 'failed', this.#scrub(`creating ${input.key} failed: ${error?.message ?? 'no reason given'}`));
    }
    const created = Array.isArray(res.created) ? res.created[0] : res.created;
    if (!created) throw new VercelApiError(address, 200, 'empty', `creating ${input.key} returned no variable`);
    return toEnv(created);
  }

  async editEnv(address: string, project: string, id: string, patch: EnvPatch): Promise<void> {
    type Body = Parameters<Vercel['projects']['editProjectEnv']>[0]['requestBody'];
    await this.#call('editProjectEnv', address, (sdk, scope) => sdk.projects.editProjectEnv({ ...scope, idOrName: project, id, requestBody: patch as Body }));
  }

  async removeEnv(address: string, project: string, id: string): Promise<void> {
    await this.#orAbsent(() => this.#call('removeProjectEnv', address, (sdk, scope) => sdk.projects.removeProjectEnv({ ...scope, idOrName: project, id })));
  }

  // ── project domains ──────────────────────────────────────────────────────

  /** All domains of a project (paginated); undefined when the project does not exist. */
  async listProjectDomains(address: string, project: string): Promise<ProjectDomainInfo[] | undefined> {
    const out: ProjectDomainInfo[] = [];
    let until: number | undefined;
    for (;;) {
      const request: ProjectDomainsRequest = { idOrName: project, limit: 100, ...(until !== undefined ? { until } : {}) };
      const res = await this.#orAbsent(() => this.#call('getProjectDomains', address, (sdk, scope) => sdk.projects.getProjectDomains({ ...scope, ...request })));
      if (res === undefined) return undefined;
      out.push(...res.domains.map(toDomain));
      const next = (res.pagination as { next?: number | null } | undefined)?.next;
      if (next === null || next === undefined || next === until) return out;
      until = next;
    }
  }

  async addProjectDomain(address: string, project: string, input: { name: string; redirect?: string | null; redirectStatusCode?: RedirectStatusCode | null }): Promise<ProjectDomainInfo> {
    return toDomain(await this.#call('addProjectDomain', address, (sdk, scope) => sdk.projects.addProjectDomain({ ...scope, idOrName: project, requestBody: input })));
  }

  async updateProjectDomain(address: string, project: string, domain: string, input: { redirect?: string | null; redirectStatusCode?: RedirectStatusCode | null }): Promise<ProjectDomainInfo> {
    return toDomain(await this.#call('updateProjectDomain', address, (sdk, scope) => sdk.projects.updateProjectDomain({ ...scope, idOrName: project, domain, requestBody: input })));
  }

  async removeProjectDomain(address: string, project: string, domain: string): Promise<void> {
    // Never removeRedirects: domains redirecting here may not be ours; deletes run dependents first.
    await this.#orAbsent(() => this.#call('removeProjectDomain', address, (sdk, scope) => sdk.projects.removeProjectDomain({ ...scope, idOrName: project, domain, requestBody: { removeRedirects: false } })));
  }

  async verifyProjectDomain(address: string, project: string, domain: string): Promise<ProjectDomainInfo> {
    return toDomain(await this.#call('verifyProjectDomain', address, (sdk, scope) => sdk.projects.verifyProjectDomain({ ...scope, idOrName: project, domain })));
  }

  // ── DNS records of a zone Vercel serves ──────────────────────────────────

  /** All records of a zone (paginated); undefined when the account has no such domain. */
  async listRecords(address: string, zone: string): Promise<DnsRecordInfo[] | undefined> {
    const out: DnsRecordInfo[] = [];
    let until: string | undefined;
    for (;;) {
      const page = until;
      const res = await this.#orAbsent(() => this.#call('getRecords', address, (sdk, scope) => sdk.dns.getRecords({ ...scope, domain: zone, limit: '100', ...(page ? { until: page } : {}) })));
      if (res === undefined) return undefined;
      const body = res as { records?: unknown[]; pagination?: { next?: number | null } };
      out.push(...(body.records ?? []).map(toRecord));
      const next = body.pagination?.next;
      if (next === null || next === undefined || String(next) === until) return out;
      until = String(next);
    }
  }

  async createRecord(address: string, zone: string, input: DnsRecordInput): Promise<string> {
    type Body = Parameters<Vercel['dns']['createRecord']>[0]['requestBody'];
    const res = await this.#call('createRecord', address, (sdk, scope) => sdk.dns.createRecord({ ...scope, domain: zone, requestBody: input as Body }));
    return (res as { uid?: string }).uid ?? '';
  }

  async updateRecord(address: string, recordId: string, input: { ttl?: number; mxPriority?: number }): Promise<void> {
    await this.#call('updateRecord', address, (sdk, scope) => sdk.dns.updateRecord({ ...scope, recordId, requestBody: input }));
  }

  async removeRecord(address: string, zone: string, recordId: string): Promise<void> {
    await this.#orAbsent(() => this.#call('removeRecord', address, (sdk, scope) => sdk.dns.removeRecord({ ...scope, domain: zone, recordId })));
  }

  // ── deployments ──────────────────────────────────────────────────────────

  async latestDeployment(address: string, projectId: string, target: 'production' | 'preview'): Promise<DeploymentInfo | undefined> {
    const res = await this.#call('getDeployments', address, (sdk, scope) => sdk.deployments.getDeployments({ ...scope, projectId, target, state: 'READY', limit: 1 }));
    const first = res.deployments[0];
    return first ? { uid: first.uid, url: first.url, readyState: String(first.readyState), target: first.target ?? null } : undefined;
  }

  /** Vercel's "redeploy": a new deployment built from an existing one, picking up current env values. */
  async redeploy(address: string, project: string, deploymentId: string, target: 'production'): Promise<string> {
    const res = await this.#call('createDeployment', address, (sdk, scope) => sdk.deployments.createDeployment({ ...scope, requestBody: { name: project, deploymentId, target } }));
    return (res as { id?: string }).id ?? '';
  }

  // ── the machinery ────────────────────────────────────────────────────────

  async #call<T>(operation: string, address: string, run: (sdk: Vercel, scope: { teamId?: string }) => Promise<T>): Promise<T> {
    this.stats.calls++;
    this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
    const scope = this.teamId ? { teamId: this.teamId } : {};
    try {
      this.#sdk ??= import('@vercel/sdk').then(({ Vercel: Sdk }) => new Sdk(this.#sdkOptions));
      const sdk = await this.#sdk;
      return await this.#context.run({ operation }, () => run(sdk, scope));
    } catch (error) {
      throw this.#translate(error, operation, address);
    }
  }

  /** 404 means "absent" for reads and "already gone" for deletes. */
  async #orAbsent<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof VercelApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  #translate(error: unknown, operation: string, address: string): Error {
    if (error instanceof ResponseValidationError) {
      return new VercelApiError(address, error.statusCode, 'invalid_response', this.#scrub(`${operation}: the API answered in an unexpected shape: ${error.message.split('\n')[0]}`));
    }
    if (error instanceof VercelError) {
      const { code, message } = parseErrorBody(error.body);
      const text = this.#scrub(`${operation} failed with HTTP ${error.statusCode}${code ? ` ${code}` : ''}: ${message ?? 'no message'}`);
      if (RETRYABLE.has(error.statusCode)) return new TransientError(`${address}: ${text} (after ${this.#pacer.maxRetries} retries)`, retryAfterMs(error.headers));
      return new VercelApiError(address, error.statusCode, code ?? 'error', text);
    }
    if (error instanceof HTTPClientError) {
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return new TransientError(`${address}: ${operation} failed: ${this.#scrub(`${error.message}${cause}`)} (after ${this.#pacer.maxRetries} retries)`);
    }
    if (error instanceof Error) return new Error(`${address}: ${operation} failed: ${this.#scrub(error.message)}`);
    return new Error(`${address}: ${operation} failed: ${this.#scrub(String(error))}`);
  }

  #scrub(text: string): string {
    return processRedactor.scrub(text.split(this.#token).join(MASK));
  }

  /** The SDK's transport: token bucket, then the request, retried on 429/5xx/reset/timeout. */
  async #fetch(request: Request): Promise<Response> {
    const operation = this.#context.getStore()?.operation ?? 'unknown';
    const pacer = this.#pacer;
    for (let attempt = 0; ; attempt++) {
      const bucket = await pacer.pace(operation, this.stats);
      this.stats.requests++;
      let response: Response;
      try {
        response = await fetch(request.clone(), { signal: AbortSignal.any([request.signal, AbortSignal.timeout(pacer.timeoutMs)]) });
      } catch (error) {
        if (request.signal.aborted || attempt >= pacer.maxRetries) throw error;
        this.stats.retries++;
        await sleep(pacer.backoff(attempt));
        continue;
      }
      bucket.update(readRateLimitHeaders(response.headers, (epochSeconds) => epochSeconds * 1000)); // Vercel: epoch seconds
      if (!RETRYABLE.has(response.status) || attempt >= pacer.maxRetries) return response;
      const hinted = retryAfterMs(response.headers) ?? rateLimitResetWait(response.headers);
      if (hinted !== undefined && hinted > pacer.maxDelayMs) return response; // too long to wait here: the engine decides
      await response.body?.cancel();
      this.stats.retries++;
      await sleep(hinted ?? pacer.backoff(attempt));
    }
  }
}

function parseErrorBody(body: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
    return { code, message };
  } catch {
    return { message: body.slice(0, 200) || undefined };
  }
}

/** `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function rateLimitResetWait(headers: Headers): number | undefined {
  if (headers.get('x-ratelimit-remaining') !== '0') return undefined;
  const reset = Number(headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined;
}

// ── SDK answers → plain shapes ─────────────────────────────────────────────

type Loose = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toProject(raw: unknown): ProjectInfo {
  const p = raw as Loose;
  return {
    id: String(p['id'] ?? ''),
    name: String(p['name'] ?? ''),
    framework: str(p['framework']),
    nodeVersion: String(p['nodeVersion'] ?? ''),
    buildCommand: str(p['buildCommand']),
    installCommand: str(p['installCommand']),
    outputDirectory: str(p['outputDirectory']),
    rootDirectory: str(p['rootDirectory']),
    previewDeploymentsDisabled: p['previewDeploymentsDisabled'] === true,
    link: toLink(p['link']),
  };
}

/** The repository as `owner/name` whatever the git provider calls its fields. */
function toLink(raw: unknown): ProjectInfo['link'] {
  if (typeof raw !== 'object' || raw === null) return null;
  const link = raw as Loose;
  const type = String(link['type'] ?? '');
  const productionBranch = str(link['productionBranch']);
  if (type === 'gitlab') return { type, repo: `${str(link['projectNamespace']) ?? ''}/${str(link['projectName']) ?? ''}`, productionBranch };
  if (type === 'bitbucket') return { type, repo: `${str(link['owner']) ?? ''}/${str(link['slug']) ?? ''}`, productionBranch };
  return { type, repo: `${str(link['org']) ?? ''}/${str(link['repo']) ?? ''}`, productionBranch };
}

function toEnv(raw: unknown): EnvInfo {
  const e = raw as Loose;
  const type = String(e['type'] ?? 'encrypted') as EnvType;
  const target = Array.isArray(e['target']) ? (e['target'] as EnvTarget[]) : typeof e['target'] === 'string' ? [e['target'] as EnvTarget] : [];
  // Sensitive values come back as "" (never readable); encrypted ones only when decrypted.
  const readable = type !== 'sensitive' && (type === 'plain' || type === 'system' || e['decrypted'] === true);
  return {
    id: String(e['id'] ?? ''),
    key: String(e['key'] ?? ''),
    type,
    target: [...target].sort(),
    gitBranch: str(e['gitBranch']),
    comment: str(e['comment']),
    customEnvironmentIds: Array.isArray(e['customEnvironmentIds']) ? (e['customEnvironmentIds'] as string[]) : [],
    value: readable && typeof e['value'] === 'string' ? e['value'] : undefined,
    updatedAt: typeof e['updatedAt'] === 'number' ? e['updatedAt'] : undefined,
  };
}

function toDomain(raw: unknown): ProjectDomainInfo {
  const d = raw as Loose;
  const verification = Array.isArray(d['verification']) ? (d['verification'] as Loose[]) : [];
  return {
    name: String(d['name'] ?? ''),
    apexName: String(d['apexName'] ?? ''),
    redirect: str(d['redirect']),
    redirectStatusCode: typeof d['redirectStatusCode'] === 'number' ? d['redirectStatusCode'] : null,
    gitBranch: str(d['gitBranch']),
    verified: d['verified'] === true,
    verification: verification.map((v) => ({ type: String(v['type'] ?? ''), domain: String(v['domain'] ?? ''), value: String(v['value'] ?? ''), reason: String(v['reason'] ?? '') })),
  };
}

function toRecord(raw: unknown): DnsRecordInfo {
  const r = raw as Loose;
  return {
    id: String(r['id'] ?? ''),
    name: String(r['name'] ?? ''),
    type: String(r['type'] ?? ''),
    value: String(r['value'] ?? ''),
    ttl: typeof r['ttl'] === 'number' ? r['ttl'] : null,
    mxPriority: typeof r['mxPriority'] === 'number' ? r['mxPriority'] : null,
    creator: String(r['creator'] ?? ''),
  };
}
