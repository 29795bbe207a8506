/**
 * The dashboard's edits and API without a browser: YAML edits that change only what they must,
 * refusals that create nothing (invalid config, a secret typed into the form), and the loopback
 * guards (Host header, cross-origin and non-JSON writes).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import type { PullRequestResult, StatusResponse } from '../../src/dashboard/api-types.ts';
import { unifiedDiff } from '../../src/dashboard/line-diff.ts';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import { addDomain, editEnvVar, type EditResult } from '../../src/dashboard/venture-edit.ts';
import { compileDesiredState } from '../../src/providers/desired-state.ts';
import { createGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github/emulator.ts';
import { openSandbox } from '../../src/sandbox/sandbox.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/model/state.ts';
import { repoRoot } from './world.ts';

const acme = readFileSync(path.join(repoRoot, 'ventures/acme-notes.yaml'), 'utf8');
const tiny = readFileSync(path.join(repoRoot, 'ventures/tiny-landing.yaml'), 'utf8');

function text(result: EditResult): string {
  if (!result.ok) throw new Error(`edit refused: ${result.error}`);
  return result.text;
}

/** Changed lines only, as `+line` / `-line`. */
function changes(before: string, after: string): string[] {
  return unifiedDiff('f', before, after).split('\n').filter((l) => /^[+-](?![+-]{2} )/.test(l));
}

describe('YAML edits of a venture file', () => {
  it('adds a variable as five new lines and leaves every other byte alone', () => {
    const after = text(editEnvVar(acme, { action: 'upsert', key: 'WEBHOOK_SECRET', description: 'Verifies webhooks.', targets: ['preview', 'production'], sensitive: true, source: { kind: 'generated', length: 32, alphabet: 'hex' } }));
    expect(changes(acme, after)).toEqual([
      '+      - key: WEBHOOK_SECRET',
      '+        description: Verifies webhooks.',
      '+        targets: [production, preview]',
      '+        sensitive: true',
      '+        value: { generate: { length: 32, alphabet: hex } }',
    ]);
  });

  it('changes an existing variable in place, and removes one', () => {
    const changed = text(editEnvVar(acme, { action: 'upsert', key: 'STRIPE_SECRET_KEY', description: 'Stripe API key for billing.', targets: ['production'], sensitive: true, source: { kind: 'secretRef', name: 'ACME_STRIPE_KEY_V2' } }));
    expect(changes(acme, changed)).toEqual(['-        value: { secretRef: ACME_STRIPE_SECRET_KEY }', '+        value: { secretRef: ACME_STRIPE_KEY_V2 }']);
    const removed = text(editEnvVar(acme, { action: 'remove', key: 'NEXT_PUBLIC_APP_NAME' }));
    expect(changes(acme, removed)).toEqual(['-      - key: NEXT_PUBLIC_APP_NAME', '-        description: Name shown in the page title.', '-        value: { literal: Acme Notes }']);
  });

  it('creates the env list and the domain list where a venture has none', () => {
    const withEnv = text(editEnvVar(tiny, { action: 'upsert', key: 'NEXT_PUBLIC_SITE_NAME', description: 'Shown in the header.', sensitive: false, source: { kind: 'literal', literal: 'Tiny' } }));
    expect(withEnv).toBe(`${tiny}    env:\n      - key: NEXT_PUBLIC_SITE_NAME\n        description: Shown in the header.\n        value: { literal: Tiny }\n`);
    const withDomain = text(addDomain(tiny, { domain: 'Tiny.Example.', redirect: 'apex-to-www', dnsMode: 'vercel' }));
    expect(withDomain).toBe(`${tiny}    domains:\n      - name: tiny.example\n        redirect: apex-to-www\n        dns:\n          mode: vercel\n`);
  });

  it('refuses secrets and mistakes before producing anything', () => {
    const refused = (result: EditResult) => (result.ok ? 'accepted' : result.error);
    expect(refused(editEnvVar(acme, { action: 'upsert', key: 'API_TOKEN', description: 'x'.repeat(5), sensitive: true, source: { kind: 'literal', literal: 'plain' } }))).toMatch(/sensitive variable cannot have a value here/);
    const typed = 'sk_live_0123456789abcdefABCDEF';
    const secretLiteral = refused(editEnvVar(acme, { action: 'upsert', key: 'BILLING', description: 'Billing key.', sensitive: false, source: { kind: 'literal', literal: typed } }));
    expect(secretLiteral).toMatch(/looks like a secret/);
    expect(secretLiteral).not.toContain(typed);
    expect(refused(editEnvVar(acme, { action: 'upsert', key: '1BAD', description: 'Bad key.', source: { kind: 'secretRef', name: 'X' } }))).toMatch(/letters, digits and underscores/);
    expect(refused(editEnvVar(acme, { action: 'upsert', key: 'OK_KEY', description: 'Lower-case ref.', source: { kind: 'secretRef', name: 'lower' } }))).toMatch(/runner secret name/);
    expect(refused(editEnvVar(acme, { action: 'remove', key: 'NOT_THERE' }))).toMatch(/not declared/);
    expect(refused(addDomain(acme, { domain: 'acmenotes.com', redirect: 'www-to-apex', dnsMode: 'vercel' }))).toMatch(/already a domain/);
    expect(refused(addDomain(acme, { domain: 'www.example.com', redirect: 'www-to-apex', dnsMode: 'external' }))).toMatch(/enter the apex domain \(example\.com\)/);
  });
});

