import { createHash } from 'node:crypto';
import type {
  DeploymentRecord,
  DnsRecordEntry,
  EnvRecord,
  GitLink,
  ProjectDomainRecord,
  ProjectRecord,
  ScopeState,
} from './store.ts';

// Stored records → the JSON shapes of Vercel's API. Each shape carries what @vercel/sdk
// 1.28.35's zod models require (alias[], deploymentExpiration{}, securityIssues[], ...)
// and nothing that contradicts the OpenAPI subset.

export const DEFAULT_REGION = 'iad1';

type Json = Record<string, unknown>;

export function renderProject(p: ProjectRecord, scope: ScopeState): Json {
  const s = p.settings;
  const out: Json = {
    accountId: p.accountId,
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    framework: s.framework,
    buildCommand: s.buildCommand,
    devCommand: s.devCommand,
    installCommand: s.installCommand,
    outputDirectory: s.outputDirectory,
    rootDirectory: s.rootDirectory,
    commandForIgnoringBuildStep: s.commandForIgnoringBuildStep,
    nodeVersion: s.nodeVersion,
    directoryListing: s.directoryListing,
    publicSource: s.publicSource,
    previewDeploymentsDisabled: s.previewDeploymentsDisabled,
    serverlessFunctionRegion: s.serverlessFunctionRegion ?? DEFAULT_REGION,
    autoExposeSystemEnvs: s.autoExposeSystemEnvs,
    autoAssignCustomDomains: s.autoAssignCustomDomains,
    gitForkProtection: s.gitForkProtection,
    sourceFilesOutsideRootDirectory: s.sourceFilesOutsideRootDirectory,
    live: false,
    alias: renderAliases(p, scope),
    deploymentExpiration: {
      expirationDays: 180,
      expirationDaysProduction: 365,
      expirationDaysCanceled: 30,
      expirationDaysErrored: 90,
      deploymentsToKeep: 10,
    },
    resourceConfig: { functionDefaultRegions: [s.serverlessFunctionRegion ?? DEFAULT_REGION], fluid: true },
    defaultResourceConfig: { functionDefaultRegions: [DEFAULT_REGION], fluid: true },
  };
  if (p.link) out['link'] = renderLink(p.link);
  return out;
}

function renderLink(link: GitLink): Json {
  const common = {
    type: link.type,
    createdAt: link.createdAt,
    updatedAt: link.updatedAt,
    deployHooks: [],
    gitCredentialId: '',
    sourceless: true,
    productionBranch: link.productionBranch,
  };
  switch (link.type) {
    case 'gitlab':
      return {
        ...common,
        projectId: String(link.repoId),
        projectName: link.repo,
        projectNameWithNamespace: `${link.org} / ${link.repo}`,
        projectNamespace: link.org,
        projectOwnerId: link.repoOwnerId,
        projectUrl: `https://gitlab.com/${link.org}/${link.repo}`,
      };
    case 'bitbucket':
      return {
        ...common,
        name: link.repo,
        slug: link.repo,
        owner: link.org,
        uuid: `{${link.repoId}}`,
        workspaceUuid: `{${link.repoOwnerId}}`,
      };
    default:
      return { ...common, org: link.org, repo: link.repo, repoId: link.repoId, repoOwnerId: link.repoOwnerId };
  }
}

/** Production aliases: `<project>.vercel.app` plus verified, non-redirect custom domains. */
function renderAliases(p: ProjectRecord, scope: ScopeState): Json[] {
  const production = [...scope.deployments.values()]
    .filter((d) => d.projectId === p.id && d.target === 'production' && d.readyState === 'READY')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!production) return [];
  const deployment = {
    id: production.uid,
    createdAt: production.createdAt,
    createdIn: DEFAULT_REGION,
    creator: { uid: production.creator.id, email: production.creator.email, username: production.creator.username },
    deploymentHostname: production.url.replace(/\.vercel\.app$/, ''),
    name: production.name,
    plan: 'pro',
    private: true,
    readyState: production.readyState,
    type: 'LAMBDAS',
    url: production.url,
  };
  const domains = [`${p.name}.vercel.app`, ...p.domains.filter((d) => d.verified && d.redirect === null && d.gitBranch === null).map((d) => d.name)];
  return domains.map((domain) => ({
    domain,
    environment: 'production',
    target: 'PRODUCTION',
    createdAt: production.createdAt,
    configuredBy: null,
    configuredChangedAt: null,
    redirect: null,
    redirectStatusCode: null,
    deployment,
  }));
}

/**
 * How much of a value each endpoint reveals:
 * - list: plain/system in clear; encrypted as ciphertext unless `decrypt`; sensitive as "".
 * - get: plain/encrypted/system decrypted; sensitive has no `value` at all.
 * - write (create/edit/delete answers): encrypted as ciphertext, sensitive as "".
 */
export type EnvView = { kind: 'list'; decrypt: boolean } | { kind: 'get' } | { kind: 'write' };

export function renderEnv(env: EnvRecord, view: EnvView): Json {
  const out: Json = {
    type: env.type,
    id: env.id,
    key: env.key,
    target: [...env.target],
    configurationId: null,
    createdAt: env.createdAt,
    updatedAt: env.updatedAt,
    createdBy: env.createdBy,
    updatedBy: env.updatedBy,
    customEnvironmentIds: [...env.customEnvironmentIds],
    securityIssues: [],
  };
  if (env.gitBranch !== undefined) out['gitBranch'] = env.gitBranch;
  if (env.comment !== undefined) out['comment'] = env.comment;
  if (env.type === 'sensitive') {
    out['decrypted'] = false;
    if (view.kind !== 'get') out['value'] = '';
    return out;
  }
  const encrypted = env.type === 'encrypted' || env.type === 'secret';
  const reveal = !encrypted || view.kind === 'get' || (view.kind === 'list' && view.decrypt);
  out['value'] = reveal ? env.value : cipherText(env);
  out['decrypted'] = encrypted ? reveal : false;
  return out;
}

