import type { HeaderMap } from '../emulator-kit/json-http.ts';
import { FixedWindowRateLimiter, retryAfterSeconds, type RateLimitRenderer, type RateLimitState } from '../emulator-kit/rate-limit.ts';
import { errorBody, fail } from './errors.ts';

// Two kinds of limits, as on GitHub:
// - primary: a request budget per token per hour, reported on every response through
//   x-ratelimit-{limit,remaining,used,reset,resource}; exhausted → 403 with remaining 0.
// - secondary: at most N content-creating requests (POST/PATCH/PUT/DELETE) per minute per
//   token → 403 (or 429) with retry-after, while the primary budget may be far from spent.

const PRIMARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits';
const SECONDARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
export const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID and timestamp.';

export const CORE_BUCKET = 'core';

export function rateLimitHeaders(s: RateLimitState, resource: string): HeaderMap {
  return {
    'x-ratelimit-limit': String(s.limit),
    'x-ratelimit-remaining': String(s.remaining),
    'x-ratelimit-used': String(s.used),
    'x-ratelimit-reset': String(Math.ceil(s.resetAtMs / 1000)),
    'x-ratelimit-resource': resource,
  };
}

export class PrimaryLimit {
  readonly limiter: FixedWindowRateLimiter;
  readonly render: RateLimitRenderer;
  /** The state after each subject's latest request, for GET /rate_limit. */
  readonly #last = new Map<string, RateLimitState>();

  constructor(limit: number, windowMs: number, now: () => number, describe: (subject: string) => string) {
    this.limiter = new FixedWindowRateLimiter({ limit, windowMs, now });
    this.render = {
      headers: (s) => {
        this.#last.set(s.subject, s);
        return rateLimitHeaders(s, CORE_BUCKET);
      },
      body: (s) => errorBody(403, `API rate limit exceeded for ${describe(s.subject)}.`, {}, PRIMARY_DOCS),
      status: 403,
      retryAfter: false,
    };
  }

  last(subject: string): RateLimitState | undefined {
    return this.#last.get(subject);
  }
}

export class SecondaryLimit {
  readonly limiter: FixedWindowRateLimiter;
  readonly #status: 403 | 429;

  constructor(perMinute: number, now: () => number, status: 403 | 429) {
    this.limiter = new FixedWindowRateLimiter({ limit: perMinute, windowMs: 60_000, now });
    this.#status = status;
  }

  /** Counts one content-creating request; refused ones do not count, as the kit's limiter does. */
  check(subject: string): void {
    const s = this.limiter.hit(subject, 'content-creation');
    if (!s.limited) return;
    fail(this.#status, SECONDARY_MESSAGE, { documentation_url: SECONDARY_DOCS }, { 'retry-after': String(retryAfterSeconds(s)) });
  }
}
