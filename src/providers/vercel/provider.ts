/**
 * The Vercel provider: projects, env vars, domains and DNS records through one client (one
 * token bucket, one call counter). Every list is a single call per scope (pagination aside):
 * project by name, all env vars of a project, all domains of a project, all records of a zone.
 */
import type { Address } from '../../model/address.ts';
import type { Reporter } from '../../model/events.ts';
import type { Provider } from '../../model/provider.ts';
import { VercelClient, type VercelClientOptions } from './client.ts';
import { dnsRecordKind } from './kinds/dns-record.ts';
import { domainKind } from './kinds/domain.ts';
import { envKind } from './kinds/env.ts';
import { projectKind } from './kinds/project.ts';
import { Redeployer } from './redeploy.ts';
import { countWrites, type WriteCounts } from '../write-counter.ts';

export interface VercelProviderOptions extends VercelClientOptions {
  /** Parallel writes (default 4). */
  concurrency?: number;
  /** Receives progress notes: DNS verification records, redeploys, the production branch. */
  reporter?: Reporter;
  /** Env addresses marked `redeploy: true` (desired.ts `redeployAddresses`): a value change redeploys production. */
  redeploy?: Iterable<string>;
  /** How long a redeploy waits for more changes to the same project (default 150 ms). */
  redeploySettleMs?: number;
}

export interface VercelProvider extends Provider {
  readonly client: VercelClient;
  readonly redeployer: Redeployer;
  /** Writes in flight now and at most so far (the contract suite checks the bound). */
  readonly writes: WriteCounts;
}

export function createVercelProvider(options: VercelProviderOptions): VercelProvider {
  const client = new VercelClient(options);
  const progress = (address: Address, message: string) => options.reporter?.emit({ type: 'progress', address, message });
  const ctx = { client, progress };
  const redeployer = new Redeployer(client, progress, options.redeploySettleMs);
  const { kinds, writes } = countWrites([projectKind(ctx), envKind(ctx, { addresses: new Set(options.redeploy ?? []), redeployer }), domainKind(ctx), dnsRecordKind(ctx)]);
  return {
    name: 'vercel',
    concurrency: options.concurrency ?? 4,
    kinds,
    client,
    redeployer,
    writes,
    async ping() {
      await client.listProjects('vercel', 1);
    },
  };
}
