/** The in-memory provider's contract fixture; also loaded by the child process of the SIGKILL test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { address, type Address } from '../../src/model/address.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { Sensitive } from '../../src/model/sensitive.ts';
import { MemoryProvider } from '../../src/sandbox/memory-provider.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { spawnWritingChild } from './child-apply.ts';
import type { ContractFixture } from './provider-contract.ts';

export const environment = 'env-a';
export const addresses = {
  first: address('mem', environment, 'thing', 'first'),
  second: address('mem', environment, 'thing', 'second'),
  dependent: address('mem', environment, 'thing', 'dependent'),
};

export function makeProvider(file?: string, latencyMs = 0): MemoryProvider {
  return new MemoryProvider({
    name: 'mem',
    concurrency: 2,
    latencyMs,
    file,
    kinds: [{ kind: 'thing', writeOnly: ['/secret'], outputs: (_a, id) => ({ token: new Sensitive(`token-of-${id}`) }) }],
  });
}

export function desired(options: { variant?: boolean; without?: Address[] } = {}): DesiredResource[] {
  const base = { provider: 'mem', kind: 'thing', scope: environment, environment };
  const all: DesiredResource[] = [
    { ...base, address: addresses.first, spec: { size: 1, secret: { $generate: { length: 24, alphabet: 'hex' } } }, dependsOn: [] },
    { ...base, address: addresses.second, spec: { size: options.variant ? 3 : 2, labels: { tier: 'b' } }, dependsOn: [] },
    { ...base, address: addresses.dependent, spec: { token: { $output: { address: addresses.first, name: 'token', sensitive: true } } }, dependsOn: [addresses.first] },
  ];
  return all.filter((r) => !options.without?.includes(r.address));
}

export async function memoryFixture(): Promise<ContractFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-contract-'));
  const liveFile = path.join(dir, 'live.json');
  const stateFile = path.join(dir, 'state.db');
  let provider = makeProvider(liveFile);
  const store = await openSqliteStore(stateFile);
  const fixture: ContractFixture = {
    get providers() {
      return [provider];
    },
    store,
    environment,
    addresses,
    desired,
    async liveCount(a) {
      return makeProvider(liveFile).findAll(a).length; // read what is on disk, as a new process would
    },
    async createUnowned(a = address('mem', environment, 'thing', 'stranger')) {
      provider.createUnowned(a, { size: 9 });
      return a;
    },
    failNextWrite(a) {
      provider.inject({ match: (op) => 'address' in op && op.address === a, error: () => new Error('permanent failure (injected)') });
    },
    writeCalls: () => provider.writeCalls,
    concurrency: () => ({ seen: provider.maxInFlight, bound: provider.concurrency }),
    async spawnApply(writes) {
      // Reload what the dead process left on disk once it is gone.
      return spawnWritingChild(new URL('./memory-child.ts', import.meta.url).pathname, [liveFile, stateFile], writes, () => (provider = makeProvider(liveFile)));
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
