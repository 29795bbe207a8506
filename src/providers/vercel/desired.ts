/**
 * Ventures → Vercel resources: the project (git link set at creation, so a new repository
 * means a replacement), env vars split per target so each can take its environment's value,
 * apex and www domains with the redirect, and DNS records when Vercel serves the zone.
 */
import { createHash } from 'node:crypto';
import { address, type Address } from '../../model/address.ts';
import type { EnvVarSpec, VentureDoc, VercelTarget } from '../../model/config.ts';
import type { DesiredResource, SpecValue } from '../../model/resource.ts';
import { outputNames, supabaseProjectAddress } from '../supabase/desired.ts';

export function vercelProjectName(doc: VentureDoc): string {
  return doc.spec?.vercel?.project.name ?? doc.metadata.name;
}

export function compileVercel(
  doc: VentureDoc,
  environmentsByTarget: Map<VercelTarget, string>,
  source: { file: string; line: (path: (string | number)[]) => number },
): DesiredResource[] {
  const vercel = doc.spec?.vercel;
  if (!vercel) return [];
  const venture = doc.metadata.name;
  const project = vercelProjectName(doc);
  const ventureEnvs = new Set(doc.spec!.environments);
  const targets = [...environmentsByTarget.entries()].filter(([, env]) => ventureEnvs.has(env));
  // The project spans environments; it is locked and counted with the one production deploys to.
  const homeEnvironment = targets.find(([t]) => t === 'production')?.[1] ?? doc.spec!.environments[0]!;
  const at = (path: (string | number)[]) => ({ file: source.file, line: source.line(path) });
  const projectAddress = address('vercel', project, 'project', project);
  const p = vercel.project;
  const projectSpec: Record<string, SpecValue> = {
    name: project,
    framework: p.framework,
    gitRepository: { type: p.git.provider ?? 'github', repo: p.git.repository },
    productionBranch: p.git.productionBranch ?? 'main',
    previewDeploymentsDisabled: p.previewDeployments === false,
  };
  for (const key of ['nodeVersion', 'rootDirectory', 'buildCommand', 'installCommand', 'outputDirectory'] as const) if (p[key] !== undefined) projectSpec[key] = p[key];
  const hasDomain = (vercel.domains?.length ?? 0) > 0;
  const out: DesiredResource[] = [{
    address: projectAddress, provider: 'vercel', kind: 'project', scope: project, environment: homeEnvironment, venture,
    spec: projectSpec, dependsOn: [], protected: hasDomain, source: at(['spec', 'vercel', 'project']),
  }];

  vercel.env?.forEach((variable, i) => {
    const variableTargets = variable.targets ?? targets.map(([t]) => t);
    for (const target of variableTargets) {
      const environment = environmentsByTarget.get(target);
      if (!environment || !ventureEnvs.has(environment)) continue;
      const { value, dependsOn } = envValue(variable, doc, environment);
      const slot = variable.gitBranch ? `${target}-${variable.gitBranch.replace(/[^A-Za-z0-9._-]/g, '_')}` : target;
      out.push({
        address: address('vercel', project, 'env', slot, variable.key), provider: 'vercel', kind: 'env', scope: project, environment, venture,
        spec: {
          key: variable.key,
          target: [target],
          type: variable.sensitive ? 'sensitive' : 'encrypted',
          value,
          comment: variable.description,
          ...(variable.gitBranch ? { gitBranch: variable.gitBranch } : {}),
        },
        dependsOn: [projectAddress, ...dependsOn], source: at(['spec', 'vercel', 'env', i]),
      });
    }
  });

  vercel.domains?.forEach((domain, i) => {
    const apex = domain.name;
    const www = `www.${apex}`;
    const redirect = domain.redirect ?? 'www-to-apex';
    const base = { provider: 'vercel', kind: 'domain', scope: project, environment: homeEnvironment, venture, source: at(['spec', 'vercel', 'domains', i]) };
    const apexAddress = address('vercel', project, 'domain', apex);
    const wwwAddress = address('vercel', project, 'domain', www);
    out.push({ ...base, address: apexAddress, spec: { name: apex, redirect: redirect === 'apex-to-www' ? www : null, redirectStatusCode: redirect === 'apex-to-www' ? 308 : null }, dependsOn: [projectAddress, ...(redirect === 'apex-to-www' ? [wwwAddress] : [])] });
    out.push({ ...base, address: wwwAddress, spec: { name: www, redirect: redirect === 'www-to-apex' ? apex : null, redirectStatusCode: redirect === 'www-to-apex' ? 308 : null }, dependsOn: [projectAddress, ...(redirect === 'www-to-apex' ? [apexAddress] : [])] });
    if (domain.dns?.mode === 'vercel') {
      domain.dns.records?.forEach((record, j) => {
        const id = `${record.type}-${record.name || '@'}-${createHash('sha256').update(record.value).digest('hex').slice(0, 8)}`;
        out.push({
          address: address('vercel', apex, 'dns-record', id), provider: 'vercel', kind: 'dns-record', scope: apex, environment: homeEnvironment, venture,
          spec: { type: record.type, name: record.name, value: record.value, ttl: record.ttl ?? 60, ...(record.priority !== undefined ? { mxPriority: record.priority } : {}) },
          dependsOn: [apexAddress], source: at(['spec', 'vercel', 'domains', i, 'dns', 'records', j]),
        });
      });
    }
  });
  return out;
}

function envValue(variable: EnvVarSpec, doc: VentureDoc, environment: string): { value: SpecValue; dependsOn: Address[] } {
  const v = variable.value;
  if ('literal' in v) return { value: v.literal, dependsOn: [] };
  if ('secretRef' in v) return { value: { $secretRef: v.secretRef }, dependsOn: [] };
  if ('generate' in v) return { value: { $generate: { length: v.generate.length ?? 48, alphabet: v.generate.alphabet ?? 'base64url' } }, dependsOn: [] };
  const producer = supabaseProjectAddress(doc, environment);
  const output = outputNames[v.output];
  return { value: { $output: { address: producer, name: output.name, sensitive: output.sensitive } }, dependsOn: [producer] };
}
