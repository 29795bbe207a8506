/**
 * A client-side token bucket per endpoint, fed by the API's rate-limit headers: requests wait
 * for the reset instead of collecting 429s. Each API writes its headers its own way, so each
 * client turns them into `RateLimitReading`s.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RateLimitReading {
  limit: number | undefined;
  remaining: number;
  /** When the window resets, in epoch milliseconds. */
  resetAtMs: number | undefined;
}

/** `X-RateLimit-Limit/Remaining` and the Reset header as the API writes it, or undefined without them. */
export function readRateLimitHeaders(headers: Headers, resetAtMs: (reset: number) => number): RateLimitReading | undefined {
  const remaining = Number(headers.get('x-ratelimit-remaining'));
  if (!headers.has('x-ratelimit-remaining') || !Number.isFinite(remaining)) return undefined;
  const limit = Number(headers.get('x-ratelimit-limit'));
  const reset = Number(headers.get('x-ratelimit-reset'));
  return {
    limit: Number.isFinite(limit) && limit > 0 ? limit : undefined,
    remaining,
    resetAtMs: headers.has('x-ratelimit-reset') && Number.isFinite(reset) && reset >= 0 ? resetAtMs(reset) : undefined,
  };
}

export class RateLimitBucket {
  remaining: number | undefined;
  limit: number | undefined;
  resetAtMs: number | undefined;

  /** How long the next request must wait (0 = now); takes a token. */
  take(nowMs: number): number {
    if (this.remaining === undefined || this.resetAtMs === undefined) return 0;
    if (nowMs >= this.resetAtMs) {
      this.remaining = this.limit;
      this.resetAtMs = undefined;
      return 0;
    }
    if (this.remaining > 0) {
      this.remaining--;
      return 0;
    }
    return this.resetAtMs - nowMs;
  }

  update(reading: RateLimitReading | undefined): void {
    if (!reading) return;
    if (reading.limit !== undefined) this.limit = reading.limit;
    this.remaining = reading.remaining;
    if (reading.resetAtMs !== undefined) this.resetAtMs = reading.resetAtMs;
  }
}

/** Retry and timing settings both API clients take. */
export interface RetryOptions {
  /** Retries per request for 429/5xx/reset/timeout before giving up. */
  maxRetries?: number;
  baseDelayMs?: number;
  /** Longest single wait; a Reset or Retry-After beyond it ends the retries. */
  maxDelayMs?: number;
  /** Per attempt. */
  timeoutMs?: number;
}

/** Counters both API clients keep (the Supabase client adds its own). */
export interface CallStats {
  /** Logical calls (one per operation, whatever the retries). */
  calls: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Times a bucket held a request back until its window reset. */
  throttled: number;
  byOperation: Record<string, number>;
}

/**
 * The pacing both API clients share: a bucket per key (endpoint, or endpoint and project), the
 * wait a spent bucket imposes before a request, and exponential backoff with jitter between
 * retries. Each client decides what is retryable and how its headers read.
 */
export class RequestPacer {
  readonly maxRetries: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  readonly #baseDelayMs: number;
  readonly #buckets = new Map<string, RateLimitBucket>();

  constructor(options: RetryOptions, defaults: Required<RetryOptions>) {
    this.maxRetries = options.maxRetries ?? defaults.maxRetries;
    this.#baseDelayMs = options.baseDelayMs ?? defaults.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? defaults.maxDelayMs;
    this.timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  }

  /** Takes a token from the key's bucket, first waiting for the window to reset when it is spent and the wait is short enough. */
  async pace(key: string, stats: Pick<CallStats, 'throttled'>): Promise<RateLimitBucket> {
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new RateLimitBucket()));
    const wait = bucket.take(Date.now());
    // A reset further away than we may wait (or a skewed clock): send anyway, the server decides.
    if (wait > 0 && wait <= this.maxDelayMs) {
      stats.throttled++;
      await sleep(wait + 20);
      bucket.take(Date.now());
    }
    return bucket;
  }

  backoff(attempt: number): number {
    const base = Math.min(this.maxDelayMs, this.#baseDelayMs * 2 ** attempt);
    return base + Math.random() * base * 0.2;
  }
}
