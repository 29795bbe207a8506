import type { EmulatorServer } from '../emulator-kit/server.ts';
import { operation, type VercelContext } from './context.ts';
import { addEnvs, parseEnvInput } from './env.ts';
import { badRequest, fail } from './errors.ts';
import {
  isObject,
  optBoolean,
  optEnum,
  optNullableBoolean,
  optNullableEnum,
  optNullableString,
  queryLimit,
  queryNumber,
  rejectUnknown,
  reqString,
  requireObject,
  type Obj,
} from './input.ts';
import { renderProject } from './render.ts';
import {
  findProject,
  GIT_PROVIDERS,
  NODE_VERSIONS,
  requireProject,
  type GitLink,
  type ProjectRecord,
  type ProjectSettings,
} from './store.ts';

// The SDK's (newer) framework enum; the 2025 spec subset lists fewer, see the contract test.
export const FRAMEWORKS = [
  'container', 'blitzjs', 'nextjs', 'gatsby', 'remix', 'react-router', 'astro', 'hexo', 'eleventy', 'docusaurus-2',
  'docusaurus', 'preact', 'solidstart-1', 'solidstart', 'dojo', 'ember', 'vue', 'scully', 'ionic-angular', 'angular',
  'polymer', 'svelte', 'sveltekit', 'sveltekit-1', 'ionic-react', 'create-react-app', 'gridsome', 'umijs', 'sapper',
  'saber', 'stencil', 'nuxtjs', 'redwoodjs', 'hugo', 'jekyll', 'brunch', 'middleman', 'zola', 'hydrogen', 'vite',
  'tanstack-start', 'tanstack-start-lovable', 'vitepress', 'vuepress', 'parcel', 'fastapi', 'flask', 'fasthtml', 'django',
  'ash', 'factory-eve', 'eve', 'sanity', 'sanity-v2', 'sanity-v3', 'storybook', 'nitro', 'hono', 'express', 'h3', 'koa',
  'nestjs', 'elysia', 'fastify', 'xmcp', 'python', 'ruby', 'rust', 'axum', 'actix-web', 'bun', 'node', 'go', 'services',
  'mastra',
] as const;

const BUILD_FIELDS = ['buildCommand', 'devCommand', 'installCommand', 'outputDirectory', 'rootDirectory', 'commandForIgnoringBuildStep'] as const;

// Request bodies are closed (additionalProperties: false in the spec): unknown keys are a 400.
const CREATE_KEYS = new Set([
  'name', 'framework', 'gitRepository', 'environmentVariables', 'previewDeploymentsDisabled', 'publicSource',
  'serverlessFunctionRegion', 'enablePreviewFeedback', 'enableProductionFeedback', 'previewDeploymentSuffix',
  'skipGitConnectDuringLink', 'ssoProtection', 'serverlessFunctionZeroConfigFailover', 'oidcTokenConfig',
  'enableAffectedProjectsDeployments', 'resourceConfig', ...BUILD_FIELDS,
]);
const UPDATE_KEYS = new Set([
  'name', 'framework', 'nodeVersion', 'directoryListing', 'previewDeploymentsDisabled', 'publicSource',
  'serverlessFunctionRegion', 'autoExposeSystemEnvs', 'autoAssignCustomDomains', 'autoAssignCustomDomainsUpdatedBy',
  'customerSupportCodeVisibility', 'gitForkProtection', 'gitLFS', 'resourceConfig', 'serverlessFunctionZeroConfigFailover',
  'skewProtectionBoundaryAt', 'skewProtectionMaxAge', 'skipGitConnectDuringLink', 'sourceFilesOutsideRootDirectory',
  'enablePreviewFeedback', 'enableProductionFeedback', 'enableAffectedProjectsDeployments', 'staticIps', 'oidcTokenConfig',
  'passwordProtection', 'ssoProtection', 'trustedIps', 'optionsAllowlist', 'connectConfigurations', ...BUILD_FIELDS,
]);

