/**
 * Environment locks around a piece of work: taken in sorted order (no deadlock between two
 * appliers), optionally waited for, renewed while the work runs, always released.
 */
import type { Reporter } from '../model/events.ts';
import { LockHeldError, type LockInfo, type StateStore } from '../model/state.ts';
import { sleep } from './concurrency.ts';

export interface LockOptions {
  ttlMs?: number;
  /** Wait up to this long for a lock another run holds (0: fail at once). */
  waitMs?: number;
  reporter?: Reporter;
}

export async function withEnvironmentLocks<T>(store: StateStore, environments: string[], owner: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const ttl = options.ttlMs ?? 15 * 60_000;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const held: LockInfo[] = [];
  try {
    for (const environment of [...new Set(environments)].sort()) {
      for (;;) {
        try {
          held.push(await store.acquireLock(environment, owner, ttl));
          options.reporter?.emit({ type: 'lock.acquired', environment, owner });
          break;
        } catch (error) {
          if (!(error instanceof LockHeldError) || Date.now() >= deadline) throw error;
          await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
        }
      }
    }
  } catch (error) {
    for (const lock of held) await store.releaseLock(lock.environment, owner);
    throw error;
  }
  const heartbeat = setInterval(() => {
    for (const lock of held) void store.renewLock(lock.environment, owner, ttl).catch(() => undefined);
  }, Math.max(1000, ttl / 3));
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    for (const lock of held) {
      await store.releaseLock(lock.environment, owner);
      options.reporter?.emit({ type: 'lock.released', environment: lock.environment });
    }
  }
}
