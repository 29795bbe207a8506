import type { HeaderMap } from './json-http.ts';
import { compilePathTemplate, matchPathTemplate, type PathTemplate } from './router.ts';

/**
 * - status: answer with `status` (and optional body/headers) before auth or routing.
 * - timeout: read the request, never answer, keep the socket open.
 * - reset: destroy the socket without answering.
 * - acceptThenTimeout: run the handler (state changes!), then hang or reset instead of
 *   replying: a create the server accepted but whose answer the client never saw.
 * - delay: wait `delayMs`, then serve normally (latency for benchmarks).
 */
export type FaultKind = 'status' | 'timeout' | 'reset' | 'acceptThenTimeout' | 'delay';

export interface FaultMatch {
  readonly method?: string;
  /** RegExp tested on the path; a string with `{param}` is a route template; else exact path. */
  readonly path?: string | RegExp;
}

export interface FaultSpec {
  readonly kind: FaultKind;
  readonly match?: FaultMatch;
  /** For kind 'status'. */
  readonly status?: number;
  /** For kind 'status': replaces the API's default error body. */
  readonly body?: unknown;
  readonly headers?: HeaderMap;
  /** For kind 'acceptThenTimeout': what happens instead of the reply (default 'hang'). */
  readonly after?: 'hang' | 'reset';
  /** For kind 'delay'. */
  readonly delayMs?: number;
  /** Fire at most n times, then the fault retires. */
  readonly times?: number;
  /** 0..1, drawn from the injector's seeded generator so runs repeat exactly. */
  readonly probability?: number;
}

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** How many requests it has hit so far. */
  readonly fired: number;
}

interface FaultEntry {
  id: number;
  spec: FaultSpec;
  fired: number;
  template: PathTemplate | undefined;
}

/** mulberry32: tiny, fast, and good enough to make probabilistic faults reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  readonly #entries: FaultEntry[] = [];
  #nextId = 1;
  #random: () => number;

  constructor(seed = 1) {
    this.#random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.#random = seededRandom(seed);
  }

  inject(spec: FaultSpec): ActiveFault {
    validate(spec);
    const path = spec.match?.path;
    const entry: FaultEntry = {
      id: this.#nextId++,
      spec,
      fired: 0,
      template: typeof path === 'string' && path.includes('{') ? compilePathTemplate(path) : undefined,
    };
    this.#entries.push(entry);
    return this.#view(entry);
  }

  remove(id: number): void {
    const i = this.#entries.findIndex((e) => e.id === id);
    if (i >= 0) this.#entries.splice(i, 1);
  }

  clear(): void {
    this.#entries.length = 0;
  }

  active(): ActiveFault[] {
    return this.#entries.map((e) => this.#view(e));
  }

  /** The first matching fault that fires for this request, consuming one of its `times`. */
  take(method: string, path: string): FaultSpec | undefined {
    for (const entry of this.#entries) {
      if (!matches(entry, method, path)) continue;
      const p = entry.spec.probability;
      if (p !== undefined && !(this.#random() < p)) continue;
      entry.fired += 1;
      if (entry.spec.times !== undefined && entry.fired >= entry.spec.times) {
        this.remove(entry.id);
      }
      return entry.spec;
    }
    return undefined;
  }

  #view(entry: FaultEntry): ActiveFault {
    // A live view: `fired` keeps counting after inject() returns.
    return {
      id: entry.id,
      spec: entry.spec,
      get fired() {
        return entry.fired;
      },
    };
  }
}

function matches(entry: FaultEntry, method: string, path: string): boolean {
  const m = entry.spec.match;
  if (!m) return true;
  if (m.method !== undefined && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path === undefined) return true;
  if (m.path instanceof RegExp) {
    m.path.lastIndex = 0;
    return m.path.test(path);
  }
  if (entry.template) return matchPathTemplate(entry.template, path) !== undefined;
  return m.path === path;
}

function validate(spec: FaultSpec): void {
  if (spec.kind === 'status' && (spec.status === undefined || spec.status < 100 || spec.status > 599)) {
    throw new Error(`fault kind 'status' needs a status between 100 and 599, got ${String(spec.status)}`);
  }
  if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
    throw new Error(`fault probability must be within 0..1, got ${spec.probability}`);
  }
  if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0)) {
    throw new Error(`fault times must be a positive integer, got ${spec.times}`);
  }
  if (spec.kind === 'delay' && !(spec.delayMs !== undefined && spec.delayMs >= 0)) {
    throw new Error(`fault kind 'delay' needs delayMs >= 0`);
  }
}
