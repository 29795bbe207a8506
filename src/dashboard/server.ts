/**
 * `shipyard dashboard`: a small web app on loopback over the state store, the journal, live
 * provider status and the config. Read-only towards live systems: the only writes it makes are
 * branches and pull requests on GitHub (see gitops.ts). The JSON API is under /api; every other
 * route answers with the UI shell, which the bundled Preact app renders.
 *
 * Local-only hardening: the Host header must name this server (no DNS rebinding), writes must be
 * JSON from this origin (no cross-site form posts), and a strict CSP allows only our own assets.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Loaded } from '../config/load.ts';
import type { VentureDoc } from '../model/config.ts';
import type { EngineEvent } from '../model/events.ts';
import type { Provider } from '../model/provider.ts';
import type { InventoryEntry } from '../model/state.ts';
import { resolverFor } from '../providers/vercel/domain-check.ts';
import { environmentsByTarget } from '../providers/vercel/env-example.ts';
import { ventureTargets } from '../providers/vercel/desired.ts';
import { processRedactor } from '../secrets/redact.ts';
import type { DomainCheckResponse, DomainEdit, DomainRecordsResponse, DomainsResponse, DriftResponse, EnvVarEdit, JournalFilters, VentureSummary } from './api-types.ts';
import { buildAssets } from './assets.ts';
import { checkNewDomain, configuredDomainHealth, recordsFor } from './domains.ts';
import { checkDrift } from './drift.ts';
import { ventureEnv } from './env-inventory.ts';
import { createOctokit, GitOps, type GitHubSettings } from './gitops.ts';
import { checkHealth } from './health.ts';
import { JournalFeed, matches, type EngineEventBus } from './journal-feed.ts';
import { buildOverview, journalEntry, ventureIndex } from './overview.ts';
import type { DashboardSources } from './sources.ts';
import { addDomain, domainProblem, editEnvVar, normaliseDomain } from './venture-edit.ts';

export interface DashboardOptions {
  sources: DashboardSources;
  /** Where GitOps edits go; without it the UI previews edits but cannot open pull requests. */
  github?: GitHubSettings;
  /** DNS servers for domain checks (`IP` or `IP:PORT`), as `shipyard domains check --resolver`; default the system's. */
  resolverServers?: string[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1; the dashboard is meant for loopback only. */
  host?: string;
  /** Engine events of an apply running in this process (pass the bus to applyPlan's reporter). */
  events?: EngineEventBus;
  /** How often the live log polls the journal (default 500 ms). */
  pollMs?: number;
  /** Provider health probe timeout (default 5 s). */
  probeTimeoutMs?: number;
  /**
   * Providers as they are now, for each drift check: the sandbox keeps live state in files that an
   * apply in another process rewrites, so the CLI reopens them. Default: `sources.providers`.
   */
  currentProviders?: () => Provider[];
}

export interface Dashboard {
  url: string;
  stop(): Promise<void>;
}

