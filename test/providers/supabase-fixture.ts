/**
 * The Supabase provider's contract fixture, on the emulator backed by the real PostgreSQL of
 * the test run (supabase-contract-spec.ts says what the three resources are).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { address, parseAddress, type Address } from '../../src/model/address.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { spawnEmulatorChild } from '../contract/child-apply.ts';
import type { ContractFixture } from '../contract/provider-contract.ts';
import { addressesFor, desiredFor, environment, names } from './supabase-contract-spec.ts';
import { providerFor } from './supabase-env.ts';
import { createProjectByHand, sqlOn, startSupabase } from './supabase-helpers.ts';

const childPath = new URL('./supabase-child.ts', import.meta.url).pathname;
let fixtures = 0;

export async function supabaseFixture(): Promise<ContractFixture> {
  const suffix = `${process.pid}-${++fixtures}`;
  const { project, other } = names(suffix);
  const world = await startSupabase();
  const { emulator } = world;
  await createProjectByHand(emulator, other);
  const provider = providerFor(emulator.url, { concurrency: 2 });
  const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-supabase-contract-'));
  const stateFile = path.join(dir, 'state.db');
  const store = await openSqliteStore(stateFile);
  const baseline = provider.client.stats.writes;
  const handMadePolicy = (scope: string, name: string) => sqlOn(emulator, scope, `create policy "${name}" on public.items for select to authenticated using (true)`);

  return {
    providers: [provider],
    store,
    environment,
    addresses: addressesFor(suffix),
    desired: (options) => desiredFor(suffix, options),
    async liveCount(a) {
      const { kind, scope, name } = parseAddress(a);
      const projects = emulator.state.projectsNamed(scope);
      if (kind === 'project') return projects.length;
      if (kind !== 'policy') throw new Error(`liveCount: no rule for ${kind}`);
      if (projects.length === 0) return 0;
      const rows = await sqlOn(emulator, scope, 'select count(*)::int as n from pg_policy where polrelid = to_regclass($1) and polname = $2', [name[0], name[1]]);
      return Number(rows[0]?.['n'] ?? 0);
    },
    async createUnowned(a) {
      if (a === undefined) {
        // A policy added by hand in the SQL editor, on the table whose policies Shipyard manages.
        await handMadePolicy(project, 'stranger-read');
        return address('supabase', project, 'policy', 'public.items', 'stranger-read');
      }
      if (a !== addressesFor(suffix).second) throw new Error(`createUnowned: no rule for ${a}`);
      await handMadePolicy(other, 'second-read');
      return a;
    },
    failNextWrite(a: Address) {
      if (parseAddress(a).kind !== 'project') throw new Error(`failNextWrite: no rule for ${a}`);
      emulator.injectFault({ kind: 'status', status: 400, times: 1, body: { message: 'Injected: the organization has reached its project limit' }, match: { method: 'POST', path: '/v1/projects' } });
    },
    writeCalls: () => provider.client.stats.writes - baseline,
    concurrency: () => ({ seen: provider.writes.maxInFlight, bound: provider.concurrency }),
    spawnApply: (writes) =>
      // The child is killed while it waits for its project to come up.
      spawnEmulatorChild(emulator, childPath, [emulator.url, stateFile, suffix], writes, (r) => r.method === 'POST' && r.route === '/v1/projects' && r.status === 201),
    async cleanup() {
      await store.close();
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
