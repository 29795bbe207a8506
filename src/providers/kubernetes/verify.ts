/**
 * Real connectivity checks for a real cluster: a probe server pod in the environment and probe
 * clients in every environment, compared with what the NetworkPolicy evaluator expects. It needs
 * nodes and a CNI that enforces NetworkPolicies; the test apiserver has neither, so there it can
 * only prove that it stops with a clear reason.
 */
import type { KubeClient, KubeObject } from './client.ts';
import { evaluate, readCluster } from './netpol.ts';

export interface ProbeResult {
  from: string;
  expected: 'allowed' | 'denied';
  observed: 'allowed' | 'denied' | 'unknown';
}

export interface VerifyOptions {
  namespace: string;
  /** Namespaces of the other environments, each probed as a client. */
  others: string[];
  image?: string;
  timeoutMs?: number;
  onProgress?: (message: string) => void;
}

const PORT = 8080;
const LABELS = { app: 'shipyard-probe', 'app.kubernetes.io/managed-by': 'shipyard-verify' };

export async function verifyConnectivity(client: KubeClient, options: VerifyOptions): Promise<ProbeResult[]> {
  const image = options.image ?? 'busybox:1.36';
  const timeoutMs = options.timeoutMs ?? 120_000;
  const run = Math.random().toString(36).slice(2, 7);
  const server = pod(options.namespace, `shipyard-probe-server-${run}`, image, ['httpd', '-f', '-p', String(PORT)], { ...LABELS, role: 'server' });
  const created: KubeObject[] = [];
  try {
    created.push(await client.write('POST', server));
    options.onProgress?.(`waiting for the probe server in ${options.namespace}`);
    const ready = await waitFor(client, server, timeoutMs, (p) => p.status?.phase === 'Running' && Boolean(p.status.podIP));
    const ip = ready.status!.podIP!;
    const cluster = await readCluster(client);
    const results: ProbeResult[] = [];
    for (const namespace of [options.namespace, ...options.others]) {
      const name = `shipyard-probe-client-${run}-${results.length}`;
      const probe = pod(namespace, name, image, ['sh', '-c', `wget -q -T 3 -O /dev/null http://${ip}:${PORT}/ && echo REACHED || echo BLOCKED`], { ...LABELS, role: 'client' });
      created.push(await client.write('POST', probe));
      const done = await waitFor(client, probe, timeoutMs, (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
      const log = await client.request<string>('GET', `/api/v1/namespaces/${namespace}/pods/${name}/log`).catch(() => '');
      const expected = evaluate(cluster, { namespace, labels: { ...LABELS, role: 'client' } }, { namespace: options.namespace, labels: { ...LABELS, role: 'server' } }, PORT).allowed ? 'allowed' : 'denied';
      const text = typeof log === 'string' ? log : JSON.stringify(log);
      results.push({ from: namespace, expected, observed: text.includes('REACHED') ? 'allowed' : text.includes('BLOCKED') ? 'denied' : done ? 'unknown' : 'unknown' });
    }
    return results;
  } finally {
    for (const object of created) await client.delete(object).catch(() => undefined);
  }
}

type Pod = KubeObject & { status?: { phase?: string; podIP?: string } };

function pod(namespace: string, name: string, image: string, command: string[], labels: Record<string, string>): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels },
    spec: { restartPolicy: 'Never', automountServiceAccountToken: false, containers: [{ name: 'probe', image, command, resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } } }] },
  };
}

async function waitFor(client: KubeClient, object: Pod, timeoutMs: number, done: (pod: Pod) => boolean): Promise<Pod> {
  const deadline = Date.now() + timeoutMs;
  let last: Pod | undefined;
  while (Date.now() < deadline) {
    last = (await client.read(object)) as Pod | undefined;
    if (last && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`pod ${object.metadata?.namespace}/${object.metadata?.name} is still ${last?.status?.phase ?? 'missing'} after ${Math.round(timeoutMs / 1000)} s: the cluster needs schedulable nodes (and a CNI that enforces NetworkPolicies) for real probes; \`shipyard netcheck\` evaluates the policies without them`);
}
