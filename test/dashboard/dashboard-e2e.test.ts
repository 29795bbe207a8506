/**
 * The dashboard end to end, in Debian's Chromium (playwright-core) over the sandbox: the Vercel
 * emulator behind the real Vercel provider, the GitHub emulator for pull requests, dnsmasq for
 * DNS, and an apply through the real engine. The tests run in order on one world: the log viewer
 * watches the first apply, the other pages read what it left, and the last test stops the Vercel
 * emulator. Screenshots of every page at laptop and phone widths go to test-results/dashboard/.
 */
import { Octokit } from '@octokit/rest';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser, screenshots, VIEWPORTS, type Browser } from './browser.ts';
import { DashboardWorld, GITHUB_TOKEN, REPO } from './world.ts';

let world: DashboardWorld;
let browser: Browser;
let page: Page;
let url: string;
const shots: string[] = [];

beforeAll(async () => {
  // Latency on the sandbox providers makes the apply last a few seconds, long enough to watch it stream.
  world = await DashboardWorld.create({ latencyMs: 150 });
  url = world.dashboard.url;
  browser = await launchBrowser();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const octokit = () => new Octokit({ auth: GITHUB_TOKEN, baseUrl: world.github.url, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
const [owner, repo] = REPO.split('/') as [string, string];

/** The text of the table row whose header cell is `name`. */
async function row(table: string, name: string): Promise<string> {
  return page.locator(`#${table} tbody tr`).filter({ has: page.locator('th', { hasText: new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) }) }).first().innerText();
}

/** Reads /api/events from Node for as long as the test wants, to check the stream's text too. */
function readEvents(path: string): { text: () => string; stop: () => Promise<void> } {
  const controller = new AbortController();
  let text = '';
  const done = (async () => {
    try {
      const response = await fetch(`${url}${path}`, { signal: controller.signal });
      const reader = response.body!.getReader();
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted
    }
  })();
  return { text: () => text, stop: async () => {
    controller.abort();
    await done;
  } };
}

async function expectNoSecrets(where: string, text: string): Promise<void> {
  const leaked = world.secretValues().filter((value) => text.includes(value));
  expect(leaked, `${where} contains secret values`).toEqual([]);
}

async function checkAccessibility(): Promise<void> {
  for (const size of Object.values(VIEWPORTS)) {
    await page.setViewportSize(size);
    expect(await accessibilityProblems(page), `at ${size.width}px`).toEqual([]);
  }
  await page.setViewportSize(VIEWPORTS.laptop);
}

describe('the dashboard over the sandbox', () => {
  it('log viewer: shows the events of an apply while it runs, then filters them', async () => {
    await page.goto(`${url}/logs`);
    await expect.poll(() => page.locator('#live-status').innerText()).toContain('Live');
    expect(await page.locator('#journal').count()).toBe(0); // nothing applied yet

    const stream = readEvents('/api/events');
    // One step waits until the test has looked: the page must show the apply while it runs.
    let release = () => {};
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    const applying = world.apply({ hold: { address: 'vercel/tiny-landing/project/tiny-landing', until } }).finally(() => {
      finished = true;
    });
    await page.locator('#apply-running').waitFor({ timeout: 30_000 });
    // Seen in the page while the apply is still running: streamed, not loaded afterwards.
    expect(finished).toBe(false);
    expect(await page.locator('#apply-running').innerText()).toMatch(/Apply run [0-9a-f]{8} in progress: \d+ step\(s\) finished, \d+ running/);
    expect(await page.locator('#journal tbody tr').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#journal tbody').innerText()).toMatch(/started\s+create\s+vercel\/tiny-landing\/project\/tiny-landing/);
    // Everything else finishes; the held step is the one still running, and the page says so.
    await expect.poll(() => page.locator('#apply-running').innerText(), { timeout: 30_000 }).toMatch(/\d+ step\(s\) finished, 1 running/);
    expect(finished).toBe(false);
    release();

    const outcome = await applying;
    expect(outcome.status).toBe('done');
    const journal = await world.store.readJournal();
    await expect.poll(() => page.locator('#journal tbody tr').count(), { timeout: 15_000 }).toBe(journal.length);
    await expect.poll(() => page.locator('#apply-running').count()).toBe(0);
    expect(await page.locator('#journal caption').innerText()).toBe(`${journal.length} journal event(s), newest first`);
    expect(await page.locator('#journal tbody').innerText()).toContain('vercel/acme-notes/env/production/STRIPE_SECRET_KEY');
    await checkAccessibility();
    shots.push(...(await screenshots(page, 'logs')));

    // Filters: by provider, outcome, venture and environment; they travel in the URL.
    await page.selectOption('#filter-provider', 'vercel');
    const vercelRecords = journal.filter((r) => r.address.startsWith('vercel/'));
    await expect.poll(() => page.locator('#journal tbody tr').count()).toBe(vercelRecords.length);
    expect((await page.locator('#journal tbody td[data-label="Address"]').allInnerTexts()).every((t) => t.startsWith('vercel/'))).toBe(true);
    expect(page.url()).toContain('provider=vercel');
    await page.selectOption('#filter-outcome', 'failed');
    await expect.poll(() => page.locator('.empty').innerText()).toBe('No events match these filters yet.');
    await page.selectOption('#filter-outcome', '');
    await page.selectOption('#filter-provider', '');
    await page.selectOption('#filter-venture', 'tiny-landing');
    const tiny = journal.filter((r) => r.address === 'vercel/tiny-landing/project/tiny-landing');
    await expect.poll(() => page.locator('#journal tbody tr').count()).toBe(tiny.length);
    await page.selectOption('#filter-venture', '');
    await page.selectOption('#filter-environment', 'staging');
    await page.selectOption('#filter-outcome', 'succeeded');
    const staging = journal.filter((r) => r.environment === 'staging' && r.outcome === 'succeeded');
    await expect.poll(() => page.locator('#journal tbody tr').count()).toBe(staging.length);
    expect(new Set(await page.locator('#journal tbody td[data-label="Environment"]').allInnerTexts())).toEqual(new Set(['staging']));

    await stream.stop();
    expect(stream.text()).toContain('event: journal');
    await expectNoSecrets('the event stream', stream.text());
    await expectNoSecrets('the log page', await page.content());
  });

  it('status: last apply, drift, rotation and domains per environment and venture; providers connected', async () => {
    await page.goto(url);
    await page.locator('#providers').waitFor();
    expect(await row('providers', 'Vercel')).toContain('connected');
    expect(await row('providers', 'GitHub')).toContain('connected');
    expect(await row('providers', 'Kubernetes')).toContain('sandbox');
    expect(await row('providers', 'Supabase')).toContain('sandbox');

    const production = await row('environments', 'production');
    expect(production).toContain('succeeded');
    expect(production).toContain(world.mainSha.slice(0, 8));
    expect(production).toContain('dev@acme.test');
    expect(production).toContain('none due'); // the baseline secrets were just written
    await expect.poll(() => page.locator('#environments').innerText(), { timeout: 30_000 }).not.toContain('checking');
    for (const env of ['development', 'staging', 'production', 'system']) expect(await row('environments', env)).toContain('no drift');

    await expect.poll(() => page.locator('#ventures').innerText(), { timeout: 30_000 }).not.toContain('checking');
    const acme = await row('ventures', 'acme-notes');
    expect(acme).toContain('succeeded');
    expect(acme).toContain('no drift');
    // dnsmasq serves nothing for acmenotes.com yet: the domain check says so.
    expect(acme).toMatch(/missing record\s+acmenotes\.com/);
    await checkAccessibility();
    shots.push(...(await screenshots(page, 'status')));
    await expectNoSecrets('the status page', await page.content());
  });

  it('env-var manager: sources and fingerprints, never a value; an edit becomes a branch and a pull request', async () => {
    await page.goto(`${url}/env-vars`);
    await page.locator('#variables').waitFor();
    expect(await page.inputValue('#env-venture')).toBe('acme-notes');
    const stripe = await row('variables', 'STRIPE_SECRET_KEY');
    expect(stripe).toContain('runner secret ACME_STRIPE_SECRET_KEY');
    expect(stripe).toMatch(/production\s+applied\s+fingerprint [A-Za-z0-9_-]{10}/);
    expect(await row('variables', 'SESSION_SECRET')).toContain('generated by Shipyard (48 base64url characters)');
    expect(await row('variables', 'DATABASE_URL')).toContain('output supabase.databaseUrl');
    expect(await row('variables', 'NEXT_PUBLIC_APP_NAME')).toContain('literal “Acme Notes” (in git)');

    await page.selectOption('#env-target', 'preview');
    await expect.poll(() => page.locator('#variables caption').innerText()).toBe('Variables for the preview target');
    expect(await page.locator('#variables tbody').innerText()).not.toContain('STRIPE_SECRET_KEY'); // production only
    await page.selectOption('#env-target', '');

    // A sensitive variable cannot take a literal: the choice is disabled, and there is no value field.
    expect(await page.isChecked('#env-sensitive')).toBe(true);
    expect(await page.isDisabled('input[name="source"][value="literal"]')).toBe(true);
    await page.fill('#env-key', 'STRIPE_WEBHOOK_SECRET');
    await page.fill('#env-description', 'Verifies the signatures of Stripe webhooks.');
    await page.check('input[name="targets"][value="production"]');
    await page.fill('#env-secret-name', 'ACME_STRIPE_WEBHOOK_SECRET');
    await page.getByRole('button', { name: 'Preview change' }).click();
    await page.locator('figure.diff').waitFor();
    const addition = [
      '      - key: STRIPE_WEBHOOK_SECRET',
      '        description: Verifies the signatures of Stripe webhooks.',
      '        targets: [production]',
      '        sensitive: true',
      '        value: { secretRef: ACME_STRIPE_WEBHOOK_SECRET }',
    ];
    const shown = await page.locator('figure.diff pre').innerText();
    for (const line of addition) expect(shown).toContain(`\n+${line}\n`);

    const before = (await octokit().rest.pulls.list({ owner, repo, state: 'all' })).data.length;
    await page.getByRole('button', { name: 'Open pull request' }).click();
    await page.locator('.outcome .success').waitFor();
    const success = await page.locator('.outcome .success').innerText();
    const branch = /from branch (\S+)\./.exec(success)?.[1];
    expect(branch).toMatch(/^shipyard\/dashboard\/acme-notes-add-env-var-stripe-webhook-secret-/);

    const pulls = (await octokit().rest.pulls.list({ owner, repo, state: 'all' })).data;
    expect(pulls).toHaveLength(before + 1);
    const pull = pulls.find((p) => p.head.ref === branch)!;
    expect(pull).toMatchObject({ title: 'acme-notes: add env var STRIPE_WEBHOOK_SECRET', base: { ref: 'main' }, state: 'open' });
    expect(success).toContain(`#${pull.number}`);
    const files = (await octokit().rest.pulls.listFiles({ owner, repo, pull_number: pull.number })).data;
    expect(files.map((f) => [f.filename, f.additions, f.deletions])).toEqual([['ventures/acme-notes.yaml', 5, 0]]);
    // The exact YAML edit: the new entry after the last variable, every other byte as on main.
    const github = world.github.repo(REPO);
    const onMain = github.file('ventures/acme-notes.yaml', 'main')!;
    const anchor = '        value: { literal: Acme Notes }\n';
    expect(github.file('ventures/acme-notes.yaml', branch)).toBe(onMain.replace(anchor, `${anchor}${addition.join('\n')}\n`));
    expect(onMain).toBe(world.config.ventures.find((v) => v.doc.metadata.name === 'acme-notes')!.source.text);
    expect(pull.body).toContain('+      - key: STRIPE_WEBHOOK_SECRET');

    await checkAccessibility();
    shots.push(...(await screenshots(page, 'env-vars')));

    // Not a single secret value anywhere: page text, HTML, and every response of the session.
    await expectNoSecrets('the env-var page text', await page.locator('body').innerText());
    await expectNoSecrets('the env-var page HTML', await page.content());
    const responses = await browser.responses();
    expect(responses.some((r) => r.url.endsWith('/api/ventures/acme-notes/env'))).toBe(true);
    for (const response of responses) await expectNoSecrets(`the response of ${response.url}`, response.body);
  });

  it('domain wizard: the records to create, DNS missing then correct as the zone changes, and the pull request', async () => {
    await world.dns.setRecords([]);
    await page.goto(`${url}/domains`);
    await page.selectOption('#domain-venture', 'tiny-landing');
    await page.fill('#domain-name', 'tinylanding.test');
    await page.getByRole('button', { name: 'Show records' }).click();
    await page.locator('#records').waitFor();
    expect(await row('records', 'tinylanding.test')).toMatch(/A\s+76\.76\.21\.21/);
    expect(await row('records', 'www.tinylanding.test')).toMatch(/CNAME\s+cname\.vercel-dns\.com\./);

    await page.getByRole('button', { name: 'Check DNS' }).click();
    await page.locator('#dns-check').waitFor();
    expect(await row('dns-check', 'tinylanding.test')).toContain('missing record');
    expect(await row('dns-check', 'www.tinylanding.test')).toContain('missing record');
    expect(await page.locator('#dns-check caption').innerText()).toContain(world.dns.server);
    shots.push(...(await screenshots(page, 'domains-missing')));

    await world.dns.setRecords([
      { type: 'A', name: 'tinylanding.test', value: '76.76.21.21' },
      { type: 'CNAME', name: 'www.tinylanding.test', value: 'cname.vercel-dns.com.' },
    ]);
    await page.getByRole('button', { name: 'Check DNS' }).click();
    await expect.poll(() => row('dns-check', 'tinylanding.test')).toContain('correct');
    expect(await row('dns-check', 'www.tinylanding.test')).toContain('correct');

    await page.getByRole('button', { name: 'Open pull request' }).click();
    await page.locator('.outcome .success').waitFor();
    const branch = /from branch (\S+)\./.exec(await page.locator('.outcome .success').innerText())?.[1];
    const github = world.github.repo(REPO);
    const onMain = github.file('ventures/tiny-landing.yaml', 'main')!;
    expect(github.file('ventures/tiny-landing.yaml', branch)).toBe(`${onMain}    domains:\n      - name: tinylanding.test\n        redirect: www-to-apex\n        dns:\n          mode: external\n`);
    const pull = (await octokit().rest.pulls.list({ owner, repo, state: 'open' })).data.find((p) => p.head.ref === branch);
    expect(pull?.title).toBe('tiny-landing: add domain tinylanding.test');
    await checkAccessibility();
    shots.push(...(await screenshots(page, 'domains')));
  });

  it('keyboard: skip link, navigation by Tab and Enter, visible focus, a form submitted with Enter', async () => {
    await page.goto(url);
    await page.locator('#providers').waitFor();
    const active = () => page.evaluate<string>("(() => { const e = document.activeElement; return e ? (e.id || e.className || e.tagName) + '|' + (e.textContent || '').trim().slice(0, 40) : ''; })()");
    await page.keyboard.press('Tab');
    expect(await active()).toBe('skip-link|Skip to content');
    await page.keyboard.press('Enter');
    expect(await active()).toMatch(/^main\|/);

    await page.goto(url);
    await page.locator('#providers').waitFor();
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab'); // skip link, brand, Status, Env vars, Domains, Logs
    expect(await active()).toBe('A|Logs');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${url}/logs`);
    expect(await active()).toBe('page-title|Provisioning log');
    expect(await page.title()).toBe('Provisioning log · Shipyard');
    expect(await page.getAttribute('nav a[aria-current="page"]', 'href')).toBe('/logs');

    await page.goto(`${url}/domains`);
    await page.locator('#domain-name').focus();
    await page.keyboard.type('example.test');
    await page.keyboard.press('Enter');
    await page.locator('#records').waitFor();
  });

  it('status: a provider whose emulator is stopped shows as failing, with the reason', async () => {
    await page.goto(url);
    await page.locator('#providers').waitFor();
    expect(await row('providers', 'Vercel')).toContain('connected');
    await world.vercel.stop();
    await page.getByRole('button', { name: 'Check again', exact: true }).click();
    await expect.poll(() => row('providers', 'Vercel'), { timeout: 20_000 }).toContain('failing');
    const vercel = await row('providers', 'Vercel');
    expect(vercel).toMatch(/ECONNREFUSED|connect|fetch failed/i);
    expect(vercel).not.toContain('vct_'); // the token is never part of a reason
    expect(await row('providers', 'GitHub')).toContain('connected');
    shots.push(...(await screenshots(page, 'status-failing')));
    expect(shots.length).toBeGreaterThanOrEqual(12);
  });
});
