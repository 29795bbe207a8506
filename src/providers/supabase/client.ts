/**
 * The only file that talks HTTP to the Supabase Management API. Every call gets the bearer
 * token, a token bucket per endpoint fed by the X-RateLimit-* headers (Reset is the number of
 * SECONDS LEFT in the window, not an epoch), retries with backoff that honour Retry-After and
 * Reset, call counting, and errors that start with the address and never carry the token or a
 * password (every secret this process handles is scrubbed through processRedactor).
 *
 * Retries: reads and idempotent writes are retried on 429, 5xx, resets and timeouts; after the
 * client's own retries the engine's TransientError goes up, so the applier may retry the step.
 * A create is not idempotent (Supabase allows two projects with one name): only a 429 (never
 * processed) is retried, anything ambiguous raises AmbiguousWriteError so the caller can look
 * the project up by name before it tries again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplyError, TransientError } from '../../model/provider.ts';
import { MASK } from '../../model/sensitive.ts';
import { processRedactor } from '../../secrets/redact.ts';
import { readRateLimitHeaders, RequestPacer, type CallStats, type RetryOptions } from '../rate-limit-bucket.ts';

export interface SupabaseClientOptions extends RetryOptions {
  /** A personal access token (`sbp_…`) or an OAuth token: SUPABASE_ACCESS_TOKEN. */
  token: string;
  /** Default https://api.supabase.com; an emulator in tests (SUPABASE_API_URL). */
  apiUrl?: string;
}

export interface ApiStats extends CallStats {
  /** Logical calls that change something (reads, previews and rls-test queries are not writes). */
  writes: number;
  /** 429 answers received. */
  rateLimited: number;
  /** The shortest wait after a 429, to show that Reset/Retry-After were honoured. */
  shortestWaitAfter429Ms: number | undefined;
}

// Plain shapes the kinds work with.
export interface ProjectInfo {
  ref: string;
  name: string;
  organizationSlug: string;
  region: string;
  status: string;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  type: string;
  apiKey: string;
  role: string | undefined;
  description: string | null;
  /** ISO time the key was created. */
  insertedAt: string | undefined;
}

export interface PoolerInfo {
  connectionString: string;
  poolMode: string;
  databaseType: string;
}

export type Row = Record<string, unknown>;

/** A refusal that retrying cannot fix; `sqlState` is set for SQL errors of the query endpoint. */
export class SupabaseApiError extends ApplyError {
  readonly status: number;
  readonly sqlState: string | undefined;
  readonly detail: string;
  constructor(address: string, status: number, detail: string) {
    super(address, detail);
    this.name = 'SupabaseApiError';
    this.status = status;
    this.detail = detail;
    this.sqlState = /ERROR:\s+([0-9A-Z]{5}):/.exec(detail)?.[1];
  }
}

/** A write whose outcome is unknown (no answer, reset, 5xx): the server may have done it. */
export class AmbiguousWriteError extends TransientError {}

interface Operation {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** The rate-limit scope: Supabase counts per project or organization, per endpoint. */
  scope: string;
  mutates: boolean;
  /** Safe to send twice. */
  idempotent: boolean;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/** SQL that lost a race (deadlock, serialization, lock timeout): the same statement may simply run again. */
const CONTENTION = /ERROR:\s+(40P01|40001|55P03):/;

export class SupabaseClient {
  readonly apiUrl: string;
  readonly stats: ApiStats = emptyStats();
  readonly #token: string;
  readonly #pacer: RequestPacer;

  constructor(options: SupabaseClientOptions) {
    if (!options.token) throw new Error('supabase: a token is required (SUPABASE_ACCESS_TOKEN)');
    this.#token = options.token;
    processRedactor.add(options.token);
    this.apiUrl = (options.apiUrl ?? 'https://api.supabase.com').replace(/\/+$/, '');
    this.#pacer = new RequestPacer(options, { maxRetries: 5, baseDelayMs: 250, maxDelayMs: 60_000, timeoutMs: 60_000 });
  }