/** Stand-in for Vercel's ciphertext: stable, opaque, never the plaintext. */
export function cipherText(env: EnvRecord): string {
  return createHash('sha256').update(`${env.id}\u0000${env.value}`).digest('base64');
}

export function renderProjectDomain(d: ProjectDomainRecord): Json {
  const out: Json = {
    name: d.name,
    apexName: d.apexName,
    projectId: d.projectId,
    redirect: d.redirect,
    redirectStatusCode: d.redirectStatusCode,
    gitBranch: d.gitBranch,
    customEnvironmentId: d.customEnvironmentId,
    updatedAt: d.updatedAt,
    createdAt: d.createdAt,
    verified: d.verified,
  };
  if (!d.verified) out['verification'] = [verificationChallenge(d)];
  return out;
}

export function verificationChallenge(d: ProjectDomainRecord): { type: string; domain: string; value: string; reason: string } {
  return { type: 'TXT', domain: `_vercel.${d.apexName}`, value: d.verificationValue, reason: 'pending_domain_verification' };
}

export function renderRecord(r: DnsRecordEntry): Json {
  const out: Json = {
    id: r.id,
    slug: r.name === '' ? r.domain : `${r.name}.${r.domain}`,
    name: r.name,
    type: r.type,
    value: r.value,
    creator: r.creator,
    created: r.createdAt,
    updated: r.updatedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ttl: r.ttl,
  };
  if (r.mxPriority !== undefined) out['mxPriority'] = r.mxPriority;
  if (r.srv) out['priority'] = r.srv.priority;
  if (r.https) out['priority'] = r.https.priority;
  if (r.comment !== undefined) out['comment'] = r.comment;
  return out;
}

export function renderUpdatedRecord(r: DnsRecordEntry): Json {
  const out: Json = {
    createdAt: r.createdAt,
    creator: r.creator,
    domain: r.domain,
    id: r.id,
    name: r.name,
    recordType: r.type,
    ttl: r.ttl,
    type: 'record',
    value: r.value,
  };
  if (r.comment !== undefined) out['comment'] = r.comment;
  return out;
}

function inspectorUrl(d: DeploymentRecord, scope: ScopeState): string {
  return `https://vercel.com/${scope.slug}/${d.name}/${d.uid.replace(/^dpl_/, '')}`;
}

export function renderDeploymentListItem(d: DeploymentRecord, scope: ScopeState): Json {
  const out: Json = {
    uid: d.uid,
    name: d.name,
    projectId: d.projectId,
    url: d.url,
    created: d.createdAt,
    createdAt: d.createdAt,
    buildingAt: d.buildingAt,
    source: 'git',
    state: d.readyState,
    readyState: d.readyState,
    type: 'LAMBDAS',
    creator: { uid: d.creator.id, email: d.creator.email, username: d.creator.username },
    meta: { ...d.meta },
    target: d.target,
    aliasError: null,
    aliasAssigned: d.readyState === 'READY' ? (d.readyAt ?? d.createdAt) : null,
    inspectorUrl: inspectorUrl(d, scope),
    isRollbackCandidate: d.target === 'production' && d.readyState === 'READY',
  };
  if (d.readyAt !== undefined) out['ready'] = d.readyAt;
  if (d.target === 'production' && d.readyState === 'READY') out['readySubstate'] = 'PROMOTED';
  return out;
}

export function renderDeployment(d: DeploymentRecord, project: ProjectRecord | undefined, scope: ScopeState): Json {
  const settings = project?.settings;
  const out: Json = {
    id: d.uid,
    name: d.name,
    url: d.url,
    projectId: d.projectId,
    ownerId: d.ownerId,
    createdAt: d.createdAt,
    createdIn: DEFAULT_REGION,
    buildingAt: d.buildingAt,
    bootedAt: d.createdAt,
    readyState: d.readyState,
    status: d.readyState,
    type: 'LAMBDAS',
    target: d.target,
    source: 'git',
    creator: { uid: d.creator.id, username: d.creator.username },
    meta: { ...d.meta },
    regions: [...d.regions],
    version: 2,
    plan: 'pro',
    public: false,
    aliasAssigned: d.readyState === 'READY',
    aliasError: null,
    alias: d.readyState === 'READY' && d.target === 'production' && project ? [`${project.name}.vercel.app`] : [],
    buildSkipped: false,
    isInConcurrentBuildsQueue: false,
    isInSystemBuildsQueue: false,
    inspectorUrl: inspectorUrl(d, scope),
    env: [],
    build: { env: [] },
    routes: null,
    projectSettings: {
      framework: settings?.framework ?? null,
      buildCommand: settings?.buildCommand ?? null,
      devCommand: settings?.devCommand ?? null,
      installCommand: settings?.installCommand ?? null,
      outputDirectory: settings?.outputDirectory ?? null,
      rootDirectory: settings?.rootDirectory ?? null,
      commandForIgnoringBuildStep: settings?.commandForIgnoringBuildStep ?? null,
    },
  };
  if (d.readyAt !== undefined) out['ready'] = d.readyAt;
  if (d.gitRepo && (d.gitRepo.provider === 'github' || d.gitRepo.provider === 'github-limited')) {
    out['gitSource'] = { type: 'github', repoId: d.gitRepo.repoId, ref: d.meta['githubCommitRef'] ?? '', sha: d.meta['githubCommitSha'] ?? '' };
  }
  return out;
}
