/**
 * `npm start`: the main job against the built-in sandbox, with no cloud account and no
 * credentials: validate this repository's environments/ and ventures/, plan, apply, then plan
 * again, which must show no changes. Vercel and Supabase are the real providers talking to the
 * in-process API emulators (Supabase's databases are embedded PGlite, so no server is needed);
 * Kubernetes is the in-memory sandbox provider. Every run starts from an empty sandbox in a
 * temporary directory, so its output is the same each time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { sandboxMigrations, withMigrations } from './app-migrations.ts';
import { createSupabaseEmulator } from './supabase/emulator.ts';
import { PgliteBackend } from './supabase/pglite-backend.ts';
import { createVercelEmulator } from './vercel/emulator.ts';

const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(path.join(tmpdir(), 'shipyard-main-job-'));
const token = `sandbox-${randomBytes(12).toString('hex')}`;
const config = await loadConfig(root);
const repositories = Object.fromEntries(config.ventures.flatMap((v) => (v.doc.spec?.vercel ? [[v.doc.spec.vercel.project.git.repository, { defaultBranch: v.doc.spec.vercel.project.git.productionBranch ?? 'main' }]] : [])));
const vercel = createVercelEmulator({ tokens: [token], teams: [{ id: 'team_sandbox', slug: 'sandbox' }], gitRepositories: repositories });
await vercel.start();
const organizations = [...new Set(config.ventures.flatMap((v) => (v.doc.spec?.supabase ? [v.doc.spec.supabase.organization] : [])))];
const supabase = createSupabaseEmulator({ tokens: [token], organizations, backend: withMigrations(new PgliteBackend(), sandboxMigrations(config)) });
await supabase.start();

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  cwd: root,
  env: {
    ...process.env,
    SHIPYARD_PROVIDERS: 'kubernetes=sandbox,vercel=live,supabase=live',
    // The emulators are not real systems: unset runner secrets get sandbox stand-ins.
    SHIPYARD_SANDBOX_SECRETS: '1',
    VERCEL_TOKEN: token,
    SUPABASE_ACCESS_TOKEN: token,
    SUPABASE_API_URL: supabase.url,
    SUPABASE_PROJECT_URL: supabase.projectUrl('{ref}'),
    VERCEL_TEAM_ID: 'team_sandbox',
    VERCEL_API_URL: vercel.url,
    SHIPYARD_SANDBOX_DIR: path.join(work, 'live'),
    SHIPYARD_STATE: `sqlite:${path.join(work, 'state.db')}`,
  },
  isTTY: Boolean(process.stdout.isTTY),
};

async function step(title: string, argv: string[], accept: number[] = [0]): Promise<number> {
  io.stdout(`\n== ${title}: shipyard ${argv.join(' ')}\n`);
  const status = await main(argv, io);
  if (!accept.includes(status)) throw new Error(`the main job stopped at "${title}" (exit ${status})`);
  return status;
}

try {
  await step('validate', ['validate']);
  await step('plan', ['plan', '--detailed-exitcode'], [0, 2]);
  await step('apply', ['apply', '--yes']);
  const second = await step('second plan (must show no changes)', ['plan', '--detailed-exitcode'], [0, 2]);
  if (second !== 0) throw new Error('the second plan still has changes: apply did not converge');
  io.stdout(`\nMain job done: the sandbox matches the configuration (${vercel.requests.all().length} Vercel and ${supabase.requests.all().length} Supabase API calls to the emulators).\n`);
} catch (error) {
  io.stderr(`\n${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await vercel.stop();
  await supabase.stop();
  rmSync(work, { recursive: true, force: true });
}
