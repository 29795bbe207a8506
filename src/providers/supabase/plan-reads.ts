/**
 * Reads shared by several lists of one plan: the project directory (one call for all projects
 * of every organization, instead of one per project) and a project's database snapshot (one
 * query for its tables, policies and the kept password, instead of one per kind).
 *
 * "Within one plan" without a plan hook: the planner lists every (kind, scope) exactly once
 * per plan, so a consumer asking for a key it was already served from the cached read means a
 * new plan has started, and the read is done again. Lists share only reads that lists made
 * (an apply's look-ups happen while things change), entries expire after `ttlMs`, and writes
 * through this provider drop what they touch. A failed read is never kept.
 */
export class PlanReads<T> {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { value: Promise<T>; served: Set<string> | undefined; at: number }>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The cached read for `consumer`, unless it already had it (a new plan) or it is too old. */
  get(key: string, consumer: string, load: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(key);
    if (entry?.served && !entry.served.has(consumer) && Date.now() - entry.at < this.#ttlMs) {
      entry.served.add(consumer);
      return entry.value;
    }
    return this.#load(key, load, new Set([consumer]));
  }

  /** Any recent read will do (apply-time lookups of what a plan just read). */
  recent(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(key);
    if (entry && Date.now() - entry.at < this.#ttlMs) return entry.value;
    return this.#load(key, load, undefined);
  }

  /** A read now, for apply-time look-ups only. */
  fresh(key: string, load: () => Promise<T>): Promise<T> {
    return this.#load(key, load, undefined);
  }

  drop(key?: string): void {
    if (key === undefined) this.#entries.clear();
    else this.#entries.delete(key);
  }

  /** `served` undefined: a read lists may not share. */
  #load(key: string, load: () => Promise<T>, served: Set<string> | undefined): Promise<T> {
    const entry = { value: load(), served, at: Date.now() };
    this.#entries.set(key, entry);
    entry.value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return entry.value;
  }
}
