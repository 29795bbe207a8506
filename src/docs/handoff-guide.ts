/**
 * The handoff guide for application teams: the environments and how to reach each one's data
 * store, what a deploy needs, and a sample service (Deployment, Service, an allow
 * NetworkPolicy) with the steps to deploy it and to check it is reachable inside its
 * environment and not from the others. The expected netcheck answers are computed with the
 * same evaluator `shipyard netcheck` uses, from the policies Shipyard compiles.
 */
import { stringify } from 'yaml';
import { evaluate, type Cluster, type NetworkPolicy } from '../providers/kubernetes/netpol.ts';
import type { SecretSource } from '../model/config.ts';
import { generateRule } from '../secrets/fingerprint.ts';
import { sandboxEnvironment, venturesIn, type DocsFacts, type EnvironmentFacts } from './facts.ts';
import { accessGuidePath } from './access-guide.ts';
import { code, codeBlock, commands, docLink, list, page, repoLink, table } from './markdown.ts';

export const HANDOFF_PATH = 'handoff.md';
const APP = 'hello';
const CLIENT = 'hello-client';
const PORT = 8080;
const IMAGE = 'busybox:1.36';
const POLICY = 'hello-allow-clients';
export const SAMPLE_POLICY_PATH = 'samples/hello-allow.yaml';

/** Where the Deployment and Service sample of an environment is written: one file unless environments name their credentials Secret differently. */
export function sampleAppPath(facts: DocsFacts, env: EnvironmentFacts): string {
  const names = new Set(facts.environments.map((e) => e.spec.dataStore.credentialsSecret));
  return names.size <= 1 ? 'samples/hello-app.yaml' : `samples/hello-app-${env.name}.yaml`;
}

/** The sample manifests, by path. No namespace inside: `kubectl apply -n ENV` picks it. */
export function sampleManifests(facts: DocsFacts): Map<string, string> {
  const out = new Map<string, string>();
  for (const env of facts.environments) out.set(sampleAppPath(facts, env), appManifests(env.spec.dataStore.credentialsSecret));
  out.set(SAMPLE_POLICY_PATH, yamlDocuments([samplePolicy()]));
  return out;
}

function appManifests(credentialsSecret: string): string {
  const labels = { app: APP };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
          containers: [{
            name: APP,
            image: IMAGE,
            command: ['sh', '-c', `echo hello > /www/index.html && exec httpd -f -p ${PORT} -h /www`],
            ports: [{ name: 'http', containerPort: PORT }],
            // The environment's data store: the connection string is in this Secret, key `value`.
            env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: credentialsSecret, key: 'value' } } }],
            // Explicit requests and limits: the namespace has a ResourceQuota and a LimitRange.
            resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'www', mountPath: '/www' }],
          }],
          volumes: [{ name: 'www', emptyDir: { sizeLimit: '1Mi' } }],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: APP, labels },
    spec: { selector: labels, ports: [{ name: 'http', port: PORT, targetPort: 'http', protocol: 'TCP' }] },
  };
  return yamlDocuments([deployment, service]);
}

function samplePolicy() {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: POLICY, labels: { app: APP } },
    spec: {
      podSelector: { matchLabels: { app: APP } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: CLIENT } } }], ports: [{ protocol: 'TCP', port: PORT }] }],
    },
  };
}

