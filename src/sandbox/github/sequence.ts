import { createHash } from 'node:crypto';

/**
 * Numeric ids per kind (comments, check runs, ...) that repeat exactly for the same seed, so
 * test output is stable. Kinds start far apart, as on GitHub, so an id never fits two kinds.
 */
export class IdSource {
  readonly #seed: string;
  readonly #next = new Map<string, number>();
  #bases = 0;
  #counter = 0;

  constructor(seed = 'github-emulator') {
    this.#seed = seed;
  }

  next(kind: string): number {
    let n = this.#next.get(kind);
    if (n === undefined) n = 1_000_000 * (++this.#bases) + 1;
    this.#next.set(kind, n + 1);
    return n;
  }

  /** A 40-hex SHA for objects the emulator invents (commits, check suites' head...). */
  sha(...parts: readonly string[]): string {
    return createHash('sha1').update(`${this.#seed}:${++this.#counter}:${parts.join('\u0000')}`).digest('hex');
  }
}

/** The SHA git itself gives a blob, so `sha` in contents answers matches `git hash-object`. */
export function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\u0000`).update(content).digest('hex');
}

/** GraphQL-style node ids: opaque, stable, and distinct per kind. */
export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_${Buffer.from(`${prefix}:${id}`).toString('base64url')}`;
}

/** Strictly increasing milliseconds, rendered as GitHub does: ISO 8601 in UTC without fractions. */
export class Clock {
  readonly now: () => number;
  #last = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Ordering ties (two comments in one second) are broken by id, so ms only need to be monotonic. */
  stamp(): number {
    this.#last = Math.max(this.now(), this.#last + 1);
    return this.#last;
  }
}

export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : iso(ms);
}
