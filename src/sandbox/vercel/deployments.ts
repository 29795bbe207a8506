import type { EmulatorServer } from '../emulator-kit/server.ts';
import { operation, type VercelContext } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { queryLimit, queryNumber } from './input.ts';
import { DEFAULT_REGION, renderDeployment, renderDeploymentListItem } from './render.ts';
import { findProject, type DeploymentRecord, type ProjectRecord, type ReadyState, type UserRecord } from './store.ts';

export interface GitPush {
  /** "owner/name" */
  readonly repo: string;
  readonly branch: string;
  readonly sha: string;
  readonly message?: string;
  /** State the new deployments start in (default READY). */
  readonly readyState?: ReadyState;
}

/**
 * What Vercel's git integration does on a push: one deployment per project linked to the
 * repo; production on the production branch, preview (target null) elsewhere unless the
 * project disabled previews.
 */
export function deployPush(ctx: VercelContext, push: GitPush, creator: UserRecord): DeploymentRecord[] {
  const created: DeploymentRecord[] = [];
  const wanted = push.repo.toLowerCase();
  for (const scope of ctx.store.all()) {
    for (const project of scope.projects.values()) {
      const link = project.link;
      if (!link || `${link.org}/${link.repo}`.toLowerCase() !== wanted) continue;
      const target = push.branch === link.productionBranch ? 'production' : null;
      if (target === null && project.settings.previewDeploymentsDisabled) continue;
      const now = ctx.clock.stamp();
      const readyState = push.readyState ?? 'READY';
      const deployment: DeploymentRecord = {
        uid: ctx.ids.next('dpl_', 28),
        name: project.name,
        url: deploymentUrl(ctx, project.name, scope.slug),
        projectId: project.id,
        ownerId: scope.id,
        createdAt: now,
        buildingAt: now,
        readyAt: readyState === 'READY' ? now : undefined,
        readyState,
        target,
        creator,
        meta: {
          githubDeployment: '1',
          githubOrg: link.org,
          githubRepo: link.repo,
          githubRepoOwnerType: 'Organization',
          githubCommitOrg: link.org,
          githubCommitRepo: link.repo,
          githubCommitRef: push.branch,
          githubCommitSha: push.sha,
          githubCommitMessage: push.message ?? `Commit ${push.sha.slice(0, 7)}`,
          githubCommitAuthorLogin: creator.username,
        },
        regions: [DEFAULT_REGION],
        gitRepo: { provider: link.type, org: link.org, repo: link.repo, repoId: link.repoId },
        env: buildEnv(project, target, push.branch),
      };
      scope.deployments.set(deployment.uid, deployment);
      created.push(deployment);
    }
  }
  return created;
}

/** A deployment's own URL: `<project>-<random>-<scope>.vercel.app`. */
function deploymentUrl(ctx: VercelContext, project: string, scope: string): string {
  return `${project}-${ctx.ids.token(9).toLowerCase()}-${scope}.vercel.app`;
}

/** The variables a build of this target (and branch) gets: a branch-specific preview variable wins over the general one. */
export function buildEnv(project: ProjectRecord, target: 'production' | null, branch: string): Record<string, string> {
  const wanted = target ?? 'preview';
  const env: Record<string, string> = {};
  const matching = project.envs.filter((e) => e.target.includes(wanted) && (e.gitBranch === undefined || (target === null && e.gitBranch === branch)));
  for (const e of [...matching].sort((a, b) => Number(a.gitBranch !== undefined) - Number(b.gitBranch !== undefined))) env[e.key] = e.value;
  return env;
}

export function registerDeploymentRoutes(server: EmulatorServer, ctx: VercelContext): void {
  // Vercel's redeploy (createDeployment with `deploymentId`): a new deployment of the same commit,
  // built with the project's current variables. The contract subset leaves this endpoint out; the
  // answer is the small variant of the SDK's response union, which the SDK validates. Uploading
  // files (the other form of createDeployment) is not emulated: it answers 400.
  operation(server, 'createDeployment', 'POST', '/v13/deployments', (req) => {
    const scope = ctx.scopeOf(req);
    const body = (req.body ?? {}) as { name?: unknown; deploymentId?: unknown; target?: unknown };
    if (typeof body.deploymentId !== 'string') badRequest('Invalid request: this emulator only redeploys (`deploymentId` is required).');
    const from = scope.deployments.get(body.deploymentId) ?? notFound('Deployment not found');
    const project = findProject(scope, from.projectId) ?? notFound('Project not found');
    const target = body.target === 'production' ? 'production' : from.target;
    const now = ctx.clock.stamp();
    const deployment: DeploymentRecord = {
      ...from,
      uid: ctx.ids.next('dpl_', 28),
      url: deploymentUrl(ctx, project.name, scope.slug),
      createdAt: now, buildingAt: now, readyAt: now, readyState: 'READY', target,
      creator: ctx.userOf(req),
      env: buildEnv(project, target, from.meta['githubCommitRef'] ?? ''),
    };
    scope.deployments.set(deployment.uid, deployment);
    return { status: 200, body: { id: deployment.uid, aliasAssigned: false, readyState: deployment.readyState, target } };
  });

  operation(server, 'getDeployments', 'GET', '/v7/deployments', (req) => {
    const scope = ctx.scopeOf(req);
    const q = req.query;
    const limit = queryLimit(q, 20, 100);
    const until = queryNumber(q, 'until');
    const since = queryNumber(q, 'since');
    let list = [...scope.deployments.values()];
    const projectId = q.get('projectId');
    if (projectId) {
      const project = findProject(scope, projectId);
      list = project ? list.filter((d) => d.projectId === project.id) : [];
    }
    const app = q.get('app');
    if (app) list = list.filter((d) => d.name === app);
    const target = q.get('target');
    if (target === 'production') list = list.filter((d) => d.target === 'production');
    else if (target === 'preview') list = list.filter((d) => d.target === null);
    const branch = q.get('branch');
    if (branch) list = list.filter((d) => d.meta['githubCommitRef'] === branch);
    const sha = q.get('sha');
    if (sha) list = list.filter((d) => d.meta['githubCommitSha'] === sha);
    const states = q.get('state')?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (states && states.length > 0) list = list.filter((d) => states.includes(d.readyState));
    list.sort((a, b) => b.createdAt - a.createdAt);
    if (until !== undefined) list = list.filter((d) => d.createdAt < until);
    if (since !== undefined) list = list.filter((d) => d.createdAt > since);
    const page = list.slice(0, limit);
    return {
      status: 200,
      body: {
        deployments: page.map((d) => renderDeploymentListItem(d, scope)),
        pagination: {
          count: page.length,
          next: list.length > page.length ? page[page.length - 1]!.createdAt : null,
          prev: page.length > 0 && (until !== undefined || since !== undefined) ? page[0]!.createdAt : null,
        },
      },
    };
  });

  operation(server, 'getDeployment', 'GET', '/v13/deployments/{idOrUrl}', (req) => {
    const scope = ctx.scopeOf(req);
    const key = (req.params['idOrUrl'] ?? '').replace(/^https?:\/\//, '').replace(/\/$/, '');
    const deployment = scope.deployments.get(key) ?? [...scope.deployments.values()].find((d) => d.url === key);
    if (!deployment) notFound('Deployment not found');
    return { status: 200, body: renderDeployment(deployment, scope.projects.get(deployment.projectId), scope) };
  });
}
