/** `shipyard netcheck`: may A reach B on a port, according to the NetworkPolicies in the cluster? */
import { KubeClient } from '../providers/kubernetes/client.ts';
import { evaluate, parseEndpoint, readCluster } from '../providers/kubernetes/netpol.ts';
import { parseCommandArgs, UsageError, type Command } from './args.ts';

const usage = `Usage: shipyard netcheck --from SOURCE --to DESTINATION --port PORT [options]

Answers allowed or denied for traffic from SOURCE to DESTINATION, with the NetworkPolicies
that decided it, evaluated from the policies read back from the cluster (full NetworkPolicy
semantics). SOURCE and DESTINATION are NAMESPACE, NAMESPACE/key=value,key2=value2 (a pod with
those labels) or an IP address outside the cluster.

Options:
  --from SOURCE            where the traffic starts, e.g. staging/app=web
  --to DESTINATION         where it goes, e.g. production/app=api
  --port PORT              destination port number
  --protocol PROTO         TCP (default), UDP or SCTP
  --named-port NAME=PORT   a named container port of the destination pod (repeatable)
  --kubeconfig FILE        kubeconfig to use (default: $KUBECONFIG)
  --context NAME           kubeconfig context
Exit status: 0 allowed, 1 denied, 2 usage error.`;

export const netcheckCommand: Command = {
  name: 'netcheck',
  summary: 'evaluate whether traffic between two pods is allowed by the NetworkPolicies',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      from: { type: 'string' }, to: { type: 'string' }, port: { type: 'string' }, protocol: { type: 'string' },
      'named-port': { type: 'string', multiple: true }, kubeconfig: { type: 'string' }, context: { type: 'string' },
    }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    if (!values.from || !values.to || !values.port) throw new UsageError(`--from, --to and --port are required\n\n${usage}`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a number from 1 to 65535 (got ${values.port})`);
    const protocol = (values.protocol ?? 'TCP').toUpperCase();
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) throw new UsageError(`--protocol must be TCP, UDP or SCTP (got ${values.protocol})`);
    const namedPorts: Record<string, number> = {};
    for (const pair of values['named-port'] ?? []) {
      const [name, number] = pair.split('=');
      if (!name || !number || !/^\d+$/.test(number)) throw new UsageError(`--named-port takes NAME=PORT (got ${pair})`);
      namedPorts[name] = Number(number);
    }
    const kubeconfig = values.kubeconfig ?? io.env.KUBECONFIG;
    if (!kubeconfig) throw new UsageError('no cluster: pass --kubeconfig FILE or set KUBECONFIG');
    let from, to;
    try {
      from = parseEndpoint(values.from);
      to = parseEndpoint(values.to, namedPorts);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const client = new KubeClient({ kubeconfig, ...(values.context ? { context: values.context } : {}) });
    const verdict = evaluate(await readCluster(client), from, to, port, protocol);
    io.stdout(`${verdict.allowed ? 'allowed' : 'denied'}: ${values.from} → ${values.to} on ${protocol}/${port}\n`);
    for (const reason of verdict.reasons) io.stdout(`  - ${reason}\n`);
    if (verdict.decidedBy.length > 0) io.stdout(`decided by: ${verdict.decidedBy.join(', ')}\n`);
    return verdict.allowed ? 0 : 1;
  },
};
