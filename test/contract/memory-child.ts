/** Child process of the SIGKILL contract test: a slow apply that reports each write. */
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import { silentReporter } from '../../src/model/events.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { desired, makeProvider } from './memory-fixture.ts';

const [liveFile, stateFile] = process.argv.slice(2) as [string, string];
const provider = makeProvider(liveFile, 300);
provider.onWrite(() => process.stdout.write('write\n'));
const store = await openSqliteStore(stateFile);
const fingerprints = new Fingerprinter('contract-suite-fingerprint-key');
const secrets = secretsFromMap({});
const result = await computePlan({ desired: desired(), providers: [provider], store, secrets, fingerprints, reporter: silentReporter });
await applyPlan({ ...result, store, secrets, fingerprints, reporter: silentReporter, actor: 'child' });
