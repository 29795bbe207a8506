/** `shipyard rls-test`: runs a venture's `rlsTests` against a real database or a Supabase project. */
import path from 'node:path';
import { hasErrors, loadConfig } from '../config/load.ts';
import { SupabaseClient } from '../providers/supabase/client.ts';
import { supabaseProjectName } from '../providers/supabase/desired.ts';
import { describeExpectation, managementApiRunner, runRlsTests, withPostgres, type RlsTestResult } from '../providers/supabase/rls-test.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { processRedactor } from '../secrets/redact.ts';
import { oneOf, parseCommandArgs, UsageError, type Command } from './args.ts';

const usage = `Usage: shipyard rls-test --venture NAME (--database-url URL | --project REF | --environment ENV) [options]

Runs the venture's supabase.database.rlsTests: each expectation (what a role may see or
change in a table) is tried the way the data API runs requests, with \`set local role\` and
the JWT claims, in a transaction that is rolled back.

Targets (exactly one):
  --database-url URL  a PostgreSQL database with the Supabase roles (e.g. a local one)
  --project REF       a Supabase project, through the Management API
  --environment ENV   the venture's project of that environment, found by name

Options:
  --root DIR          repository root (default: current directory)
  --format FMT        text (default) or json

--project and --environment need SUPABASE_ACCESS_TOKEN (and SUPABASE_API_URL for another
API endpoint). Exit status: 0 every expectation holds, 1 otherwise, 2 usage error.`;

export const rlsTestCommand: Command = {
  name: 'rls-test',
  summary: "check a venture's row-level security expectations against a database",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { root: { type: 'string' }, venture: { type: 'string' }, 'database-url': { type: 'string' }, project: { type: 'string' }, environment: { type: 'string' }, format: { type: 'string' } },
      usage,
    );
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${usage}`);
    const format = oneOf(values.format, ['text', 'json'] as const, 'format', 'text');
    if (!values.venture) throw new UsageError(`--venture is required\n\n${usage}`);
    const targets = [values['database-url'], values.project, values.environment].filter((v) => v !== undefined);
    if (targets.length !== 1) throw new UsageError(`give exactly one of --database-url, --project and --environment\n\n${usage}`);
    const databaseUrl = values['database-url'];
    if (databaseUrl) registerUrlPassword(databaseUrl);

    const config = await loadConfig(path.resolve(io.cwd, values.root ?? '.'));
    if (hasErrors(config.diagnostics)) {
      io.stderr(renderDiagnostics(config.diagnostics, 'text', 0));
      io.stderr('The configuration is invalid; fix it first (`shipyard validate`).\n');
      return 1;
    }
    const doc = config.ventures.find((v) => v.doc.metadata.name === values.venture)?.doc;
    if (!doc) throw new UsageError(`no venture named ${values.venture} in ventures/`);
    const expectations = doc.spec?.supabase?.database?.rlsTests ?? [];

    let target: string;
    let results: RlsTestResult[];
    if (databaseUrl) {
      target = processRedactor.scrub(databaseUrl);
      results = await withPostgres(databaseUrl, (run) => runRlsTests(expectations, run));
    } else {
      const token = io.env.SUPABASE_ACCESS_TOKEN;
      if (!token) throw new UsageError('--project and --environment need SUPABASE_ACCESS_TOKEN');
      const client = new SupabaseClient({ token, ...(io.env.SUPABASE_API_URL ? { apiUrl: io.env.SUPABASE_API_URL } : {}) });
      let ref = values.project;
      if (values.environment) {
        if (!doc.spec?.supabase?.projects[values.environment]) throw new UsageError(`venture ${doc.metadata.name} has no Supabase project for ${values.environment}`);
        const name = supabaseProjectName(doc, values.environment);
        const found = (await client.listProjects(`supabase/${name}/project/${name}`)).filter((p) => p.name === name);
        if (found.length !== 1) throw new Error(`supabase/${name}/project/${name}: ${found.length === 0 ? 'no project' : `${found.length} projects`} named ${name}; apply the venture first (or pass --project REF)`);
        ref = found[0]!.ref;
      }
      target = `project ${ref}`;
      results = await runRlsTests(expectations, managementApiRunner(client, ref!));
    }

    if (format === 'json') io.stdout(`${JSON.stringify({ venture: doc.metadata.name, target, results }, null, 2)}\n`);
    else io.stdout(renderText(doc.metadata.name, target, results));
    return results.every((r) => r.passed) ? 0 : 1;
  },
};

function registerUrlPassword(url: string): void {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) processRedactor.add(password);
  } catch {
    throw new UsageError('--database-url is not a URL (postgresql://user:password@host:port/database)');
  }
}

function renderText(venture: string, target: string, results: RlsTestResult[]): string {
  if (results.length === 0) return `Venture ${venture} declares no rlsTests (supabase.database.rlsTests).\n`;
  const lines = [`rls-test ${venture} on ${target}`];
  for (const r of results) lines.push(`  ${r.passed ? '✓' : '✗'} ${describeExpectation(r.expectation)}: expected ${r.expected}, got ${processRedactor.scrub(r.actual)}`);
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', failed === 0 ? `All ${results.length} expectation(s) hold.` : `${failed} of ${results.length} expectation(s) do not hold.`);
  return `${lines.join('\n')}\n`;
}