  resetStats(): void {
    Object.assign(this.stats, emptyStats());
  }

  // ── projects ──────────────────────────────────────────────────────────────

  async listOrganizations(address: string): Promise<{ slug: string; name: string }[]> {
    const body = await this.#call<{ slug?: string; name?: string }[]>(address, { name: 'listOrganizations', method: 'GET', path: '/v1/organizations', scope: 'user', mutates: false, idempotent: true });
    return (body ?? []).map((o) => ({ slug: String(o.slug ?? ''), name: String(o.name ?? '') }));
  }

  /** Every project the token can see, in every organization: one call. */
  async listProjects(address: string): Promise<ProjectInfo[]> {
    const body = await this.#call<unknown[]>(address, { name: 'listProjects', method: 'GET', path: '/v1/projects', scope: 'user', mutates: false, idempotent: true });
    return (body ?? []).map(toProject);
  }

  async getProject(address: string, ref: string): Promise<ProjectInfo | undefined> {
    return this.#orAbsent(async () => toProject(await this.#call(address, { name: 'getProject', method: 'GET', path: `/v1/projects/${enc(ref)}`, scope: ref, mutates: false, idempotent: true })));
  }

  /** Not idempotent: an ambiguous failure raises AmbiguousWriteError (look the name up first). */
  async createProject(address: string, input: { name: string; organizationSlug: string; region: string; dbPass: string }): Promise<ProjectInfo> {
    processRedactor.add(input.dbPass);
    const body = { name: input.name, organization_slug: input.organizationSlug, db_pass: input.dbPass, region_selection: { type: 'specific', code: input.region } };
    return toProject(await this.#call(address, { name: 'createProject', method: 'POST', path: '/v1/projects', body, scope: input.organizationSlug, mutates: true, idempotent: false }));
  }

  /** Already gone counts as deleted. */
  async deleteProject(address: string, ref: string): Promise<void> {
    await this.#orAbsent(() => this.#call(address, { name: 'deleteProject', method: 'DELETE', path: `/v1/projects/${enc(ref)}`, scope: ref, mutates: true, idempotent: true }));
  }

  // ── keys, pooler, auth ───────────────────────────────────────────────────

  /** All keys with secret values revealed (as supabase/cli reads them). */
  async apiKeys(address: string, ref: string): Promise<ApiKeyInfo[]> {
    const body = await this.#call<unknown[]>(address, { name: 'getApiKeys', method: 'GET', path: `/v1/projects/${enc(ref)}/api-keys?reveal=true`, scope: ref, mutates: false, idempotent: true });
    const keys = (body ?? []).map(toApiKey);
    for (const key of keys) if (key.type !== 'publishable' && key.name !== 'anon') processRedactor.add(key.apiKey);
    return keys;
  }

  /** A new secret key, revealed (the caller hands it on); its name must be unique in the project. Not idempotent. */
  async createSecretKey(address: string, ref: string, input: { name: string; description: string }): Promise<ApiKeyInfo> {
    const body = await this.#call<unknown>(address, { name: 'createApiKey', method: 'POST', path: `/v1/projects/${enc(ref)}/api-keys?reveal=true`, body: { type: 'secret', ...input }, scope: ref, mutates: true, idempotent: false });
    const key = toApiKey(body);
    processRedactor.add(key.apiKey);
    return key;
  }

  async describeApiKey(address: string, ref: string, id: string, description: string): Promise<void> {
    await this.#call(address, { name: 'updateApiKey', method: 'PATCH', path: `/v1/projects/${enc(ref)}/api-keys/${enc(id)}`, body: { description }, scope: ref, mutates: true, idempotent: true });
  }

  /** Already gone counts as deleted. `compromised` tells Supabase why (a revoke). */
  async deleteApiKey(address: string, ref: string, id: string, compromised?: { reason: string }): Promise<void> {
    const query = compromised ? `?was_compromised=true&reason=${encodeURIComponent(compromised.reason)}` : '';
    await this.#orAbsent(() => this.#call(address, { name: 'deleteApiKey', method: 'DELETE', path: `/v1/projects/${enc(ref)}/api-keys/${enc(id)}${query}`, scope: ref, mutates: true, idempotent: true }));
  }

  async pooler(address: string, ref: string): Promise<PoolerInfo[]> {
    const body = await this.#call<unknown[]>(address, { name: 'getPooler', method: 'GET', path: `/v1/projects/${enc(ref)}/config/database/pooler`, scope: ref, mutates: false, idempotent: true });
    return (body ?? []).map((raw) => {
      const p = raw as Record<string, unknown>;
      return { connectionString: String(p['connection_string'] ?? p['connectionString'] ?? ''), poolMode: String(p['pool_mode'] ?? ''), databaseType: String(p['database_type'] ?? '') };
    });
  }

  async getAuthConfig(address: string, ref: string): Promise<Record<string, unknown>> {
    return (await this.#call<Record<string, unknown>>(address, { name: 'getAuthConfig', method: 'GET', path: `/v1/projects/${enc(ref)}/config/auth`, scope: ref, mutates: false, idempotent: true })) ?? {};
  }

  /** Sends exactly the given fields; answers the whole config. */
  async patchAuthConfig(address: string, ref: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await this.#call<Record<string, unknown>>(address, { name: 'patchAuthConfig', method: 'PATCH', path: `/v1/projects/${enc(ref)}/config/auth`, body: fields, scope: ref, mutates: true, idempotent: true })) ?? {};
  }

  // ── SQL ──────────────────────────────────────────────────────────────────

  /**
   * Runs SQL as the database owner; rows of the last statement. `readOnly` uses the read-only
   * endpoint; `mutates: false` marks statements that change nothing for good (rolled-back
   * previews and rls tests). Callers only send idempotent SQL, so every query may be retried.
   */
  async query(address: string, ref: string, sql: string, options: { readOnly?: boolean; mutates?: boolean; parameters?: unknown[] } = {}): Promise<Row[]> {
    const readOnly = options.readOnly === true;
    const body = { query: sql, ...(options.parameters ? { parameters: options.parameters } : {}) };
    const rows = await this.#call<Row[]>(address, {
      name: readOnly ? 'readOnlyQuery' : 'query',
      method: 'POST',
      path: `/v1/projects/${enc(ref)}/database/query${readOnly ? '/read-only' : ''}`,
      body,
      scope: ref,
      mutates: !readOnly && options.mutates !== false,
      idempotent: true,
    });
    return Array.isArray(rows) ? rows : [];
  }

