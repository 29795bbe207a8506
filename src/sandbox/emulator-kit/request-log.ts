import type { FaultKind } from './faults.ts';

/** What the client experienced: an answer, a dropped connection, or silence. */
export type RequestOutcome = 'replied' | 'reset' | 'timeout';

export interface RequestLogEntry {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** The route template that served it, when one matched. */
  readonly route: string | undefined;
  /** Status the client received; null when it received none. */
  readonly status: number | null;
  /** For acceptThenTimeout: the status the handler produced but never sent. */
  readonly handledStatus: number | null;
  readonly outcome: RequestOutcome;
  readonly fault: FaultKind | undefined;
  readonly startedAtMs: number;
}

export interface RequestFilter {
  readonly method?: string;
  /** RegExp on the path, or exact path. */
  readonly path?: string | RegExp;
  readonly route?: string;
  readonly status?: number;
  readonly outcome?: RequestOutcome;
}

export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  #seq = 0;

  append(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full = { ...entry, seq: ++this.#seq };
    this.#entries.push(full);
    return full;
  }

  all(): readonly RequestLogEntry[] {
    return this.#entries;
  }

  filter(f: RequestFilter = {}): RequestLogEntry[] {
    return this.#entries.filter((e) => {
      if (f.method !== undefined && e.method !== f.method.toUpperCase()) return false;
      if (f.route !== undefined && e.route !== f.route) return false;
      if (f.status !== undefined && e.status !== f.status) return false;
      if (f.outcome !== undefined && e.outcome !== f.outcome) return false;
      if (f.path instanceof RegExp) {
        f.path.lastIndex = 0;
        if (!f.path.test(e.path)) return false;
      } else if (f.path !== undefined && e.path !== f.path) {
        return false;
      }
      return true;
    });
  }

  count(f: RequestFilter = {}): number {
    return this.filter(f).length;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
