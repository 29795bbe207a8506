/** `shipyard verify --env X`: real connectivity probes on a real cluster. */
import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { KubeClient } from '../providers/kubernetes/client.ts';
import { verifyConnectivity } from '../providers/kubernetes/verify.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';

const usage = `Usage: shipyard verify --env NAME [options]

Runs probe pods on a real cluster: a server in the environment and a client in every
environment, and compares what gets through with what the NetworkPolicies say (netcheck).
Needs schedulable nodes and a CNI that enforces NetworkPolicies. Probe pods are removed after.

Options:
  --env NAME          the environment to probe (required)
  --root DIR          repository root (default: current directory)
  --image IMAGE       probe image with httpd, wget and sh (default busybox:1.36)
  --timeout SECONDS   how long to wait for each pod (default 120)
  --kubeconfig FILE   kubeconfig to use (default: $KUBECONFIG)
  --context NAME      kubeconfig context
Exit status: 0 every probe matched, 1 a mismatch or the probes could not run, 2 usage error.`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'probe real connectivity between environments on a real cluster',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { env: { type: 'string' }, root: { type: 'string' }, image: { type: 'string' }, timeout: { type: 'string' }, kubeconfig: { type: 'string' }, context: { type: 'string' } }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    if (!values.env) throw new UsageError(`--env is required\n\n${usage}`);
    const kubeconfig = values.kubeconfig ?? io.env.KUBECONFIG;
    if (!kubeconfig) throw new UsageError('no cluster: pass --kubeconfig FILE or set KUBECONFIG');
    const config = await loadConfig(path.resolve(io.cwd, values.root ?? '.'));
    const environments = config.environments.filter((e) => e.doc.spec);
    const target = environments.find((e) => e.doc.metadata.name === values.env);
    if (!target) throw new UsageError(`unknown environment ${values.env}; known: ${environments.map((e) => e.doc.metadata.name).join(', ')}`);
    const client = new KubeClient({ kubeconfig, ...(values.context ? { context: values.context } : {}) });
    const results = await verifyConnectivity(client, {
      namespace: target.doc.spec!.namespace.name,
      others: environments.filter((e) => e !== target).map((e) => e.doc.spec!.namespace.name),
      image: values.image,
      timeoutMs: values.timeout ? Number(values.timeout) * 1000 : undefined,
      onProgress: (message) => io.stderr(`  … ${message}\n`),
    });
    let mismatches = 0;
    for (const r of results) {
      const ok = r.expected === r.observed;
      if (!ok) mismatches++;
      io.stdout(`${ok ? '✓' : '✗'} ${r.from} → ${target.doc.spec!.namespace.name}: expected ${r.expected}, observed ${r.observed}\n`);
    }
    io.stdout(mismatches === 0 ? 'Every probe matched the policies.\n' : `${mismatches} probe(s) did not match the policies.\n`);
    return mismatches === 0 ? 0 : 1;
  },
};