  // ── the machinery ────────────────────────────────────────────────────────

  async #orAbsent<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SupabaseApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async #call<T>(address: string, op: Operation): Promise<T | undefined> {
    this.stats.calls++;
    if (op.mutates) this.stats.writes++;
    this.stats.byOperation[op.name] = (this.stats.byOperation[op.name] ?? 0) + 1;
    const pacer = this.#pacer;
    const url = `${this.apiUrl}${op.path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (op.body !== undefined) headers['content-type'] = 'application/json';
    const payload = op.body === undefined ? undefined : JSON.stringify(op.body);
    const label = `${op.name} (${op.method} ${op.path.split('?')[0]})`;

    for (let attempt = 0; ; attempt++) {
      // Per endpoint and project, as Supabase counts.
      const bucket = await pacer.pace(`${op.name}\u0000${op.scope}`, this.stats);
      this.stats.requests++;
      let response: Response;
      try {
        response = await fetch(url, { method: op.method, headers, ...(payload !== undefined ? { body: payload } : {}), signal: AbortSignal.timeout(pacer.timeoutMs) });
      } catch (error) {
        const reason = this.#scrub(describeFetchError(error));
        if (!op.idempotent) throw new AmbiguousWriteError(`${address}: ${label} got no answer (${reason}); the server may have done it`);
        if (attempt >= pacer.maxRetries) throw new TransientError(`${address}: ${label} failed: ${reason} (after ${attempt} retries)`);
        this.stats.retries++;
        await sleep(pacer.backoff(attempt));
        continue;
      }
      bucket.update(readRateLimitHeaders(response.headers, (seconds) => Date.now() + seconds * 1000)); // Supabase: seconds remaining
      const text = await response.text();
      if (response.ok) return parseJson<T>(text);

      const message = this.#scrub(`${label} failed with HTTP ${response.status}: ${errorMessage(text)}`);
      const contention = op.idempotent && CONTENTION.test(message);
      if (!RETRYABLE.has(response.status) && !contention) throw new SupabaseApiError(address, response.status, message);
      if (response.status === 429) this.stats.rateLimited++;
      // A 429 was refused before anything happened; any other failure of a create is ambiguous.
      if (response.status !== 429 && !op.idempotent) throw new AmbiguousWriteError(`${address}: ${message}; the server may have done it`);
      const hinted = hintedWaitMs(response);
      if (attempt >= pacer.maxRetries || (hinted !== undefined && hinted > pacer.maxDelayMs)) {
        throw new TransientError(`${address}: ${message} (after ${attempt} retries)`, hinted);
      }
      const delay = hinted ?? pacer.backoff(attempt);
      if (response.status === 429) this.stats.shortestWaitAfter429Ms = Math.min(this.stats.shortestWaitAfter429Ms ?? Infinity, delay);
      this.stats.retries++;
      await sleep(delay);
    }
  }

  #scrub(text: string): string {
    return processRedactor.scrub(text.split(this.#token).join(MASK));
  }

}

function emptyStats(): ApiStats {
  return { calls: 0, requests: 0, retries: 0, writes: 0, throttled: 0, rateLimited: 0, shortestWaitAfter429Ms: undefined, byOperation: {} };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** X-RateLimit-Reset is the seconds left in the window (NOTES §2.3). */
function resetMs(headers: Headers): number | undefined {
  const raw = headers.get('x-ratelimit-reset');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** How long the server asks us to wait: the longer of Retry-After and, once the window is spent, its Reset. */
function hintedWaitMs(response: Response): number | undefined {
  const waits: number[] = [];
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) waits.push(Math.max(0, seconds * 1000));
    else if (!Number.isNaN(Date.parse(retryAfter))) waits.push(Math.max(0, Date.parse(retryAfter) - Date.now()));
  }
  if (response.headers.get('x-ratelimit-remaining') === '0') {
    const reset = resetMs(response.headers);
    if (reset !== undefined) waits.push(reset);
  }
  return waits.length > 0 ? Math.max(...waits) : undefined;
}

function parseJson<T>(text: string): T | undefined {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Supabase answers `{message}`; anything else is cut short. */
function errorMessage(text: string): string {
  const parsed = parseJson<{ message?: unknown; error?: unknown }>(text);
  if (parsed && typeof parsed.message === 'string') return parsed.message;
  if (parsed && typeof parsed.error === 'string') return parsed.error;
  return text.slice(0, 200) || 'no message';
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

type Loose = Record<string, unknown>;

function toProject(raw: unknown): ProjectInfo {
  const p = (raw ?? {}) as Loose;
  return {
    ref: String(p['ref'] ?? p['id'] ?? ''),
    name: String(p['name'] ?? ''),
    organizationSlug: String(p['organization_slug'] ?? p['organization_id'] ?? ''),
    region: String(p['region'] ?? ''),
    status: String(p['status'] ?? 'UNKNOWN'),
  };
}

function toApiKey(raw: unknown): ApiKeyInfo {
  const k = (raw ?? {}) as Loose;
  const template = k['secret_jwt_template'];
  const role = typeof template === 'object' && template !== null && typeof (template as Loose)['role'] === 'string' ? String((template as Loose)['role']) : undefined;
  return {
    id: String(k['id'] ?? ''), name: String(k['name'] ?? ''), type: String(k['type'] ?? 'legacy'), apiKey: String(k['api_key'] ?? ''), role,
    description: typeof k['description'] === 'string' ? k['description'] : null,
    insertedAt: typeof k['inserted_at'] === 'string' ? k['inserted_at'] : undefined,
  };
}
