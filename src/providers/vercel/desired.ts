/**
 * Ventures → Vercel resources: the project (git link set at creation, so a new repository
 * means a replacement), env vars split per target so each can take its environment's value,
 * apex and www domains with the redirect, and DNS records when Vercel serves the zone.
 */
import { createHash } from 'node:crypto';
import { address, type Address } from '../../model/address.ts';
import type { EnvVarSpec, VentureDoc, VercelTarget } from '../../model/config.ts';
import type { DesiredResource, SpecValue } from '../../model/resource.ts';
import { generateRule } from '../../secrets/fingerprint.ts';
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
  const targets = ventureTargets(doc, environmentsByTarget);
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

  for (const { variable, index, target, environment, address: envAddress } of envSlots(doc, environmentsByTarget)) {
    const { value, dependsOn } = envValue(variable, doc, environment);
    out.push({
      address: envAddress, provider: 'vercel', kind: 'env', scope: project, environment, venture,
      spec: {
        key: variable.key,
        target: [target],
        type: envType(variable, target),
        value,
        comment: variable.description,
        ...(variable.gitBranch ? { gitBranch: variable.gitBranch } : {}),
      },
      dependsOn: [projectAddress, ...dependsOn], source: at(['spec', 'vercel', 'env', index]),
    });
  }

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
        out.push({
          address: address('vercel', apex, 'dns-record', dnsRecordId(record.type, record.name, record.value)), provider: 'vercel', kind: 'dns-record', scope: apex, environment: homeEnvironment, venture,
          spec: { type: record.type, name: record.name, value: record.value, ttl: record.ttl ?? 60, ...(record.priority !== undefined ? { mxPriority: record.priority } : {}) },
          dependsOn: [apexAddress], source: at(['spec', 'vercel', 'domains', i, 'dns', 'records', j]),
        });
      });
    }
  });
  return out;
}

/** The Vercel targets a venture deploys to, with the platform environment behind each. */
export function ventureTargets(doc: VentureDoc, environmentsByTarget: Map<VercelTarget, string>): [VercelTarget, string][] {
  const ventureEnvs = new Set(doc.spec?.environments ?? []);
  return [...environmentsByTarget.entries()].filter(([, env]) => ventureEnvs.has(env));
}

export interface EnvSlot {
  variable: EnvVarSpec;
  /** Position in `spec.vercel.env`, for source lines. */
  index: number;
  target: VercelTarget;
  environment: string;
  /** `vercel/<project>/env/<target or target-branch>/<KEY>`: one resource per variable and target. */
  address: Address;
}

/** Every (variable, target) pair a venture declares: the env resources, and what other views (redeploy, .env.example) key on. */
export function envSlots(doc: VentureDoc, environmentsByTarget: Map<VercelTarget, string>): EnvSlot[] {
  const vercel = doc.spec?.vercel;
  if (!vercel) return [];
  const project = vercelProjectName(doc);
  const ventureEnvs = new Set(doc.spec!.environments);
  const defaults = ventureTargets(doc, environmentsByTarget).map(([t]) => t);
  const out: EnvSlot[] = [];
  vercel.env?.forEach((variable, index) => {
    for (const target of variable.targets ?? defaults) {
      const environment = environmentsByTarget.get(target);
      if (!environment || !ventureEnvs.has(environment)) continue;
      out.push({ variable, index, target, environment, address: address('vercel', project, 'env', envSlotName(target, variable.gitBranch), variable.key) });
    }
  });
  return out;
}

/** The address part for a target, or a target and git branch (`preview-feature_x`). */
export function envSlotName(target: string, gitBranch?: string | null): string {
  return gitBranch ? `${target}-${gitBranch.replace(/[^A-Za-z0-9._-]/g, '_')}` : target;
}

/**
 * Vercel refuses sensitive variables for the development target (local `vercel env pull` must
 * read them), so there a secret is stored encrypted; Shipyard still masks and fingerprints it.
 */
export function envType(variable: EnvVarSpec, target: VercelTarget): 'sensitive' | 'encrypted' {
  return variable.sensitive && target !== 'development' ? 'sensitive' : 'encrypted';
}

/** Env resources whose value change should redeploy production (`redeploy: true`); give them to createVercelProvider. */
export function redeployAddresses(doc: VentureDoc, environmentsByTarget: Map<VercelTarget, string>): Address[] {
  return envSlots(doc, environmentsByTarget).filter((s) => s.variable.redeploy === true).map((s) => s.address);
}

/** The last part of a DNS record's address: type, name and a hash of the value (a new value is a new record). */
export function dnsRecordId(type: string, name: string, value: string): string {
  return `${type}-${name || '@'}-${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

function envValue(variable: EnvVarSpec, doc: VentureDoc, environment: string): { value: SpecValue; dependsOn: Address[] } {
  const v = variable.value;
  if ('literal' in v) return { value: v.literal, dependsOn: [] };
  if ('secretRef' in v) return { value: { $secretRef: v.secretRef }, dependsOn: [] };
  if ('generate' in v) return { value: { $generate: generateRule(v) }, dependsOn: [] };
  const producer = supabaseProjectAddress(doc, environment);
  const output = outputNames[v.output];
  return { value: { $output: { address: producer, name: output.name, sensitive: output.sensitive } }, dependsOn: [producer] };
}
