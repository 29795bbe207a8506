/** The client against the emulator: rate limits, retries, errors, pagination and team scoping. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/model/provider.ts';
import { VercelApiError, VercelClient } from '../../src/providers/vercel/client.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { startEmulator, TEAM, TOKEN } from './vercel-helpers.ts';

let emulator: VercelEmulator;
const client = (options: Partial<ConstructorParameters<typeof VercelClient>[0]> = {}) =>
  new VercelClient({ token: TOKEN, teamId: TEAM, serverURL: emulator.url, baseDelayMs: 10, ...options });

async function raw(method: string, url: string, body?: unknown): Promise<void> {
  const res = await fetch(`${emulator.url}${url}?teamId=${TEAM}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  emulator = await startEmulator({ rateLimit: { perEndpoint: { getProject: { limit: 3, windowMs: 1000 } } } });
  await raw('POST', '/v11/projects', { name: 'client-test', gitRepository: { type: 'github', repo: 'acme/client' } });
});

afterAll(async () => {
  await emulator.stop();
});

describe('rate limits', () => {
  it('waits for the window reset announced by X-RateLimit-* instead of running into 429', async () => {
    const c = client();
    const before = emulator.requests.all().length;
    for (let i = 0; i < 7; i++) expect((await c.getProject('vercel/client-test/project', 'client-test'))?.name).toBe('client-test');
    expect(emulator.requests.all().slice(before).filter((r) => r.status === 429)).toEqual([]);
    expect(c.stats.throttled).toBeGreaterThan(0);
    expect(c.stats).toMatchObject({ calls: 7, requests: 7, retries: 0 });
  });

  it('honours Retry-After on a 429 burst and still answers every call', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh window
    const c = client();
    const results = await Promise.all(Array.from({ length: 6 }, () => c.getProject('vercel/client-test/project', 'client-test')));
    expect(results.every((p) => p?.id)).toBe(true);
    expect(c.stats.retries).toBeGreaterThan(0);
    expect(c.stats.calls).toBe(6);
  });
});

describe('retries and errors', () => {
  it('retries a reset connection and a 500 transparently', async () => {
    const c = client();
    emulator.injectFault({ kind: 'reset', times: 1, match: { path: '/v10/projects/{idOrName}/env' } });
    emulator.injectFault({ kind: 'status', status: 500, times: 1, match: { path: '/v10/projects/{idOrName}/env' } });
    expect(await c.listEnvs('vercel/client-test/env', 'client-test')).toEqual([]);
    expect(c.stats).toMatchObject({ calls: 1, requests: 3, retries: 2 });
  });

  it('throws TransientError once its own retries are exhausted, starting with the address', async () => {
    const c = client({ maxRetries: 2 });
    const fault = emulator.injectFault({ kind: 'status', status: 503, match: { path: '/v9/projects/{idOrName}/domains' } });
    const error = await c.listProjectDomains('vercel/client-test/domain', 'client-test').catch((e: unknown) => e);
    emulator.faults.remove(fault.id);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/^vercel\/client-test\/domain: getProjectDomains failed with HTTP 503 service_unavailable/);
    expect(fault.fired).toBe(3);
  });

  it('leaves a Retry-After longer than it may wait to the engine, with the delay', async () => {
    const c = client({ maxDelayMs: 200 });
    emulator.injectFault({ kind: 'status', status: 429, times: 1, headers: { 'retry-after': '30' }, match: { path: '/v5/domains/{domain}/records' } });
    const error = await c.listRecords('vercel/acme.test/dns-record', 'acme.test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(30_000);
    expect(c.stats.requests).toBe(1);
  });

  it('never puts the token in an error, even when the API echoes it', async () => {
    const wrongTeam = client({ teamId: 'team_not_mine' });
    const forbidden = await wrongTeam.getProject('vercel/client-test/project', 'client-test').catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(VercelApiError);
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden' });
    expect((forbidden as Error).message).toMatch(/^vercel\/client-test\/project: getProject failed with HTTP 403 forbidden/);

    emulator.injectFault({ kind: 'status', status: 400, times: 1, body: { error: { code: 'bad_request', message: `token ${TOKEN} is not valid here` } }, match: { method: 'PATCH' } });
    const echoed = await client().updateProject('vercel/client-test/project', 'client-test', { buildCommand: 'x' }).catch((e: unknown) => e);
    expect((echoed as Error).message).toContain('token [secret] is not valid here');
    expect((echoed as Error).message).not.toContain(TOKEN);
    expect(JSON.stringify(echoed)).not.toContain(TOKEN);
  });

  it('reads 404 as absent', async () => {
    const c = client();
    expect(await c.getProject('vercel/nope/project', 'nope')).toBeUndefined();
    expect(await c.listEnvs('vercel/nope/env', 'nope')).toBeUndefined();
    expect(await c.listRecords('vercel/nope.test/dns-record', 'nope.test')).toBeUndefined();
    await expect(c.removeEnv('vercel/client-test/env/production/GONE', 'client-test', 'env_missing')).resolves.toBeUndefined();
  });
});

describe('pagination and scope', () => {
  it('follows pagination for DNS records and project domains', async () => {
    emulator.state.addDomain('paged.test', TEAM);
    for (let i = 0; i < 230; i++) await raw('POST', '/v2/domains/paged.test/records', { type: 'A', name: `h${i}`, value: '192.0.2.1' });
    for (let i = 0; i < 105; i++) await raw('POST', '/v10/projects/client-test/domains', { name: `d${i}.paged.test` });
    const c = client();
    const records = await c.listRecords('vercel/paged.test/dns-record', 'paged.test');
    expect(new Set(records!.map((r) => r.name)).size).toBe(230);
    const domains = await c.listProjectDomains('vercel/client-test/domain', 'client-test');
    expect(new Set(domains!.map((d) => d.name)).size).toBe(105);
    expect(c.stats.byOperation).toEqual({ getRecords: 3, getProjectDomains: 2 });
  });

  it('scopes every call to the team', async () => {
    expect(await client().getProject('vercel/client-test/project', 'client-test')).toMatchObject({ name: 'client-test', link: { type: 'github', repo: 'acme/client', productionBranch: 'main' } });
    expect(await client({ teamId: undefined }).getProject('vercel/client-test/project', 'client-test')).toBeUndefined();
  });
});
