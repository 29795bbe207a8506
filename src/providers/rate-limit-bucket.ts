/**
 * A client-side token bucket per endpoint, fed by the API's rate-limit headers: requests wait
 * for the reset instead of collecting 429s. Each API writes its headers its own way, so each
 * client turns them into `RateLimitReading`s.
 */
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
