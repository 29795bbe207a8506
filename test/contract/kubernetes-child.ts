/** Child process of the Kubernetes SIGKILL contract test: a slow apply that reports each write. */
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import { silentReporter } from '../../src/model/events.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { KubeConnection } from '../harness/kube.ts';
import { contractDesired, instrumented } from './kubernetes-fixture.ts';

const [connection, ns, stateFile] = process.argv.slice(2) as [string, string, string];
const { provider } = instrumented(JSON.parse(connection) as KubeConnection, { delayMs: 400, onWrite: () => process.stdout.write('write\n') });
const store = await openSqliteStore(stateFile);
const fingerprints = new Fingerprinter('contract-suite-fingerprint-key');
const secrets = secretsFromMap({});
const result = await computePlan({ desired: contractDesired(ns), providers: [provider], store, secrets, fingerprints, reporter: silentReporter });
await applyPlan({ ...result, store, secrets, fingerprints, reporter: silentReporter, actor: 'child' });
