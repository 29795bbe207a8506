/**
 * Debian's Chromium driven by playwright-core (DESIGN §6): a fresh profile per launch, and a
 * failure (never a skip) that says how to install it when /usr/bin/chromium is missing. Also
 * the recorder of every response the pages receive, for the no-secret checks, and screenshots.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = new URL('../../test-results/dashboard/', import.meta.url).pathname;
export const VIEWPORTS = { laptop: { width: 1366, height: 800 }, phone: { width: 390, height: 844 } } as const;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Bodies of every response seen so far (event streams as far as they were read). */
  responses(): Promise<{ url: string; status: number; body: string }[]>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard's end-to-end tests need Debian's chromium. Run \`bash scripts/services.sh ensure\`, then run the tests again.`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'shipyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: VIEWPORTS.laptop,
  });
  const seen: Promise<{ url: string; status: number; body: string }>[] = [];
  context.on('response', (response: Response) => {
    seen.push(bodyOf(response).then((body) => ({ url: response.url(), status: response.status(), body })));
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    responses: () => Promise.all(seen),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** An event stream never ends while the page is open: take what arrived within a moment. */
async function bodyOf(response: Response): Promise<string> {
  const text = response.text().catch(() => '');
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(''), 2000));
  return Promise.race([text, timeout]);
}

/** Full-page screenshots at laptop and phone widths into test-results/dashboard/ (git-ignored). */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    // Let the layout settle at the new width before capturing.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    const file = path.join(SCREENSHOTS, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize(VIEWPORTS.laptop);
  return files;
}

/**
 * Problems a keyboard or screen-reader user would meet on the current page. The check runs in
 * the page, so it is a script string (this project's TypeScript has no DOM types).
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const problems = [];
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '');
    for (const el of document.querySelectorAll('input, select, textarea')) {
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) problems.push(describe(el) + ' has no label');
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!el.textContent.trim() && !el.getAttribute('aria-label')) problems.push(describe(el) + ' has no accessible name');
    }
    const h1 = document.querySelectorAll('h1');
    if (h1.length !== 1) problems.push(h1.length + ' h1 headings (expected 1)');
    for (const table of document.querySelectorAll('table')) {
      if (!table.querySelector('caption')) problems.push(describe(table) + ' has no caption');
      if (!table.querySelector('th[scope="col"]')) problems.push(describe(table) + ' has no column headers');
    }
    if (!document.documentElement.lang) problems.push('the page has no lang');
    // Nothing may scroll sideways on a phone.
    if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('the page is ' + document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px viewport');
    return problems;
  })()`);
}
