/**
 * The docs generated from this repository's sample config, as golden files: byte for byte
 * deterministic, whatever the order of the documents; plus what a state snapshot adds, and that
 * neither fingerprints nor journal messages from the state ever reach a page.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIFT_LABEL } from '../../src/actions/drift.ts';
import { APPROVE_DESTRUCTIVE_LABEL } from '../../src/actions/pull-request.ts';
import * as changeGuide from '../../src/docs/change-guide.ts';
import type { DocsInput, DocsState } from '../../src/docs/facts.ts';
import { generateDocs } from '../../src/docs/generate.ts';
import type { Address } from '../../src/model/address.ts';
import { goldenDir, sampleInput } from './sample.ts';

const CANARY = 'canary-docs-state-3f9a1c-do-not-leak';

function filesUnder(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? filesUnder(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

const state: DocsState = {
  store: 'postgres',
  inventory: [
    { address: 'vercel/acme-notes/project/acme-notes' as Address, environment: 'production', venture: 'acme-notes', providerId: `prj_${CANARY}`, fingerprints: {}, status: 'applied', updatedAt: '2025-01-02T03:04:05.000Z' },
    { address: 'vercel/acme-notes/env/production/STRIPE_SECRET_KEY' as Address, environment: 'production', venture: 'acme-notes', fingerprints: { '/value': `hmac-${CANARY}` }, status: 'applied', updatedAt: '2025-01-02T03:04:05.000Z' },
    { address: 'vercel/acme-notes/env/production/SESSION_SECRET' as Address, environment: 'production', venture: 'acme-notes', fingerprints: { '/value': `hmac2-${CANARY}` }, status: 'pending', updatedAt: '2025-01-02T03:04:05.000Z' },
    { address: 'kubernetes/production/Namespace/production' as Address, environment: 'production', fingerprints: {}, status: 'applied', updatedAt: '2025-01-02T03:04:05.000Z' },
  ],
  lastRun: [
    { runId: 'run-42', planFingerprint: 'ab'.repeat(32), revision: '0123456789abcdef0123456789abcdef01234567', actor: 'alice', address: 'vercel/acme-notes/project/acme-notes' as Address, environment: 'production', action: 'update', outcome: 'started', at: '2025-01-02T03:04:00.000Z' },
    { runId: 'run-42', planFingerprint: 'ab'.repeat(32), revision: '0123456789abcdef0123456789abcdef01234567', actor: 'alice', address: 'vercel/acme-notes/project/acme-notes' as Address, environment: 'production', action: 'update', outcome: 'succeeded', at: '2025-01-02T03:04:01.000Z' },
    { runId: 'run-42', planFingerprint: 'ab'.repeat(32), revision: '0123456789abcdef0123456789abcdef01234567', actor: 'alice', address: 'vercel/acme-notes/env/production/SESSION_SECRET' as Address, environment: 'production', action: 'create', outcome: 'failed', message: `Vercel said no to ${CANARY}`, at: '2025-01-02T03:04:05.000Z' },
    { runId: 'run-42', planFingerprint: 'ab'.repeat(32), revision: '0123456789abcdef0123456789abcdef01234567', actor: 'alice', address: 'kubernetes/staging/Namespace/staging' as Address, environment: 'staging', action: 'create', outcome: 'started', at: '2025-01-02T03:04:02.000Z' },
  ],
  locks: [{ environment: 'production', owner: 'github-actions run 77', acquiredAt: '2025-01-02T03:03:00.000Z', expiresAt: '2025-01-02T03:13:00.000Z' }],
};

describe('docs generated from the sample config', () => {
  it('match the golden files', async () => {
    const files = generateDocs(await sampleInput());
    expect([...files.keys()]).toEqual([
      'access/development.md',
      'access/production.md',
      'access/staging.md',
      'access/system.md',
      'change-and-rollback.md',
      'handoff.md',
      'index.md',
      'samples/hello-allow.yaml',
      'samples/hello-app.yaml',
      'ventures/acme-notes/env-vars.md',
      'ventures/acme-notes/overview.md',
      'ventures/acme-notes/recovery.md',
      'ventures/acme-notes/runbook.md',
      'ventures/tiny-landing/env-vars.md',
      'ventures/tiny-landing/overview.md',
      'ventures/tiny-landing/recovery.md',
      'ventures/tiny-landing/runbook.md',
    ]);
    for (const [file, text] of files) await expect(text, file).toMatchFileSnapshot(`golden/${file}`);
  });

  it('leave no golden file behind that is no longer generated', async () => {
    const files = generateDocs(await sampleInput());
    expect(filesUnder(goldenDir).filter((f) => !files.has(f))).toEqual([]);
  });

  it('are the same bytes every time, whatever the order of the documents', async () => {
    const input = await sampleInput();
    const first = generateDocs(input);
    const shuffled: DocsInput = {
      ...input,
      config: { ...input.config, environments: [...input.config.environments].reverse(), ventures: [...input.config.ventures].reverse() },
      desired: { ...input.desired, resources: [...input.desired.resources].reverse() },
    };
    const second = generateDocs(shuffled);
    expect([...second.entries()]).toEqual([...first.entries()]);
    expect([...generateDocs(input).entries()]).toEqual([...first.entries()]);
  });

  it('get a new user through each access guide in under 15 minutes, with an estimate per step', async () => {
    const files = generateDocs(await sampleInput());
    for (const env of ['development', 'staging', 'production', 'system']) {
      const text = files.get(`access/${env}.md`)!;
      const steps = [...text.matchAll(/^### Step \d+: .+ \(about (\d+) minutes?\)$/gm)].map((m) => Number(m[1]));
      expect(steps.length, env).toBeGreaterThanOrEqual(4);
      const total = Number(/^## Get access in about (\d+) minutes$/m.exec(text)?.[1]);
      expect(total, env).toBe(steps.reduce((a, b) => a + b, 0));
      expect(total, env).toBeLessThan(15);
      // Authentication for every system the environment involves.
      for (const needle of [`shipyard-${env}`, `Namespace \`${env}\``, '## Troubleshooting and recovery']) expect(text, env).toContain(needle);
    }
    expect(files.get('access/production.md')).toContain('team `acme`, project `acme-notes`, target `production`');
    expect(files.get('access/production.md')).toContain('organisation `acme`, project `acme-notes-production`');
  });

  it('add what the state store knows, and never its fingerprints, provider ids or journal messages', async () => {
    const files = generateDocs({ ...(await sampleInput()), revision: '0123456789abcdef0123456789abcdef01234567', state });
    const index = files.get('index.md')!;
    expect(index).toContain('at commit `0123456789ab`, and the state store (`postgres`)');
    expect(index).toContain('| production | 3 | 1 | locked by `github-actions run 77` until 2025-01-02T03:13:00.000Z |');
    expect(index).toContain('Newest apply: run `run-42` by `alice` at commit `0123456789ab`, plan `abababababab`, in `production`, `staging`, last step at 2025-01-02T03:04:05.000Z: 1 succeeded, 1 failed, 1 unfinished.');
    const overview = files.get('ventures/acme-notes/overview.md')!;
    expect(overview).toContain('2 of 51 applied, according to the state store (`postgres`).');
    expect(overview).toContain('| `vercel/acme-notes/env/production/SESSION_SECRET` | production |  | pending |');
    expect(overview).toContain('| `vercel/acme-notes/env/development/SESSION_SECRET` | development |  | not applied yet |');
    expect(files.get('ventures/acme-notes/runbook.md')).toContain('When these docs were generated: `production` locked by `github-actions run 77` until 2025-01-02T03:13:00.000Z.');
    expect(files.get('change-and-rollback.md')).toContain('The newest run in the state store (`postgres`): run `run-42`');
    for (const [file, text] of files) expect(text, file).not.toContain(CANARY);
  });

  it('link repository files to a URL prefix when one is given', async () => {
    const files = generateDocs({ ...(await sampleInput()), links: { repository: 'https://github.com/acme/platform/blob/abc123/' } });
    expect(files.get('ventures/acme-notes/runbook.md')).toContain('[ventures/acme-notes.yaml](https://github.com/acme/platform/blob/abc123/ventures/acme-notes.yaml)');
    expect(files.get('access/production.md')).toContain('[environments/production.yaml](https://github.com/acme/platform/blob/abc123/environments/production.yaml)');
  });
});

describe('the change and rollback guide', () => {
  it('names the labels the workflows act on', () => {
    expect(changeGuide.APPROVE_DESTRUCTIVE_LABEL).toBe(APPROVE_DESTRUCTIVE_LABEL);
    expect(changeGuide.DRIFT_LABEL).toBe(DRIFT_LABEL);
  });
});
