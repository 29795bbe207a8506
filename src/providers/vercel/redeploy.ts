/**
 * Redeploying production after a `redeploy: true` variable changed value: Vercel applies env
 * values only to new deployments. Requests that arrive within a short settle window are
 * coalesced, so the writes the engine runs in parallel cause one redeploy per project.
 *
 * A failed redeploy does not fail the env step (the value is written; failing would not make
 * the next apply redeploy either): it is reported as progress, with what to do.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from '../../model/address.ts';
import type { VercelClient } from './client.ts';

interface Pending {
  started: boolean;
  promise: Promise<void>;
}

export class Redeployer {
  readonly #client: VercelClient;
  readonly #progress: (address: Address, message: string) => void;
  readonly #settleMs: number;
  readonly #pending = new Map<string, Pending>();
  /** Deployments created, for tests and the report. */
  readonly created: { project: string; from: string; id: string }[] = [];

  constructor(client: VercelClient, progress: (address: Address, message: string) => void, settleMs = 150) {
    this.#client = client;
    this.#progress = progress;
    this.#settleMs = settleMs;
  }

  /** Resolves once the (shared) redeploy of the project's production finished or was reported. */
  request(project: string, address: Address): Promise<void> {
    const waiting = this.#pending.get(project);
    if (waiting && !waiting.started) return waiting.promise;
    const entry: Pending = { started: false, promise: Promise.resolve() };
    entry.promise = (async () => {
      await sleep(this.#settleMs);
      entry.started = true;
      this.#pending.delete(project);
      await this.#redeploy(project, address);
    })();
    this.#pending.set(project, entry);
    return entry.promise;
  }

  async #redeploy(project: string, address: Address): Promise<void> {
    try {
      const latest = await this.#client.latestDeployment(address, project, 'production');
      if (!latest) {
        this.#progress(address, `${project} has no production deployment yet: the first one will use the new value`);
        return;
      }
      const id = await this.#client.redeploy(address, project, latest.uid, 'production');
      this.created.push({ project, from: latest.uid, id });
      this.#progress(address, `redeploying ${project} production (${id || 'new deployment'}, from ${latest.uid}) so the new value takes effect`);
    } catch (error) {
      this.#progress(address, `the value is written, but redeploying ${project} failed: ${(error as Error).message}. Redeploy production by hand (Vercel dashboard → Deployments → Redeploy)`);
    }
  }
}
