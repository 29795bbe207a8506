/**
 * The log viewer's data: journal records with filters, and a live feed of new ones. The feed
 * polls the state store, so it shows an apply run by CI or another shell as well as one in this
 * process; an engine Reporter from `engineEvents()` makes it poll at once when a step moves.
 */
import type { EngineEvent, Reporter } from '../model/events.ts';
import type { StateStore } from '../model/state.ts';
import type { JournalEntry, JournalFilters } from './api-types.ts';
import { journalEntry } from './overview.ts';

export function matches(entry: JournalEntry, filters: JournalFilters): boolean {
  return (!filters.environment || entry.environment === filters.environment)
    && (!filters.venture || entry.venture === filters.venture)
    && (!filters.provider || entry.provider === filters.provider)
    && (!filters.outcome || entry.outcome === filters.outcome);
}

/** A Reporter to pass to `applyPlan` next to your own: the dashboard hears each step as it happens. */
export interface EngineEventBus extends Reporter {
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

export function engineEvents(): EngineEventBus {
  const listeners = new Set<(event: EngineEvent) => void>();
  return {
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface JournalFeedOptions {
  store: StateStore;
  ventures: () => Map<string, string>;
  pollMs: number;
  /** Records read per poll: the newest this many. */
  window?: number;
  bus?: EngineEventBus;
}

export class JournalFeed {
  readonly #options: JournalFeedOptions;
  readonly #listeners = new Set<(entries: JournalEntry[]) => void>();
  #seen = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #again = false;
  #unsubscribeBus: (() => void) | undefined;
  #primed = false;

  constructor(options: JournalFeedOptions) {
    this.#options = options;
  }

  /** The newest `limit` records (oldest first) that match. */
  async read(filters: JournalFilters, limit = 500): Promise<JournalEntry[]> {
    const ventures = this.#options.ventures();
    // Filters other than the environment are not columns: read more, filter here, keep the newest.
    const records = await this.#options.store.readJournal({ ...(filters.environment ? { environment: filters.environment } : {}), limit: Math.max(limit, this.#options.window ?? 2000) });
    return records.map((r) => journalEntry(r, ventures)).filter((e) => matches(e, filters)).slice(-limit);
  }

  /** Calls `listener` with each batch of new records until the returned function is called. */
  async subscribe(listener: (entries: JournalEntry[]) => void): Promise<() => void> {
    if (!this.#primed) {
      // What is already there is backlog, not news.
      this.#seen = new Set((await this.read({}, this.#options.window ?? 2000)).map((e) => e.key));
      this.#primed = true;
    }
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.poll(), this.#options.pollMs);
      this.#unsubscribeBus = this.#options.bus?.subscribe((event) => {
        if (event.type.startsWith('step.') || event.type.startsWith('lock.')) void this.poll();
      });
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** One poll at a time; a poll asked for meanwhile runs right after. */
  poll(): Promise<void> {
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = (async () => {
      do {
        this.#again = false;
        try {
          const latest = await this.read({}, this.#options.window ?? 2000);
          const fresh = latest.filter((e) => !this.#seen.has(e.key));
          this.#seen = new Set(latest.map((e) => e.key));
          if (fresh.length > 0) for (const listener of this.#listeners) listener(fresh);
        } catch {
          // A store that is briefly unreachable: the next poll tries again.
        }
      } while (this.#again);
    })().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribeBus?.();
    this.#unsubscribeBus = undefined;
    this.#primed = false;
  }
}
