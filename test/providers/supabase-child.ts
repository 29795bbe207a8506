/** Child process of the SIGKILL contract test: a real apply against the parent's emulator, state in the shared sqlite file. */
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import { silentReporter } from '../../src/model/events.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { desiredFor } from './supabase-contract-spec.ts';
import { providerFor } from './supabase-env.ts';

const [apiUrl, stateFile, suffix] = process.argv.slice(2) as [string, string, string];
const provider = providerFor(apiUrl, { concurrency: 2 });
const store = await openSqliteStore(stateFile);
const fingerprints = new Fingerprinter('contract-suite-fingerprint-key');
const secrets = secretsFromMap({});
const result = await computePlan({ desired: desiredFor(suffix), providers: [provider], store, secrets, fingerprints, reporter: silentReporter });
await applyPlan({ ...result, store, secrets, fingerprints, reporter: silentReporter, actor: 'child' });
