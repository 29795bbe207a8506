/** `shipyard secrets`: bootstrap, list, rotate and revoke the secrets of an environment. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { applyPlan } from '../engine/applier.ts';
import { withEnvironmentLocks } from '../engine/locks.ts';
import { computePlan } from '../engine/planner.ts';
import type { StateStore } from '../model/state.ts';
import { rotatableSecrets } from '../providers/rotatable-secrets.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { processRedactor } from '../secrets/redact.ts';
import { rotateSecrets, secretStatuses, type RotationResult } from '../secrets/rotation.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';
import { cliReporter, openWorkspace } from './workspace.ts';

const usage = `Usage: shipyard secrets <bootstrap|list|rotate|revoke> --env NAME [options]

  bootstrap   create the baseline secrets declared for the environment (and its namespace); idempotent
  list        name, source, where it lives, fingerprint, age and next rotation; never a value
  rotate      publish a new value beside the old one (which keeps working for the grace period),
              and retire previous values whose grace period ended; with --due, only what is due
  revoke      replace a compromised value at once: the old one stops working now

What rotates: the environment's baseline Kubernetes Secrets (old value kept as the key
\`previous\`), ventures' sensitive generated or runner-secret variables (old value kept as
\`<KEY>_PREVIOUS\`, production redeployed) and the Supabase secret key of each venture's project
(old key kept, new key handed to the variables that use it). \`rotation\` in the config
(\`spec.supabase.rotation\` for the key) sets the period --due follows and the grace period.

Options:
  --env NAME       the environment (required)
  --name NAME      only this secret: a Secret's name, a variable's key or supabase.secretKey
                   (repeatable; rotate and revoke need it or --due)
  --venture NAME   only this venture's secrets
  --due            rotate what the declared rotation period says is due
  --root DIR       repository root (default: current directory)
Rotation needs the providers that hold the secrets live (SHIPYARD_PROVIDERS=kubernetes=live,…).`;

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'bootstrap, list, rotate or revoke secrets (values are never shown)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { env: { type: 'string' }, name: { type: 'string', multiple: true }, venture: { type: 'string' }, due: { type: 'boolean' }, root: { type: 'string' } }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    const sub = positionals[0];
    if (!sub || !['bootstrap', 'list', 'rotate', 'revoke'].includes(sub)) throw new UsageError(`expected bootstrap, list, rotate or revoke\n\n${usage}`);
    if (!values.env) throw new UsageError('--env is required');
    if ((sub === 'rotate' || sub === 'revoke') && !values.name?.length && !(sub === 'rotate' && values.due)) throw new UsageError(`${sub} needs --name NAME${sub === 'rotate' ? ' or --due' : ''}`);
    const opened = await openWorkspace(io, path.resolve(io.cwd, values.root ?? '.'));
    if (!opened.ok) {
      io.stderr(renderDiagnostics(opened.diagnostics, 'text', 0));
      return 1;
    }
    const ws = opened.workspace;
    try {
      const environment = ws.config.environments.find((e) => e.doc.metadata.name === values.env && e.doc.spec);
      if (!environment) throw new UsageError(`unknown environment ${values.env}`);
      if (values.venture && !ws.config.ventures.some((v) => v.doc.metadata.name === values.venture)) throw new UsageError(`unknown venture ${values.venture}`);
      const env = environment.doc.metadata.name;
      if (sub === 'bootstrap') {
        const wanted = ws.desired.resources.filter((r) => r.environment === env && (r.kind === 'Secret' || r.kind === 'Namespace'));
        const result = await computePlan({ desired: wanted, providers: ws.providers, store: ws.store, secrets: ws.secrets, fingerprints: ws.fingerprints, reporter: cliReporter(io, false), options: { environments: [env] } });
        // Only create what is missing: bootstrap never deletes, and other resources of the environment are not its business.
        const plan = { ...result.plan, changes: result.plan.changes.filter((c) => c.action === 'create' || c.action === 'update') };
        const outcome = await applyPlan({ ...result, plan, store: ws.store, secrets: ws.secrets, fingerprints: ws.fingerprints, reporter: cliReporter(io, false), actor: ws.actor });
        io.stdout(`${processRedactor.scrub(outcome.resume)}\n`);
        return outcome.status === 'failed' ? 1 : 0;
      }
      const secrets = rotatableSecrets({
        environments: ws.config.environments.map((e) => e.doc), ventures: ws.config.ventures.map((v) => v.doc),
        providers: ws.providers, store: ws.store, fingerprints: ws.fingerprints, lookup: (name) => ws.secrets.lookup(name),
        progress: (address, message) => io.stdout(`  … ${address}: ${processRedactor.scrub(message)}\n`),
      }, env, values.venture ? { venture: values.venture } : {});
      if (sub === 'list') {
        for (const s of await secretStatuses(secrets)) {
          io.stdout(`${s.venture ? `${s.venture}/` : ''}${s.name}  ${s.source}  ${s.address}${s.exists ? '' : ' (missing)'}  fingerprint ${s.fingerprint ?? '-'}  since ${s.since ?? '-'}  next rotation ${s.nextRotation ?? '-'}${s.previousUntil ? `  previous works until ${s.previousUntil}` : ''}\n`);
        }
        return 0;
      }
      const names = values.name ?? [];
      const unknown = names.filter((name) => !secrets.some((s) => s.name === name));
      if (unknown.length > 0) throw new UsageError(`no rotatable secret named ${unknown.join(', ')} in ${env}${values.venture ? ` for ${values.venture}` : ''}; \`shipyard secrets list --env ${env}\` shows them (variables rotate when they are sensitive and generated or from a runner secret)`);
      // The environment's lock: a rotation and an apply never write the same secret at once.
      const runId = `rotate-${randomUUID()}`;
      const results = await withEnvironmentLocks(ws.store, [env], `${ws.actor} (${runId})`, { waitMs: 60_000 }, () =>
        rotateSecrets(secrets, { ...(names.length ? { names } : {}), due: values.due ?? false, revoke: sub === 'revoke' }));
      await journal(ws, runId, results);
      for (const r of results) io.stdout(`${r.action.padEnd(8)} ${r.address}: ${processRedactor.scrub(r.message)}\n`);
      return results.some((r) => r.action === 'missing') ? 1 : 0;
    } finally {
      await ws.close();
    }
  },
};

/** What rotation did goes to the journal beside applies: who, when, what (never a value). */
async function journal(ws: { store: StateStore; actor: string }, runId: string, results: RotationResult[]): Promise<void> {
  const at = new Date().toISOString();
  const records = results.filter((r) => r.action !== 'not-due').map((r) => ({
    runId, planFingerprint: 'secrets-rotation', actor: ws.actor, address: r.address, environment: r.environment,
    action: r.action, outcome: r.action === 'missing' ? ('failed' as const) : ('succeeded' as const), message: processRedactor.scrub(r.message), at,
  }));
  if (records.length > 0) await ws.store.appendJournal(records);
}
