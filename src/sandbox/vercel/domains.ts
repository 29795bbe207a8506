import type { EmulatorServer } from '../emulator-kit/server.ts';
import { operation, type VercelContext } from './context.ts';
import { configuredBy, normalise, VERCEL_CNAME, VERCEL_IPV4 } from './dns-lookup.ts';
import { badRequest, fail, notFound } from './errors.ts';
import { optBoolean, optNullableEnum, optNullableString, queryLimit, queryNumber, rejectUnknown, reqString, requireObject } from './input.ts';
import { renderProjectDomain, verificationChallenge } from './render.ts';
import { apexOf, findProject, REDIRECT_STATUS_CODES, requireProject, type ProjectDomainRecord, type ProjectRecord } from './store.ts';

const ADD_KEYS = new Set(['name', 'gitBranch', 'customEnvironmentId', 'redirect', 'redirectStatusCode']);
const UPDATE_KEYS = new Set(['gitBranch', 'redirect', 'redirectStatusCode']);
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

function requireDomain(project: ProjectRecord, name: string): ProjectDomainRecord {
  return project.domains.find((d) => d.name === normalise(name)) ?? notFound(`The domain "${name}" is not assigned to the project.`);
}

function checkRedirect(project: ProjectRecord, self: string, redirect: string | null | undefined): void {
  if (redirect === undefined || redirect === null) return;
  if (normalise(redirect) === self) badRequest(`Invalid request: a domain cannot redirect to itself.`);
  if (!project.domains.some((d) => d.name === normalise(redirect))) {
    badRequest(`Invalid request: the redirect target "${redirect}" is not a domain of this project.`);
  }
}

