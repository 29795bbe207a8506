import type { EmulatorReply } from './reply.ts';

export type AuthFailure = 'missing' | 'invalid';

export type AuthResult = { ok: true; token: string } | { ok: false; failure: AuthFailure };

export interface BearerAuthOptions {
  /** Tokens accepted at start; `allow`/`revoke` change the set later (token rotation tests). */
  readonly tokens: Iterable<string>;
  /** Each API words its refusal differently (status and body), so the caller renders it. */
  readonly reject: (failure: AuthFailure) => EmulatorReply;
}

export function readBearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return m?.[1];
}

export class BearerAuth {
  readonly #tokens: Set<string>;
  readonly reject: (failure: AuthFailure) => EmulatorReply;

  constructor(options: BearerAuthOptions) {
    this.#tokens = new Set(options.tokens);
    this.reject = options.reject;
  }

  allow(token: string): void {
    this.#tokens.add(token);
  }

  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  check(authorization: string | undefined): AuthResult {
    const token = readBearerToken(authorization);
    if (token === undefined) {
      // A header that is present but not "Bearer x" counts as missing, as most APIs treat it.
      return { ok: false, failure: 'missing' };
    }
    return this.#tokens.has(token) ? { ok: true, token } : { ok: false, failure: 'invalid' };
  }
}
