import type { HeaderMap } from './json-http.ts';

export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowMs: number;
}

/** The state after counting one request; everything a header or body renderer needs. */
export interface RateLimitState {
  readonly subject: string;
  readonly endpoint: string;
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  readonly windowMs: number;
  readonly resetAtMs: number;
  readonly nowMs: number;
  readonly limited: boolean;
}

export interface FixedWindowOptions extends RateLimitPolicy {
  /** Per-endpoint override (e.g. a stricter limit for project creation); undefined = default. */
  readonly policyFor?: (endpoint: string) => RateLimitPolicy | undefined;
  readonly now?: () => number;
}

interface Window {
  startMs: number;
  count: number;
}

/**
 * Fixed window per (subject, endpoint): the first request opens a window of `windowMs`;
 * requests beyond `limit` inside it are refused and do not count.
 */
export class FixedWindowRateLimiter {
  readonly #windows = new Map<string, Window>();
  #policy: RateLimitPolicy;
  readonly #policyFor: ((endpoint: string) => RateLimitPolicy | undefined) | undefined;
  readonly now: () => number;

  constructor(options: FixedWindowOptions) {
    this.#policy = { limit: options.limit, windowMs: options.windowMs };
    this.#policyFor = options.policyFor;
    this.now = options.now ?? Date.now;
  }

  /** Tests shrink the limit after setup so that only the calls under test count. */
  setPolicy(policy: RateLimitPolicy): void {
    this.#policy = policy;
    this.#windows.clear();
  }

  policy(endpoint: string): RateLimitPolicy {
    return this.#policyFor?.(endpoint) ?? this.#policy;
  }

  hit(subject: string, endpoint: string): RateLimitState {
    const { limit, windowMs } = this.policy(endpoint);
    const nowMs = this.now();
    const key = `${subject}\u0000${endpoint}`;
    let w = this.#windows.get(key);
    if (!w || nowMs >= w.startMs + windowMs) {
      w = { startMs: nowMs, count: 0 };
      this.#windows.set(key, w);
    }
    const limited = w.count >= limit;
    if (!limited) w.count += 1;
    return {
      subject,
      endpoint,
      limit,
      used: w.count,
      remaining: Math.max(0, limit - w.count),
      windowMs,
      resetAtMs: w.startMs + windowMs,
      nowMs,
      limited,
    };
  }

  reset(): void {
    this.#windows.clear();
  }
}

/** Whole seconds until the window resets, at least 1 so clients never spin. */
export function retryAfterSeconds(state: RateLimitState): number {
  return Math.max(1, Math.ceil((state.resetAtMs - state.nowMs) / 1000));
}

/** How one API spells its limits: headers on every response, and the refusal. */
export interface RateLimitRenderer {
  readonly headers: (state: RateLimitState) => HeaderMap;
  readonly body: (state: RateLimitState) => unknown;
  /** Refusal status; default 429 (GitHub's primary limit answers 403). */
  readonly status?: number;
  /** Add Retry-After (whole seconds) to the refusal; default true. */
  readonly retryAfter?: boolean;
}
