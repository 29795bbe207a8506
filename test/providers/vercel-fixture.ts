/**
 * The Vercel provider's contract fixture, on the emulator through the real SDK. `first` is a
 * project, `second` an independent DNS record (in an account zone), `dependent` an env var of
 * the project whose value is the project's id (an output of `first`). Also loaded by the
 * child process of the SIGKILL test, which connects to the parent's emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { address, parseAddress, type Address } from '../../src/model/address.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { dnsRecordId } from '../../src/providers/vercel/desired.ts';
import { projectAddress } from '../../src/providers/vercel/kinds/project.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { spawnEmulatorChild } from '../contract/child-apply.ts';
import type { ContractFixture } from '../contract/provider-contract.ts';
import { startEmulator, TEAM, TOKEN, vercelProvider } from './vercel-helpers.ts';

export const environment = 'contract';
export const childPath = new URL('./vercel-child.ts', import.meta.url).pathname;

export function names(suffix: string) {
  return { project: `contract-${suffix}`, zone: `zone-${suffix}.test` };
}

export function addressesFor(suffix: string) {
  const { project, zone } = names(suffix);
  return {
    first: projectAddress(project),
    second: address('vercel', zone, 'dns-record', dnsRecordId('TXT', 'probe', 'shipyard-contract')),
    dependent: address('vercel', project, 'env', 'production', 'SELF_PROJECT_ID'),
  };
}

export function desiredFor(suffix: string, options: { variant?: boolean; without?: Address[] } = {}): DesiredResource[] {
  const { project, zone } = names(suffix);
  const a = addressesFor(suffix);
  const base = { provider: 'vercel', environment };
  const all: DesiredResource[] = [
    {
      ...base, address: a.first, kind: 'project', scope: project, dependsOn: [],
      spec: { name: project, framework: 'nextjs', gitRepository: { type: 'github', repo: 'acme/contract' }, productionBranch: 'main', previewDeploymentsDisabled: false },
    },
    { ...base, address: a.second, kind: 'dns-record', scope: zone, dependsOn: [], spec: { type: 'TXT', name: 'probe', value: 'shipyard-contract', ttl: options.variant ? 120 : 60 } },
    {
      ...base, address: a.dependent, kind: 'env', scope: project, dependsOn: [a.first],
      spec: { key: 'SELF_PROJECT_ID', target: ['production'], type: 'encrypted', comment: 'The project id, consumed from the project resource.', value: { $output: { address: a.first, name: 'id', sensitive: false } } },
    },
  ];
  return all.filter((r) => !options.without?.includes(r.address));
}

let fixtures = 0;

/** How many live objects carry this address, read from the emulator's state. */
export function liveCount(emulator: VercelEmulator, target: Address): number {
  const { kind, scope, name } = parseAddress(target);
  if (kind === 'project') return emulator.state.projects(TEAM).filter((p) => p.name === name[0]).length;
  if (kind === 'env') {
    const [slot, key] = name;
    return emulator.state.project(scope, TEAM)?.envs.filter((e) => e.key === key && e.target.includes(slot as never)).length ?? 0;
  }
  if (kind === 'dns-record') return emulator.state.records(scope, TEAM).filter((r) => dnsRecordId(r.type, r.name, r.value) === name[0]).length;
  throw new Error(`liveCount: no rule for ${kind}`);
}

export async function vercelFixture(): Promise<ContractFixture> {
  const suffix = `${process.pid}-${++fixtures}`;
  const { project, zone } = names(suffix);
  const emulator = await startEmulator();
  emulator.state.addDomain(zone, TEAM); // an account domain, as if bought earlier: its zone is served by Vercel
  const provider = vercelProvider(emulator, { concurrency: 2 });
  const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-vercel-contract-'));
  const stateFile = path.join(dir, 'state.db');
  const store = await openSqliteStore(stateFile);
  const writesSoFar = () => emulator.requests.all().filter((r) => r.method !== 'GET').length;
  const baseline = writesSoFar();
  const sdkWrite = async (method: string, url: string, body: unknown) => {
    const res = await fetch(`${emulator.url}${url}${url.includes('?') ? '&' : '?'}teamId=${TEAM}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  };
  return {
    providers: [provider],
    store,
    environment,
    addresses: addressesFor(suffix),
    desired: (options) => desiredFor(suffix, options),
    liveCount: async (a) => liveCount(emulator, a),
    async createUnowned(a) {
      if (a === undefined) {
        // A variable added by hand in the dashboard, in the project Shipyard manages.
        await sdkWrite('POST', `/v10/projects/${project}/env`, { key: 'STRANGER', value: 'hand-made', type: 'plain', target: ['production'] });
        return address('vercel', project, 'env', 'production', 'STRANGER');
      }
      if (a !== addressesFor(suffix).second) throw new Error(`createUnowned: no rule for ${a}`);
      await sdkWrite('POST', `/v2/domains/${zone}/records`, { type: 'TXT', name: 'probe', value: 'shipyard-contract', ttl: 300 });
      return a;
    },
    failNextWrite(a) {
      const kind = parseAddress(a).kind;
      const path = kind === 'project' ? '/v11/projects' : kind === 'env' ? '/v10/projects/{idOrName}/env' : '/v2/domains/{domain}/records';
      emulator.injectFault({ kind: 'status', status: 400, times: 1, match: { method: 'POST', path } });
    },
    writeCalls: () => writesSoFar() - baseline,
    concurrency: () => ({ seen: provider.writes.maxInFlight, bound: provider.concurrency }),
    spawnApply: (writes) =>
      spawnEmulatorChild(emulator, childPath, [emulator.url, stateFile, suffix], writes, (r) => r.method !== 'GET' && r.status < 300),
    async cleanup() {
      await store.close();
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