describe('the API', () => {
  let root: string;
  let github: GitHubEmulator;
  let store: StateStore;
  let dashboard: Dashboard;
  let local: Dashboard;
  const TOKEN = 'ghs_apitest00000000000000000000000000000';

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'shipyard-dashboard-api-'));
    const files: Record<string, string> = {};
    for (const folder of ['environments', 'ventures', 'schemas']) {
      cpSync(path.join(repoRoot, folder), path.join(root, folder), { recursive: true });
      if (folder !== 'schemas') for (const name of readdirSync(path.join(root, folder))) files[`${folder}/${name}`] = readFileSync(path.join(root, folder, name), 'utf8');
    }
    github = createGitHubEmulator({ tokens: [TOKEN], repos: [{ fullName: 'acme/infra', files }] });
    await github.start();
    const config = await loadConfig(root);
    store = await openSqliteStore(path.join(root, 'state.db'));
    const sources = {
      root, config, desired: compileDesiredState(config), providers: openSandbox(path.join(root, 'sandbox')).providers, store,
      secrets: secretsFromMap({}), fingerprints: new Fingerprinter('dashboard-api-test-key-0123456789'),
    };
    dashboard = await startDashboard({ sources, github: { token: TOKEN, apiUrl: github.url, owner: 'acme', repo: 'infra' } });
    local = await startDashboard({ sources });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await local?.stop();
    await github?.stop();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const post = async (base: string, route: string, body: unknown) => {
    const response = await fetch(`${base}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };

  it('refuses an edit that makes the config invalid, with the diagnostics, and creates nothing', async () => {
    const branches = () => github.repo('acme/infra').pullRequests().length;
    const before = branches();
    const invalid = await post(dashboard.url, '/api/ventures/acme-notes/env/pull-request', { action: 'upsert', key: 'SHORT', description: 'ab', source: { kind: 'secretRef', name: 'SHORT_SECRET' } });
    expect(invalid.status).toBe(422);
    const result = JSON.parse(invalid.text) as PullRequestResult;
    expect(result.ok).toBe(false);
    expect(result.pullRequest).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual([expect.stringMatching(/^ventures\/acme-notes\.yaml:\d+ schema\./)]);

    const typed = 'sk_live_9876543210zyxwvuZYXWVU';
    const secret = await post(dashboard.url, '/api/ventures/acme-notes/env/pull-request', { action: 'upsert', key: 'BILLING_KEY', description: 'Billing key.', sensitive: false, source: { kind: 'literal', literal: typed } });
    expect(secret.status).toBe(422);
    expect(secret.text).not.toContain(typed);
    expect(branches()).toBe(before);
  });

  it('without GitHub: previews an edit but opens no pull request, and says how to configure it', async () => {
    const preview = await post(local.url, '/api/ventures/tiny-landing/env/preview', { action: 'upsert', key: 'NEXT_PUBLIC_SITE_NAME', description: 'Shown in the header.', source: { kind: 'literal', literal: 'Tiny' } });
    expect(preview.status).toBe(200);
    expect((JSON.parse(preview.text) as PullRequestResult).diff).toContain('+      - key: NEXT_PUBLIC_SITE_NAME');
    const pull = await post(local.url, '/api/ventures/tiny-landing/env/pull-request', { action: 'upsert', key: 'NEXT_PUBLIC_SITE_NAME', description: 'Shown in the header.', source: { kind: 'literal', literal: 'Tiny' } });
    expect(pull.status).toBe(422);
    expect((JSON.parse(pull.text) as PullRequestResult).error).toMatch(/GITHUB_TOKEN and GITHUB_REPOSITORY/);
    const status = (await (await fetch(`${local.url}/api/status`)).json()) as StatusResponse;
    expect(status.providers.map((p) => [p.name, p.state])).toEqual([['kubernetes', 'sandbox'], ['vercel', 'sandbox'], ['supabase', 'sandbox'], ['github', 'not-configured']]);
  });

  it('answers only its own Host, and refuses cross-origin and non-JSON writes', async () => {
    const { port } = new URL(dashboard.url);
    const raw = (headers: Record<string, string>, method = 'GET', route = '/api/status') =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: Number(port), path: route, method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{}' : undefined);
      });
    expect(await raw({ Host: 'attacker.example' })).toBe(421);
    expect(await raw({ Host: `localhost:${port}` })).toBe(200);
    expect(await raw({ Host: `127.0.0.1:${port}`, Origin: 'https://attacker.example', 'Content-Type': 'application/json' }, 'POST', '/api/ventures/acme-notes/env/preview')).toBe(403);
    expect(await raw({ Host: `127.0.0.1:${port}`, 'Content-Type': 'text/plain' }, 'POST', '/api/ventures/acme-notes/env/preview')).toBe(415);
    const page = await fetch(`${dashboard.url}/logs`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<html lang="en">');
  });
});