export function registerDomainRoutes(server: EmulatorServer, ctx: VercelContext): void {
  operation(server, 'addProjectDomain', 'POST', '/v10/projects/{idOrName}/domains', (req) => {
    const scope = ctx.scopeOf(req);
    const project = requireProject(scope, req.params['idOrName'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, ADD_KEYS);
    const name = normalise(reqString(body, 'name', 253));
    if (!HOSTNAME.test(name)) badRequest(`Invalid request: \`name\` "${name}" is not a valid domain name.`);
    for (const s of ctx.store.all()) {
      for (const p of s.projects.values()) {
        if (p.domains.some((d) => d.name === name)) {
          const where = s === scope ? (p.id === project.id ? 'this project' : `the project "${p.name}"`) : 'a different Vercel account';
          fail(409, 'domain_already_in_use', `The domain "${name}" is already in use by ${where}.`, { domain: name, projectId: s === scope ? p.id : undefined });
        }
      }
    }
    const redirect = optNullableString(body, 'redirect', 253);
    checkRedirect(project, name, redirect);
    const redirectStatusCode = optNullableEnum(body, 'redirectStatusCode', REDIRECT_STATUS_CODES);
    const apex = apexOf(name);
    const now = ctx.clock.stamp();
    const domain: ProjectDomainRecord = {
      name,
      apexName: apex,
      projectId: project.id,
      redirect: redirect ? normalise(redirect) : null,
      // Vercel's default for a redirect without a code is a temporary one.
      redirectStatusCode: redirect ? (redirectStatusCode ?? 307) : null,
      gitBranch: optNullableString(body, 'gitBranch', 250) ?? null,
      customEnvironmentId: optNullableString(body, 'customEnvironmentId') ?? null,
      createdAt: now,
      updatedAt: now,
      verified: !ctx.isClaimedElsewhere(apex),
      verificationValue: `vc-domain-verify=${name},${ctx.ids.hex(20)}`,
    };
    project.domains.push(domain);
    scope.domains.add(apex);
    project.updatedAt = now;
    return { status: 200, body: renderProjectDomain(domain) };
  });

  operation(server, 'getProjectDomains', 'GET', '/v9/projects/{idOrName}/domains', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const q = req.query;
    const limit = queryLimit(q, 20, 100);
    const until = queryNumber(q, 'until');
    const since = queryNumber(q, 'since');
    let domains = [...project.domains];
    if (q.get('redirects') === 'false') domains = domains.filter((d) => d.redirect === null);
    const verified = q.get('verified');
    if (verified === 'true' || verified === 'false') domains = domains.filter((d) => d.verified === (verified === 'true'));
    if (q.get('production') === 'true') domains = domains.filter((d) => d.gitBranch === null && d.customEnvironmentId === null);
    const branch = q.get('gitBranch');
    if (branch) domains = domains.filter((d) => d.gitBranch === branch);
    const redirect = q.get('redirect');
    if (redirect) domains = domains.filter((d) => d.redirect === normalise(redirect));
    const asc = q.get('order') === 'ASC';
    domains.sort((a, b) => (asc ? a.createdAt - b.createdAt : b.createdAt - a.createdAt));
    if (until !== undefined) domains = domains.filter((d) => d.createdAt < until);
    if (since !== undefined) domains = domains.filter((d) => d.createdAt > since);
    const page = domains.slice(0, limit);
    return {
      status: 200,
      body: {
        domains: page.map(renderProjectDomain),
        pagination: {
          count: page.length,
          next: domains.length > page.length ? page[page.length - 1]!.createdAt : null,
          prev: page.length > 0 && (until !== undefined || since !== undefined) ? page[0]!.createdAt : null,
        },
      },
    };
  });

  operation(server, 'getProjectDomain', 'GET', '/v9/projects/{idOrName}/domains/{domain}', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    return { status: 200, body: renderProjectDomain(requireDomain(project, req.params['domain'] ?? '')) };
  });

  operation(server, 'updateProjectDomain', 'PATCH', '/v9/projects/{idOrName}/domains/{domain}', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const domain = requireDomain(project, req.params['domain'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, UPDATE_KEYS);
    const redirect = optNullableString(body, 'redirect', 253);
    checkRedirect(project, domain.name, redirect);
    const code = optNullableEnum(body, 'redirectStatusCode', REDIRECT_STATUS_CODES);
    const gitBranch = optNullableString(body, 'gitBranch', 250);
    if (redirect !== undefined) domain.redirect = redirect === null ? null : normalise(redirect);
    if (code !== undefined) domain.redirectStatusCode = code;
    if (domain.redirect === null) domain.redirectStatusCode = null;
    else if (domain.redirectStatusCode === null) domain.redirectStatusCode = 307;
    if (gitBranch !== undefined) domain.gitBranch = gitBranch;
    domain.updatedAt = ctx.clock.stamp();
    return { status: 200, body: renderProjectDomain(domain) };
  });

  operation(server, 'removeProjectDomain', 'DELETE', '/v9/projects/{idOrName}/domains/{domain}', (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const domain = requireDomain(project, req.params['domain'] ?? '');
    const body = req.body === undefined ? {} : requireObject(req.body);
    rejectUnknown(body, new Set(['removeRedirects']));
    const removeRedirects = optBoolean(body, 'removeRedirects') ?? false;
    const redirecting = project.domains.filter((d) => d.redirect === domain.name);
    if (redirecting.length > 0 && !removeRedirects) {
      fail(409, 'domain_is_redirect_target', `Domains redirect to "${domain.name}": ${redirecting.map((d) => d.name).join(', ')}. Pass removeRedirects to remove them too.`);
    }
    const gone = new Set([domain.name, ...redirecting.map((d) => d.name)]);
    project.domains = project.domains.filter((d) => !gone.has(d.name));
    project.updatedAt = ctx.clock.stamp();
    return { status: 200, body: {} };
  });

  operation(server, 'verifyProjectDomain', 'POST', '/v9/projects/{idOrName}/domains/{domain}/verify', async (req) => {
    const project = requireProject(ctx.scopeOf(req), req.params['idOrName'] ?? '');
    const domain = requireDomain(project, req.params['domain'] ?? '');
    if (domain.verified) return { status: 200, body: renderProjectDomain(domain) };
    const challenge = verificationChallenge(domain);
    const answers = await ctx.dns(challenge.domain);
    if (!answers.txt.includes(challenge.value)) {
      fail(400, 'missing_txt_record', `Domain ${challenge.domain} is missing required TXT Record "${challenge.value}"`);
    }
    domain.verified = true;
    domain.updatedAt = ctx.clock.stamp();
    return { status: 200, body: renderProjectDomain(domain) };
  });

  operation(server, 'getDomainConfig', 'GET', '/v6/domains/{domain}/config', async (req) => {
    const scope = ctx.scopeOf(req);
    const projectIdOrName = req.query.get('projectIdOrName');
    if (projectIdOrName && !findProject(scope, projectIdOrName)) notFound('Project not found');
    const name = normalise(req.params['domain'] ?? '');
    if (!HOSTNAME.test(name)) badRequest(`Invalid request: "${name}" is not a valid domain name.`);
    const by = configuredBy(await ctx.dns(name));
    const isApex = apexOf(name) === name;
    return {
      status: 200,
      body: {
        configuredBy: by,
        acceptedChallenges: by === null ? [] : ['http-01'],
        recommendedIPv4: [{ rank: 1, value: [VERCEL_IPV4] }],
        // An apex cannot carry a CNAME, so none is recommended for it.
        recommendedCNAME: isApex ? [] : [{ rank: 1, value: VERCEL_CNAME }],
        misconfigured: by === null,
      },
    };
  });
}
