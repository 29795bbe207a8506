/**
 * Replacing the fingerprint key without a burst of false "[secret] (changed)": with the old key
 * as SHIPYARD_FINGERPRINT_KEY_PREVIOUS, stored fingerprints that still match plan as unchanged,
 * and one apply stores them under the new key; after that the old key can go.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFiles } from '../../src/config/load.ts';
import { runCli, writeConfig } from './helpers.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const OLD_KEY = 'canary-old-fingerprint-key-71c3-do-not-leak';
const NEW_KEY = 'canary-new-fingerprint-key-2b9e-do-not-leak';

describe('replacing the fingerprint key', () => {
  it('re-stamps stored fingerprints in one apply while the previous key is set', async () => {
    const root = writeConfig(await readConfigFiles(repoRoot));
    const base: NodeJS.ProcessEnv = { SHIPYARD_SANDBOX_DIR: mkdtempSync(path.join(tmpdir(), 'shipyard-rekey-live-')), ACME_STRIPE_SECRET_KEY: 'sk_test_rekey_value_0001' };
    const run = (key: string, previous: string | undefined, ...args: string[]) =>
      runCli([...args, '--root', root], { cwd: root, env: { ...base, SHIPYARD_FINGERPRINT_KEY: key, ...(previous ? { SHIPYARD_FINGERPRINT_KEY_PREVIOUS: previous } : {}) } });

    expect(run(OLD_KEY, undefined, 'apply', '--yes').status).toBe(0);
    expect(run(OLD_KEY, undefined, 'plan', '--detailed-exitcode').status).toBe(0);

    // A new key alone: every secret Shipyard cannot read back looks changed.
    const naive = run(NEW_KEY, undefined, 'plan', '--detailed-exitcode');
    expect(naive.status).toBe(2);
    expect(naive.stdout).toContain('[secret] (changed)');

    // With the old key as the previous one: nothing changed, and the plan says what apply will do.
    const during = run(NEW_KEY, OLD_KEY, 'plan', '--detailed-exitcode');
    expect(during.status, during.stdout).toBe(0);
    expect(during.stdout).toMatch(/fingerprint\.rekey: \d+ resource\(s\) hold secret fingerprints made with the previous fingerprint key/);
    const applied = run(NEW_KEY, OLD_KEY, 'apply', '--yes');
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/Stored \d+ resource\(s\)' secret fingerprints under the new fingerprint key\./);

    // Done: the old key is not needed any more, and the new one alone plans no change.
    const after = run(NEW_KEY, undefined, 'plan', '--detailed-exitcode');
    expect(after.status, after.stdout).toBe(0);
    expect(after.stdout).not.toContain('fingerprint.rekey');
    // The previous key alone no longer matches anything: the store really moved to the new key.
    expect(run(OLD_KEY, undefined, 'plan', '--detailed-exitcode').status).toBe(2);
    for (const output of [naive, during, applied, after]) for (const key of [OLD_KEY, NEW_KEY]) expect(output.stdout + output.stderr).not.toContain(key);
  });
});
