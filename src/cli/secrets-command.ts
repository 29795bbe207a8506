/** `shipyard secrets`: bootstrap, list, rotate and revoke the baseline secrets of an environment. */
import path from 'node:path';
import { applyPlan } from '../engine/applier.ts';
import { computePlan } from '../engine/planner.ts';
import type { KubeClient } from '../providers/kubernetes/client.ts';
import { rotateSecrets, secretStatuses } from '../providers/kubernetes/secret-rotation.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { processRedactor } from '../secrets/redact.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';
import { cliReporter, openWorkspace } from './workspace.ts';

const usage = `Usage: shipyard secrets <bootstrap|list|rotate|revoke> --env NAME [options]

  bootstrap   create the baseline secrets declared for the environment (and its namespace); idempotent
  list        name, source, where it lives, fingerprint, age and next rotation; never a value
  rotate      publish a new value beside the old one (which keeps working for the grace period),
              and retire previous values whose grace period ended; with --due, only what is due
  revoke      replace a compromised value at once: the old one stops working now

Options:
  --env NAME     the environment (required)
  --name NAME    only this secret (repeatable; rotate and revoke need it or --due)
  --due          rotate what the declared rotation period says is due
  --root DIR     repository root (default: current directory)
Rotation and revocation need the Kubernetes provider live (SHIPYARD_PROVIDERS=kubernetes=live).`;

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'bootstrap, list, rotate or revoke baseline secrets (values are never shown)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { env: { type: 'string' }, name: { type: 'string', multiple: true }, due: { type: 'boolean' }, root: { type: 'string' } }, usage);
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
      const doc = environment.doc;
      const kube = ws.providers.find((p) => p.name === 'kubernetes') as { client?: KubeClient } | undefined;
      if (sub === 'bootstrap') {
        const wanted = ws.desired.resources.filter((r) => r.environment === doc.metadata.name && (r.kind === 'Secret' || r.kind === 'Namespace'));
        const result = await computePlan({ desired: wanted, providers: ws.providers, store: ws.store, secrets: ws.secrets, fingerprints: ws.fingerprints, reporter: cliReporter(io, false), options: { environments: [doc.metadata.name] } });
        // Only create what is missing: bootstrap never deletes, and other resources of the environment are not its business.
        const plan = { ...result.plan, changes: result.plan.changes.filter((c) => c.action === 'create' || c.action === 'update') };
        const outcome = await applyPlan({ ...result, plan, store: ws.store, secrets: ws.secrets, fingerprints: ws.fingerprints, reporter: cliReporter(io, false), actor: ws.actor });
        io.stdout(`${processRedactor.scrub(outcome.resume)}\n`);
        return outcome.status === 'failed' ? 1 : 0;
      }
      if (sub === 'list') {
        if (kube?.client) {
          for (const s of await secretStatuses(kube.client, ws.store, doc)) {
            io.stdout(`${s.name}  ${s.source}  ${s.address}${s.exists ? '' : ' (missing)'}  fingerprint ${s.fingerprint ?? '-'}  since ${s.since ?? '-'}  next rotation ${s.nextRotation ?? '-'}${s.previousUntil ? `  previous works until ${s.previousUntil}` : ''}\n`);
          }
          return 0;
        }
        const inventory = new Map<string, { fingerprints: Record<string, string>; updatedAt: string }>((await ws.store.listInventory(doc.metadata.name)).map((e) => [e.address, e]));
        for (const secret of doc.spec!.secrets) {
          const address = `kubernetes/${doc.spec!.namespace.name}/Secret/${secret.name}`;
          const entry = inventory.get(address);
          const source = 'secretRef' in secret.source ? `runner secret ${secret.source.secretRef}` : 'generated';
          io.stdout(`${secret.name}  ${source}  ${address}${entry ? '' : ' (missing)'}  fingerprint ${entry?.fingerprints['/stringData/value']?.slice(0, 24) ?? '-'}  written ${entry?.updatedAt ?? '-'}  rotation every ${secret.rotation?.every ?? '-'}\n`);
        }
        return 0;
      }
      if (!kube?.client) throw new UsageError(`${sub} needs the Kubernetes provider live: set SHIPYARD_PROVIDERS=kubernetes=live and KUBECONFIG`);
      const results = await rotateSecrets({ client: kube.client, store: ws.store, fingerprints: ws.fingerprints, lookup: (name) => ws.secrets.lookup(name) }, doc, { names: values.name, due: values.due, revoke: sub === 'revoke' });
      for (const r of results) io.stdout(`${r.action.padEnd(8)} ${r.address}: ${processRedactor.scrub(r.message)}\n`);
      return results.some((r) => r.action === 'missing') ? 1 : 0;
    } finally {
      await ws.close();
    }
  },
};