export function registerProjectRoutes(server: EmulatorServer, ctx: VercelContext): void {
  operation(server, 'createProject', 'POST', '/v11/projects', (req) => {
    const scope = ctx.scopeOf(req);
    const user = ctx.userOf(req);
    const body = requireObject(req.body);
    rejectUnknown(body, CREATE_KEYS);
    const name = validName(reqString(body, 'name', 100));
    if (findProject(scope, name)) fail(409, 'conflict', 'A project with the provided name already exists.');

    const settings = defaultSettings();
    applySettings(settings, body);
    const link = body['gitRepository'] === undefined ? undefined : parseGitRepository(ctx, body['gitRepository']);
    const envInputs = parseEnvironmentVariables(body['environmentVariables']);

    const now = ctx.clock.stamp();
    const project: ProjectRecord = {
      id: ctx.ids.next('prj_', 28),
      name,
      accountId: scope.id,
      createdAt: now,
      updatedAt: now,
      settings,
      extra: {},
      link,
      envs: [],
      domains: [],
    };
    addEnvs(ctx, project, envInputs, user, { upsert: false, batch: false });
    scope.projects.set(project.id, project);
    return { status: 200, body: renderProject(project, scope) };
  });

  operation(server, 'getProjects', 'GET', '/v10/projects', (req) => {
    const scope = ctx.scopeOf(req);
    const q = req.query;
    const limit = queryLimit(q, 20, 100);
    // `from` continues a listing: projects updated strictly before it, as `pagination.next` hands out.
    const from = queryNumber(q, 'from');
    const search = q.get('search');
    const repo = q.get('repo');
    let projects = [...scope.projects.values()];
    if (search) projects = projects.filter((p) => p.name.includes(search));
    if (repo) projects = projects.filter((p) => p.link !== undefined && (p.link.repo === repo || `${p.link.org}/${p.link.repo}` === repo));
    const excluded = q.get('excludeRepos')?.split(',').filter(Boolean) ?? [];
    if (excluded.length > 0) projects = projects.filter((p) => !p.link || !excluded.includes(p.link.repo));
    projects.sort((a, b) => b.updatedAt - a.updatedAt);
    if (from !== undefined) projects = projects.filter((p) => p.updatedAt < from);
    const page = projects.slice(0, limit);
    const more = projects.length > page.length;
    return {
      status: 200,
      body: {
        projects: page.map((p) => renderProject(p, scope)),
        pagination: {
          count: page.length,
          next: more ? page[page.length - 1]!.updatedAt : null,
          prev: from !== undefined && page.length > 0 ? page[0]!.updatedAt : null,
        },
      },
    };
  });

  operation(server, 'getProject', 'GET', '/v9/projects/{idOrName}', (req) => {
    const scope = ctx.scopeOf(req);
    return { status: 200, body: renderProject(requireProject(scope, req.params['idOrName'] ?? ''), scope) };
  });

  operation(server, 'updateProject', 'PATCH', '/v9/projects/{idOrName}', (req) => {
    const scope = ctx.scopeOf(req);
    const project = requireProject(scope, req.params['idOrName'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, UPDATE_KEYS);
    if (body['name'] !== undefined) {
      const name = validName(reqString(body, 'name', 100));
      const other = findProject(scope, name);
      if (other && other.id !== project.id) fail(409, 'conflict', 'A project with the provided name already exists.');
      project.name = name;
    }
    const settings = { ...project.settings };
    applySettings(settings, body);
    const nodeVersion = optEnum(body, 'nodeVersion', NODE_VERSIONS);
    if (nodeVersion !== undefined) settings.nodeVersion = nodeVersion;
    const directoryListing = optBoolean(body, 'directoryListing');
    if (directoryListing !== undefined) settings.directoryListing = directoryListing;
    for (const key of ['autoExposeSystemEnvs', 'autoAssignCustomDomains', 'gitForkProtection', 'sourceFilesOutsideRootDirectory'] as const) {
      const v = optBoolean(body, key);
      if (v !== undefined) settings[key] = v;
    }
    project.settings = settings;
    for (const [k, v] of Object.entries(body)) {
      if (!(k in settings) && k !== 'name') project.extra[k] = v;
    }
    project.updatedAt = ctx.clock.stamp();
    return { status: 200, body: renderProject(project, scope) };
  });

  operation(server, 'deleteProject', 'DELETE', '/v9/projects/{idOrName}', (req) => {
    const scope = ctx.scopeOf(req);
    const project = requireProject(scope, req.params['idOrName'] ?? '');
    scope.projects.delete(project.id);
    for (const [uid, d] of scope.deployments) if (d.projectId === project.id) scope.deployments.delete(uid);
    return { status: 204 };
  });
}

function defaultSettings(): ProjectSettings {
  return {
    framework: null,
    buildCommand: null,
    devCommand: null,
    installCommand: null,
    outputDirectory: null,
    rootDirectory: null,
    commandForIgnoringBuildStep: null,
    nodeVersion: '22.x',
    directoryListing: false,
    publicSource: null,
    previewDeploymentsDisabled: false,
    serverlessFunctionRegion: null,
    autoExposeSystemEnvs: true,
    autoAssignCustomDomains: true,
    gitForkProtection: true,
    sourceFilesOutsideRootDirectory: true,
  };
}

/** Fields shared by create and update. */
function applySettings(settings: ProjectSettings, body: Obj): void {
  for (const key of BUILD_FIELDS) {
    const v = optNullableString(body, key, 256);
    if (v !== undefined) settings[key] = v;
  }
  const framework = optNullableEnum(body, 'framework', FRAMEWORKS);
  if (framework !== undefined) settings.framework = framework;
  const publicSource = optNullableBoolean(body, 'publicSource');
  if (publicSource !== undefined) settings.publicSource = publicSource;
  const previewDisabled = optNullableBoolean(body, 'previewDeploymentsDisabled');
  if (previewDisabled !== undefined) settings.previewDeploymentsDisabled = previewDisabled ?? false;
  const region = optNullableString(body, 'serverlessFunctionRegion', 4);
  if (region !== undefined) settings.serverlessFunctionRegion = region;
}

// Vercel: up to 100 lowercase letters, digits, '.', '_', '-', and never '---'.
function validName(name: string): string {
  if (!/^[a-z0-9._-]+$/.test(name) || name.includes('---')) {
    badRequest(
      `Invalid request: \`name\` must be lowercase and can only contain letters, digits, and the characters '.', '_', '-' (no '---').`,
    );
  }
  return name;
}

function parseGitRepository(ctx: VercelContext, v: unknown): GitLink {
  if (!isObject(v)) badRequest('Invalid request: `gitRepository` should be object.');
  const type = optEnum(v, 'type', GIT_PROVIDERS);
  if (type === undefined) badRequest('Invalid request: missing required property `gitRepository.type`.');
  const repo = reqString(v, 'repo');
  if (type === 'vercel' || type === 'cursor-origin') {
    badRequest(`The emulator does not support gitRepository.type "${type}".`);
  }
  const slash = repo.lastIndexOf('/');
  if (slash <= 0 || slash === repo.length - 1) badRequest(`Invalid request: \`gitRepository.repo\` should be "owner/name", got "${repo}".`);
  const branch = ctx.defaultBranch(type, repo);
  if (branch === undefined) {
    fail(400, 'repo_not_found', `The repository "${repo}" couldn't be found in your linked ${providerLabel(type)} account.`);
  }
  const now = ctx.clock.stamp();
  return {
    type,
    org: repo.slice(0, slash),
    repo: repo.slice(slash + 1),
    repoId: numericId(repo),
    repoOwnerId: numericId(repo.slice(0, slash)),
    productionBranch: branch,
    createdAt: now,
    updatedAt: now,
  };
}

function parseEnvironmentVariables(v: unknown): ReturnType<typeof parseEnvInput>[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) badRequest('Invalid request: `environmentVariables` should be array.');
  return v.map((item, i) => {
    const o = requireObject(item, `environmentVariables[${i}]`);
    // Here `target` may be a single string and `type` is optional (defaults to encrypted).
    const normalised: Obj = { type: 'encrypted', ...o, target: typeof o['target'] === 'string' ? [o['target']] : o['target'] };
    return parseEnvInput(normalised);
  });
}

function providerLabel(type: string): string {
  return type.startsWith('github') ? 'GitHub' : type === 'gitlab' ? 'GitLab' : 'Bitbucket';
}

/** Stable fake numeric id for a repo/owner name (GitHub ids are numbers). */
function numericId(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return 100000 + (h % 900000000);
}

