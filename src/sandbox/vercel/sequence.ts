import { createHash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Vercel-looking ids (`prj_…`, `dpl_…`) that are the same on every run with the same seed,
 * so test output and goldens stay stable.
 */
export class IdSource {
  readonly #seed: string;
  #counter = 0;

  constructor(seed = 'vercel-emulator') {
    this.#seed = seed;
  }

  next(prefix: string, length = 24): string {
    return prefix + this.token(length);
  }

  /** Random-looking base62 text, e.g. for deployment URL hashes. */
  token(length: number): string {
    const digest = createHash('sha256').update(`${this.#seed}:${++this.#counter}`).digest();
    let out = '';
    for (let i = 0; out.length < length; i++) out += BASE62[digest[i % digest.length]! % 62];
    return out;
  }

  hex(length: number): string {
    return createHash('sha256').update(`${this.#seed}:hex:${++this.#counter}`).digest('hex').slice(0, length);
  }
}

/**
 * Strictly increasing millisecond timestamps: Vercel paginates by timestamps, and two
 * objects created in the same millisecond would make page boundaries ambiguous.
 */
export class MonotonicClock {
  readonly #now: () => number;
  #last = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  stamp(): number {
    this.#last = Math.max(this.#now(), this.#last + 1);
    return this.#last;
  }

  now(): number {
    return this.#now();
  }
}