function yamlDocuments(documents: object[]): string {
  // No anchors/aliases: the labels objects are shared, and people copy these files by hand.
  return documents.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/** The NetworkPolicies Shipyard compiles, plus the sample policy in `namespace`: what netcheck reads once all is applied. */
function clusterWithSample(facts: DocsFacts, namespace: string): Cluster {
  const resources = facts.input.desired.resources.filter((r) => r.provider === 'kubernetes');
  const policies: NetworkPolicy[] = resources
    .filter((r) => r.kind === 'NetworkPolicy')
    .map((r) => ({ metadata: { name: r.address.split('/').slice(3).join('/'), namespace: r.scope }, spec: r.spec.spec as unknown as NetworkPolicy['spec'] }));
  const sample = samplePolicy();
  policies.push({ metadata: { name: sample.metadata.name, namespace }, spec: sample.spec as NetworkPolicy['spec'] });
  const namespaces: Cluster['namespaces'] = {};
  for (const r of resources.filter((x) => x.kind === 'Namespace')) namespaces[r.scope] = { ...((r.spec.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {}) };
  return { policies, namespaces };
}

export interface NetcheckExpectation {
  command: string;
  expected: string;
  allowed: boolean;
}

/** `shipyard netcheck` from a client in every environment to the sample in `target`, with the answer it gives. */
export function netchecks(facts: DocsFacts, target: EnvironmentFacts): NetcheckExpectation[] {
  const ns = target.spec.namespace.name;
  const cluster = clusterWithSample(facts, ns);
  const to = `${ns}/app=${APP}`;
  const sources = [target, ...facts.environments.filter((e) => e !== target)];
  return sources.map((source) => {
    const fromNs = source.spec.namespace.name;
    const from = `${fromNs}/app=${CLIENT}`;
    const verdict = evaluate(cluster, { namespace: fromNs, labels: { app: CLIENT } }, { namespace: ns, labels: { app: APP } }, PORT, 'TCP');
    return {
      command: `shipyard netcheck --from ${from} --to ${to} --port ${PORT}`,
      expected: `${verdict.allowed ? 'allowed' : 'denied'}: ${from} → ${to} on TCP/${PORT}`,
      allowed: verdict.allowed,
    };
  });
}

export function renderHandoffGuide(facts: DocsFacts): string {
  const file = HANDOFF_PATH;
  const home = sandboxEnvironment(facts);
  return page([
    '# Application-team handoff',
    `Everything an application team needs to run a service here: the environments, how to reach each one's data store, what a deploy needs, and a sample service to deploy and check. Back to the ${docLink(file, 'index.md', 'index')}.`,
    '## Environments',
    table(
      ['Environment', 'Namespace', 'Who may do what', 'Vercel target', 'Access guide'],
      facts.environments.map((env) => [
        env.name + (env.access.protected ? ' (protected)' : ''),
        code(env.access.namespace),
        env.access.groups.map((g) => `${code(g.group)} ${g.role}`).join(', '),
        env.target ? code(env.target) : 'none',
        docLink(file, accessGuidePath(env.name), `access/${env.name}.md`),
      ]),
    ),
    '## Connection details',
    'Each environment has its own PostgreSQL data store. Services read the connection string from the Secret named below (key `value`); nobody needs to copy it.',
    table(
      ['Environment', 'Host', 'Port', 'Database', 'sslmode', 'Credentials'],
      facts.environments.map((env) => {
        const ds = env.spec.dataStore;
        const secret = env.spec.secrets.find((s) => s.name === ds.credentialsSecret);
        return [env.name, code(ds.host), String(ds.port), code(ds.database), code(ds.sslMode ?? 'prefer'), `Secret ${code(ds.credentialsSecret)}${secret ? `, ${sourceText(secret.source)}` : ''}`];
      }),
    ),
    '### Baseline secrets',
    'Every environment has these Secrets (key `value`). Shipyard writes them; values never appear in git, plans or these docs.',
    table(
      ['Environment', 'Secret', 'Purpose', 'Source', 'Rotation'],
      facts.environments.flatMap((env) => env.spec.secrets.map((s) => [env.name, code(s.name), s.description, sourceText(s.source), s.rotation ? `every ${s.rotation.every}, grace ${s.rotation.grace ?? '7d'}` : 'no policy'])),
    ),
    rotationHowTo(facts),
    '### Ventures per environment',
    table(
      ['Environment', 'Venture', 'Vercel', 'Supabase project'],
      facts.environments.flatMap((env) => venturesIn(facts, env.name).map(({ venture, place }) => [
        env.name,
        docLink(file, `ventures/${venture.name}/overview.md`, venture.name),
        venture.vercelProject && place.target ? `${code(venture.vercelProject)} (${place.target})` : 'none',
        place.supabaseProject ? code(place.supabaseProject) : 'none',
      ])),
    ),
    '## Deploy prerequisites',
    prerequisites(facts, file),
    home ? sampleSection(facts, home, file) : undefined,
  ]);
}

/** How a rotation goes, for the teams whose services read the Secrets: both values work for the grace period. */
function rotationHowTo(facts: DocsFacts): string | undefined {
  const home = sandboxEnvironment(facts);
  const example = home?.spec.secrets.find((s) => s.rotation) ?? home?.spec.secrets[0];
  if (!home || !example) return undefined;
  return page([
    `Shipyard's ${code('secrets rotate')} command publishes a new value as the key ${code('value')} and keeps the old one as the key ${code('previous')} until the grace period ends; then it removes ${code('previous')}. A service that checks credentials (tokens, signatures) should accept either key while ${code('previous')} exists, and re-read the Secret (or restart) within the grace period. The daily rotation workflow rotates what the policy says is due; by hand:`,
    commands([`shipyard secrets list --env ${home.name}`, `shipyard secrets rotate --env ${home.name} --name ${example.name}`]),
    `If a value leaked, ${code('secrets revoke')} replaces it without a grace period: the old value stops working at once, and the command says what that breaks. A runner-secret value is replaced at its source (the repository's Actions secrets) first; rotating before that changes nothing.`,
  ]).trimEnd();
}

function sourceText(source: SecretSource): string {
  if ('secretRef' in source) return `runner secret ${code(source.secretRef)}`;
  const rule = generateRule(source);
  return `generated by Shipyard (${rule.length} characters, ${rule.alphabet})`;
}

function prerequisites(facts: DocsFacts, file: string): string {
  const writers = facts.environments.map((env) => `${env.name}: ${list(env.access.groups.filter((g) => g.role === 'edit' || g.role === 'admin').map((g) => `${code(g.group)} (${g.role})`)) || 'nobody'}`);
  const protectedEnvs = facts.environments.filter((e) => e.access.protected).map((e) => e.name);
  const limits = facts.environments.map((env) => {
    const l = env.spec.limits;
    const max = l?.max ? `max ${l.max.cpu ?? '-'} CPU / ${l.max.memory ?? '-'} memory per container` : 'no maximum';
    const dflt = l?.defaultRequest ? `, defaults ${l.defaultRequest.cpu ?? '-'} / ${l.defaultRequest.memory ?? '-'} requested` : '';
    const quota = env.spec.quota ? `; namespace quota ${Object.entries(env.spec.quota).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
    return `${env.name}: ${max}${dflt}${quota}`;
  });
  return page([
    [
      `1. **Access.** Hands-on work needs a group that may write in the environment (${writers.join('; ')}).${protectedEnvs.length ? ` In ${list(protectedEnvs)} (protected) services are deployed by CI as the environment's ${code('deploy')} ServiceAccount, which may create and update Deployments, StatefulSets, Jobs, CronJobs, Services and ConfigMaps but not delete them or read Secrets.` : ''}`,
      `2. **A context per environment**, made with the access guide of that environment (linked in the table above).`,
      `3. **Requests and limits on every container.** Each namespace has a LimitRange and a ResourceQuota; a container above the maximum is refused.`,
      ...limits.map((l) => `   - ${l}`),
      `4. **Network.** Every namespace denies all traffic by default; traffic inside the namespace and DNS are allowed. Anything across environments is declared in ${code('spec.network.allow')} of the environment file (a pull request), never by hand.`,
      `5. **Images** the cluster can pull, running as a non-root user.`,
    ].join('\n'),
    `Vercel deploys each venture from git: pushes to the production branch deploy production, other branches get preview deployments. See the venture pages from the ${docLink(file, 'index.md', 'index')}.`,
  ]).trimEnd();
}

function sampleSection(facts: DocsFacts, home: EnvironmentFacts, file: string): string {
  const ns = home.spec.namespace.name;
  const appFile = sampleAppPath(facts, home);
  const apps = sampleManifests(facts);
  const other = facts.environments.find((e) => e !== home && !e.access.protected && e.access.groups.some((g) => g.role === 'edit'));
  const checks = netchecks(facts, home);
  const adminGroups = home.access.groups.filter((g) => g.role === 'admin').map((g) => code(g.group));
  const editGroups = home.access.groups.filter((g) => g.role === 'edit').map((g) => code(g.group));
  return page([
    `## Sample service`,
    `A web server (${code(IMAGE)} httpd on port ${PORT}) that reads the data store's connection string from its Secret, its Service, and a NetworkPolicy that names its callers. The files are generated next to this guide: ${docLink(file, appFile, appFile)} and ${docLink(file, SAMPLE_POLICY_PATH, SAMPLE_POLICY_PATH)}. CI checks both with a server-side dry-run against a real apiserver, in a namespace with Shipyard's quota and limits.`,
    codeBlock('yaml', apps.get(appFile)!),
    codeBlock('yaml', apps.get(SAMPLE_POLICY_PATH)!),
    `The steps use ${home.name} (namespace ${code(ns)}), where ${list(editGroups.length ? editGroups : adminGroups, 'and')} may deploy. Run them from the directory that holds ${code('samples/')}. The same files deploy to any environment: only ${code('-n')} changes.`,
    `### 1. Deploy it`,
    commands([`kubectl apply -n ${ns} -f ${appFile}`, `kubectl rollout status deployment/${APP} -n ${ns} --timeout=120s`]),
    `Expected: ${code(`deployment.apps/${APP} created`)} and ${code(`service/${APP} created`)}, then ${code(`deployment "${APP}" successfully rolled out`)}. "exceeded quota" or "maximum cpu usage" means the requests and limits are above what the namespace allows.`,
    `### 2. Name its callers`,
    `Inside ${code(ns)} Shipyard's ${code('allow-same-namespace')} policy already lets pods talk to each other; ${code(POLICY)} records who calls this service so that it keeps working if that rule is ever narrowed. Only ${list(adminGroups.length ? adminGroups : [code('admin')], 'or')} may create NetworkPolicies, so a platform admin applies it:`,
    commands([`kubectl apply -n ${ns} -f ${SAMPLE_POLICY_PATH}`]),
    `Expected: ${code(`networkpolicy.networking.k8s.io/${POLICY} created`)}. Traffic from another environment is never opened by a hand-made policy: both sides deny by default, so it is an allow rule in ${repoLink(facts.links, file, home.file)} (${code('spec.network.allow')}) and in the other environment's file, through a pull request.`,
    `### 3. Check it is reachable inside ${home.name}`,
    commands([
      `kubectl run ${CLIENT} -n ${ns} --image=${IMAGE} --labels=app=${CLIENT} --restart=Never --command -- sleep 3600`,
      `kubectl wait pod/${CLIENT} -n ${ns} --for=condition=Ready --timeout=120s`,
      `kubectl exec -n ${ns} ${CLIENT} -- wget -qO- -T 5 http://${APP}:${PORT}`,
    ]),
    `Expected: ${code('hello')}.`,
    other ? `### 4. Check it is not reachable from ${other.name}` : `### 4. Check it is not reachable from the other environments`,
    other
      ? page([
        commands([
          `kubectl run ${CLIENT} -n ${other.spec.namespace.name} --image=${IMAGE} --labels=app=${CLIENT} --restart=Never --command -- sleep 3600`,
          `kubectl wait pod/${CLIENT} -n ${other.spec.namespace.name} --for=condition=Ready --timeout=120s`,
          `kubectl exec -n ${other.spec.namespace.name} ${CLIENT} -- wget -qO- -T 5 http://${APP}.${ns}.svc.cluster.local:${PORT}`,
        ]),
        `Expected: ${code('wget: download timed out')} and ${code('command terminated with exit code 1')}: ${other.name} may not send to ${home.name}.`,
      ]).trimEnd()
      : 'No other environment lets application teams start pods; the policy check below covers them.',
    `### 5. Check what the policies allow, from every environment`,
    `The netcheck command evaluates the NetworkPolicies read back from the cluster, so it answers for every environment without starting pods. It lists policies in all namespaces, which platform admins may do; it takes the cluster from ${code('KUBECONFIG')}.`,
    commands(checks.map((c) => c.command)),
    table(['From', 'Expected first line'], checks.map((c) => [c.command.split(' ')[3]!, code(c.expected)])),
    `On a cluster whose network plugin enforces NetworkPolicies, ${code(`shipyard verify --env ${home.name}`)} runs real probe pods from every environment and compares what gets through with what the policies say.`,
    `### 6. Clean up`,
    commands([
      `kubectl delete pod ${CLIENT} -n ${ns}`,
      ...(other ? [`kubectl delete pod ${CLIENT} -n ${other.spec.namespace.name}`] : []),
      `kubectl delete -n ${ns} -f ${appFile}`,
      `kubectl delete -n ${ns} -f ${SAMPLE_POLICY_PATH}`,
    ]),
    `The last line is for a platform admin. Objects you create by hand are not Shipyard's: plans list them as unmanaged and never delete them.`,
  ]).trimEnd();
}
