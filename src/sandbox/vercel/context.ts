import type { EmulatorRequest, EmulatorServer, RouteHandler } from '../emulator-kit/server.ts';
import type { DnsLookup } from './dns-lookup.ts';
import type { IdSource, MonotonicClock } from './sequence.ts';
import type { GitProvider, ScopeState, UserRecord, VercelStore } from './store.ts';

/** What every route module needs; built once by the emulator. */
export interface VercelContext {
  readonly store: VercelStore;
  readonly ids: IdSource;
  readonly clock: MonotonicClock;
  readonly dns: DnsLookup;
  /** The user behind a token that passed auth. */
  userOf(req: EmulatorRequest): UserRecord;
  /** Scope of the request: `teamId`/`slug` query, else the user's personal account. 403 when not a member. */
  scopeOf(req: EmulatorRequest): ScopeState;
  /** Default branch of a repository the emulator "knows"; undefined = not found. */
  defaultBranch(provider: GitProvider, repo: string): string | undefined;
  /** Apex domains another Vercel account already uses: adding them needs TXT verification. */
  isClaimedElsewhere(apex: string): boolean;
}

/** Registers one operation; the operation id is the rate-limit bucket, as Vercel limits per endpoint. */
export function operation(server: EmulatorServer, operationId: string, method: string, template: string, handler: RouteHandler): void {
  server.route(method, template, handler, { rateLimitKey: operationId });
}
