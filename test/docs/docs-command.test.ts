/**
 * `shipyard docs` end to end in a sandbox workspace: it writes every generated file, the same
 * bytes on every run, tidies only what it wrote before, and no secret value reaches a page even
 * when canary values sit in the runner's environment, the live systems and the state store.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/cli/args.ts';
import { UsageError } from '../../src/cli/args.ts';
import { docsCommand } from '../../src/cli/docs-command.ts';
import { main } from '../../src/cli.ts';
import type { Address } from '../../src/model/address.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { repoRoot } from './sample.ts';

const CANARY = 'canary-docs-cmd-7e21b9-do-not-leak';
const REVISION = '89abcdef0123456789abcdef0123456789abcdef';
let root: string;
let env: NodeJS.ProcessEnv;
let secretNames: string[];

function io(cwd = root): CommandIO & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env, isTTY: false, out: () => stdout, err: () => stderr };
}

function readTree(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) for (const [k, v] of readTree(full, `${prefix}${name}/`)) out.set(k, v);
    else out.set(`${prefix}${name}`, readFileSync(full, 'utf8'));
  }
  return out;
}

describe('shipyard docs', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'shipyard-docs-cmd-'));
    for (const dir of ['environments', 'ventures']) cpSync(path.join(repoRoot, dir), path.join(root, dir), { recursive: true });
    const yaml = ['environments', 'ventures'].flatMap((dir) => readdirSync(path.join(root, dir)).map((f) => readFileSync(path.join(root, dir, f), 'utf8'))).join('\n');
    secretNames = [...new Set([...yaml.matchAll(/secretRef:\s*([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!))].sort();
    env = {
      PATH: process.env.PATH,
      SHIPYARD_PROVIDERS: 'sandbox',
      SHIPYARD_SANDBOX_DIR: path.join(root, '.shipyard', 'sandbox'),
      SHIPYARD_STATE: `sqlite:${path.join(root, '.shipyard', 'state.db')}`,
      SHIPYARD_FINGERPRINT_KEY: `${CANARY}-fingerprint-key`,
      GITHUB_SHA: REVISION,
      ...Object.fromEntries(secretNames.map((name) => [name, `${CANARY}-${name}`])),
    };
    // Real state: an apply that wrote the canary values to the (sandbox) live systems.
    const applied = io();
    expect(await main(['apply', '--yes'], applied), applied.err()).toBe(0);
    // And canaries where only a careless renderer would look: a provider id, fingerprints, a journal message.
    const store = await openSqliteStore(path.join(root, '.shipyard', 'state.db'));
    try {
      await store.putInventory([{ address: 'vercel/acme-notes/env/production/LEAK_PROBE' as Address, environment: 'production', venture: 'acme-notes', providerId: `id-${CANARY}`, fingerprints: { '/value': `fp-${CANARY}` }, status: 'pending', updatedAt: '2025-01-01T00:00:00.000Z' }]);
      await store.appendJournal([{ runId: 'run-canary', planFingerprint: 'c'.repeat(64), revision: REVISION, actor: 'tester', address: 'vercel/acme-notes/env/production/LEAK_PROBE' as Address, environment: 'production', action: 'create', outcome: 'failed', message: `rejected value ${CANARY}`, at: '2025-01-01T00:00:01.000Z' }]);
    } finally {
      await store.close();
    }
  });

  it('needs secret names in the sample config for the canary check to mean anything', () => {
    expect(secretNames).toContain('DATABASE_URL_PRODUCTION');
    expect(secretNames).toContain('ACME_STRIPE_SECRET_KEY');
    expect(secretNames.length).toBeGreaterThan(10);
  });

  it('writes every guide, lists what it wrote, and shows names of secrets but never a value', async () => {
    const run = io();
    expect(await docsCommand.run([], run)).toBe(0);
    const out = path.join(root, '.shipyard', 'docs');
    const files = readTree(out);
    expect([...files.keys()]).toContain('index.md');
    expect([...files.keys()]).toContain('ventures/acme-notes/env-vars.md');
    expect(files.get('.shipyard-docs.json')).toBeDefined();
    for (const file of files.keys()) if (file !== '.shipyard-docs.json') expect(run.out()).toContain(path.join('.shipyard', 'docs', file));
    expect(run.out()).toMatch(/Wrote 17 file\(s\) to \.shipyard\/docs; start at \.shipyard\/docs\/index\.md\.\n$/);
    const all = [...files.values()].join('\n');
    for (const name of secretNames) expect(all, name).toContain(name);
    expect(all).not.toContain(CANARY);
    expect(run.out() + run.err()).not.toContain(CANARY);
    // What the state store adds.
    const index = files.get('index.md')!;
    expect(index).toContain(`at commit \`${REVISION.slice(0, 12)}\`, and the state store (\`sqlite\`)`);
    expect(index).toContain('Newest apply: run `run-canary` by `tester`');
    expect(files.get('ventures/acme-notes/overview.md')).toMatch(/\d+ of 51 applied, according to the state store/);
    // Links to repository files work from the default output directory.
    expect(index).toContain('[README.md](../../README.md)');
  });

  it('writes the same bytes on every run', async () => {
    const out = path.join(root, '.shipyard', 'docs');
    expect(await docsCommand.run([], io())).toBe(0);
    const first = readTree(out);
    expect(await docsCommand.run([], io())).toBe(0);
    expect(readTree(out)).toEqual(first);
  });

  it('removes pages it wrote earlier that are no longer generated, and nothing else', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'shipyard-docs-out-'));
    mkdirSync(path.join(out, 'ventures', 'retired'), { recursive: true });
    writeFileSync(path.join(out, 'ventures', 'retired', 'overview.md'), 'old\n');
    writeFileSync(path.join(out, 'notes.md'), 'mine\n');
    writeFileSync(path.join(out, '.shipyard-docs.json'), JSON.stringify(['ventures/retired/overview.md', '../outside.md']));
    writeFileSync(path.join(out, '..', 'outside.md'), 'not yours\n');
    expect(await docsCommand.run(['--out', out, '--no-state'], io())).toBe(0);
    expect(existsSync(path.join(out, 'ventures', 'retired', 'overview.md'))).toBe(false);
    expect(readFileSync(path.join(out, 'notes.md'), 'utf8')).toBe('mine\n');
    expect(readFileSync(path.join(out, '..', 'outside.md'), 'utf8')).toBe('not yours\n');
    const index = readFileSync(path.join(out, 'index.md'), 'utf8');
    expect(index).toContain('without reading the state store');
    expect(index).not.toContain('## State');
  });

  it('links repository files to --source-url, and refuses what is not a URL', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'shipyard-docs-url-'));
    expect(await docsCommand.run(['--out', out, '--no-state', '--source-url', 'https://github.com/acme/platform/blob/abc123'], io())).toBe(0);
    expect(readFileSync(path.join(out, 'ventures', 'acme-notes', 'runbook.md'), 'utf8')).toContain('(https://github.com/acme/platform/blob/abc123/ventures/acme-notes.yaml)');
    await expect(docsCommand.run(['--source-url', 'javascript:alert(1)'], io())).rejects.toThrow(UsageError);
    await expect(docsCommand.run(['extra'], io())).rejects.toThrow(UsageError);
  });

  it('stops on an invalid config with the diagnostics, writing nothing', async () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'shipyard-docs-broken-'));
    mkdirSync(path.join(broken, 'ventures'));
    writeFileSync(path.join(broken, 'ventures', 'bad.yaml'), 'apiVersion: shipyard.dev/v1\nkind: Venture\nmetadata: {name: bad}\nspec: {environments: [nowhere]}\n');
    const run = io(broken);
    expect(await docsCommand.run(['--no-state'], run)).toBe(1);
    expect(run.err()).toContain('ventures/bad.yaml');
    expect(existsSync(path.join(broken, '.shipyard', 'docs'))).toBe(false);
  });
});
