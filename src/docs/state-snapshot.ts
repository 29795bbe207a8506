/** What the docs show of the state store: read through the StateStore interface, so any backend works. */
import type { StateStore } from '../model/state.ts';
import type { DocsState } from './facts.ts';

/** The inventory, the newest apply run and the locks; the store named without paths or URLs. */
export async function snapshotState(store: StateStore): Promise<DocsState> {
  const newest = (await store.readJournal({ limit: 1 })).at(-1)?.runId;
  return {
    store: store.name.startsWith('sqlite:') ? 'sqlite' : store.name,
    inventory: await store.listInventory(),
    lastRun: newest ? await store.readJournal({ runId: newest }) : [],
    locks: await store.listLocks(),
  };
}