const PAGES = ['/', '/env-vars', '/domains', '/logs'];
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { sources } = options;
  const host = options.host ?? '127.0.0.1';
  const resolver = resolverFor(options.resolverServers ?? []);
  const resolverName = options.resolverServers?.length ? options.resolverServers.join(', ') : 'the system resolver';
  const octokit = options.github ? createOctokit(options.github) : undefined;
  const github = options.github && octokit ? { octokit, owner: options.github.owner, repo: options.github.repo } : undefined;
  const gitops = new GitOps(sources.root, options.github, octokit);
  const assets = await buildAssets();
  const byTarget = environmentsByTarget(sources.config.environments.map((e) => e.doc));

  let inventoryCache: { at: number; entries: InventoryEntry[] } | undefined;
  const inventory = async (): Promise<InventoryEntry[]> => {
    if (!inventoryCache || Date.now() - inventoryCache.at > 2000) inventoryCache = { at: Date.now(), entries: await sources.store.listInventory() };
    return inventoryCache.entries;
  };
  let ventures = ventureIndex(sources.desired, []);
  const refreshVentures = async () => {
    ventures = ventureIndex(sources.desired, await inventory());
  };
  const feed = new JournalFeed({ store: sources.store, ventures: () => ventures, pollMs: options.pollMs ?? 500, ...(options.events ? { bus: options.events } : {}) });

  let drift: { at: number; result: Promise<DriftResponse> } | undefined;
  const venture = (name: string): Loaded<VentureDoc> | undefined => sources.config.ventures.find((v) => v.doc.metadata.name === name);
  const streams = new Set<() => void>();
  let port = 0;

  const app = new Hono();
  app.use('*', async (c, next) => {
    const hostHeader = c.req.header('host') ?? '';
    if (![`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].includes(hostHeader)) {
      return c.text('The dashboard answers only on its loopback address.', 421);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== `http://${hostHeader}`) return c.json({ error: 'cross-origin requests are refused' }, 403);
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ error: 'send JSON (Content-Type: application/json)' }, 415);
    }
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
  });
  app.onError((error, c) => c.json({ error: processRedactor.scrub(error.message) }, 500));

  app.get('/api/status', async (c) => {
    const providers = await checkHealth(sources.providers, github, { timeoutMs: options.probeTimeoutMs ?? 5000 });
    return c.json({ providers, ...(gitops.repository ? { repository: gitops.repository } : {}) });
  });

  app.get('/api/overview', async (c) => {
    await refreshVentures();
    const [records, locks] = await Promise.all([sources.store.readJournal({ limit: 5000 }), sources.store.listLocks()]);
    const journal = records.map((r) => journalEntry(r, ventures));
    return c.json(buildOverview({ config: sources.config, inventory: await inventory(), journal, locks, now: new Date() }));
  });

  app.get('/api/drift', async (c) => {
    // A plan reads every provider: share one computation between callers for a few seconds.
    if (!drift || c.req.query('refresh') === '1' || Date.now() - drift.at > 15_000) {
      const result = checkDrift(options.currentProviders ? { ...sources, providers: options.currentProviders() } : sources);
      drift = { at: Date.now(), result };
      result.catch(() => {
        drift = undefined;
      });
    }
    return c.json(await drift.result);
  });

  app.get('/api/domains', async (c) => {
    const domains = await configuredDomainHealth(sources.config.ventures.map((v) => v.doc), resolver, sources.providers);
    return c.json({ resolver: resolverName, domains } satisfies DomainsResponse);
  });

  app.get('/api/ventures', (c) =>
    c.json(sources.config.ventures.map(({ doc, source }): VentureSummary => ({
      name: doc.metadata.name,
      file: source.file,
      hasVercel: doc.spec?.vercel !== undefined,
      targets: ventureTargets(doc, byTarget).map(([t]) => t),
      domains: (doc.spec?.vercel?.domains ?? []).map((d) => d.name),
    }))),
  );

  app.get('/api/ventures/:name/env', async (c) => {
    const found = venture(c.req.param('name'));
    if (!found) return c.json({ error: `no venture ${c.req.param('name')}` }, 404);
    return c.json(ventureEnv(found, byTarget, await inventory()));
  });

  const envEdit = (mode: 'preview' | 'pull-request') => async (c: Context) => {
    const found = venture(c.req.param('name') ?? '');
    if (!found) return c.json({ error: `no venture ${c.req.param('name')}` }, 404);
    const body = await jsonBody<EnvVarEdit>(c);
    if (!body) return c.json({ ok: false, file: found.source.file, diagnostics: [], error: 'the request body must be a JSON object' }, 400);
    const edit = (text: string) => editEnvVar(text, body);
    const result = mode === 'preview' ? await gitops.preview(found.source.file, edit) : await gitops.openPullRequest(found.source.file, edit, { venture: found.doc.metadata.name });
    return c.json(result, result.ok ? 200 : 422);
  };
  app.post('/api/ventures/:name/env/preview', envEdit('preview'));
  app.post('/api/ventures/:name/env/pull-request', envEdit('pull-request'));

  const domainInput = async (c: Context): Promise<{ found: Loaded<VentureDoc>; edit: DomainEdit } | { error: string; status: 400 | 404 }> => {
    const body = await jsonBody<Partial<DomainEdit> & { venture?: string }>(c);
    const name = c.req.param('name') ?? body?.venture ?? '';
    const found = venture(name);
    if (!found) return { error: `no venture ${JSON.stringify(name)}`, status: 404 };
    if (!body) return { error: 'the request body must be a JSON object', status: 400 };
    const edit: DomainEdit = { domain: normaliseDomain(body.domain), redirect: body.redirect ?? 'www-to-apex', dnsMode: body.dnsMode ?? 'external' };
    const problem = domainProblem(edit.domain);
    if (problem) return { error: problem, status: 400 };
    return { found, edit };
  };

  app.post('/api/domains/records', async (c) => {
    const input = await domainInput(c);
    if ('error' in input) return c.json({ ok: false, error: input.error, records: [], nameservers: [] } satisfies DomainRecordsResponse, input.status);
    const preview = await gitops.preview(input.found.source.file, (text) => addDomain(text, input.edit));
    return c.json({ ok: true, ...recordsFor(input.found.doc, input.edit), preview } satisfies DomainRecordsResponse);
  });

  app.post('/api/domains/check', async (c) => {
    const input = await domainInput(c);
    if ('error' in input) return c.json({ ok: false, error: input.error, resolver: resolverName, domains: [] } satisfies DomainCheckResponse, input.status);
    return c.json({ ok: true, resolver: resolverName, domains: await checkNewDomain(input.found.doc, input.edit, resolver) } satisfies DomainCheckResponse);
  });

  app.post('/api/ventures/:name/domains/pull-request', async (c) => {
    const input = await domainInput(c);
    if ('error' in input) return c.json({ ok: false, file: '', diagnostics: [], error: input.error }, input.status);
    const result = await gitops.openPullRequest(input.found.source.file, (text) => addDomain(text, input.edit), { venture: input.found.doc.metadata.name });
    return c.json(result, result.ok ? 200 : 422);
  });

  app.get('/api/journal', async (c) => {
    await refreshVentures();
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 500) || 500, 1), 5000);
    return c.json({ entries: await feed.read(filtersOf(c), limit) });
  });

  app.get('/api/events', (c) => {
    const filters = filtersOf(c);
    return streamSSE(c, async (stream) => {
      let closed = false;
      const queue: { event: string; data: unknown }[] = [];
      let wake: (() => void) | undefined;
      const push = (event: string, data: unknown) => {
        queue.push({ event, data });
        wake?.();
      };
      const close = () => {
        closed = true;
        wake?.();
      };
      streams.add(close);
      stream.onAbort(close);
      await refreshVentures();
      // Subscribe before reading the backlog: a record written in between comes twice (the UI keeps one), never not at all.
      const unsubscribe = await feed.subscribe((entries) => push('journal', entries.filter((e) => matches(e, filters))));
      const unsubscribeBus = options.events?.subscribe((event) => {
        const shown = engineEventView(event);
        if (shown) push('engine', shown);
      });
      try {
        await stream.writeSSE({ event: 'backlog', data: JSON.stringify(await feed.read(filters, 500)) });
        while (!closed) {
          if (queue.length === 0) {
            let timer: NodeJS.Timeout | undefined;
            await new Promise<void>((resolve) => {
              wake = resolve;
              timer = setTimeout(resolve, 15_000);
            });
            clearTimeout(timer);
            wake = undefined;
          }
          if (closed) break;
          if (queue.length === 0) {
            await stream.writeSSE({ event: 'ping', data: '{}' });
            continue;
          }
          for (const item of queue.splice(0)) {
            if (Array.isArray(item.data) && item.data.length === 0) continue;
            await stream.writeSSE({ event: item.event, data: JSON.stringify(item.data) });
          }
        }
      } finally {
        unsubscribe();
        unsubscribeBus?.();
        streams.delete(close);
      }
    });
  });

  app.get('/assets/app.js', (c) => c.body(assets.script, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/assets/app.css', (c) => c.body(assets.style, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  for (const page of PAGES) app.get(page, (c) => c.html(assets.shell));
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'not found' }, 404) : c.html(assets.shell, 404)));

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    async stop() {
      for (const close of [...streams]) close();
      feed.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

function filtersOf(c: Context): JournalFilters {
  const filters: JournalFilters = {};
  for (const key of ['environment', 'venture', 'provider', 'outcome'] as const) {
    const value = c.req.query(key);
    if (value) filters[key] = value;
  }
  return filters;
}

async function jsonBody<T>(c: Context): Promise<T | undefined> {
  try {
    const body: unknown = await c.req.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as T) : undefined;
  } catch {
    return undefined;
  }
}

/** What the live log shows of an engine event: the step and its outcome, messages scrubbed. */
function engineEventView(event: EngineEvent): { type: string; address?: string; action?: string; message?: string } | undefined {
  switch (event.type) {
    case 'step.started':
    case 'step.succeeded':
      return { type: event.type, address: event.address, action: event.action };
    case 'step.failed':
      return { type: event.type, address: event.address, action: event.action, message: processRedactor.scrub(event.error) };
    case 'step.retrying':
      return { type: event.type, address: event.address, message: processRedactor.scrub(event.error) };
    case 'lock.acquired':
    case 'lock.released':
      return { type: event.type, message: event.environment };
    default:
      return undefined;
  }
}

