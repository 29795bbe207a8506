/**
 * The canary sweep: every CLI command, run on the sample config with canary values in every
 * runner secret and in the fingerprint key, leaves stdout, stderr, the files it writes and the
 * state database free of every canary. (The pipeline tests sweep the actions' comments, check
 * runs, logs, summaries and artifacts the same way.)
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFiles } from '../../src/config/load.ts';
import { runCli, writeConfig } from './helpers.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const CANARY = 'canary-sweep-8d0b5e-do-not-leak';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('canary sweep over every CLI command', () => {
  it('leaves no canary in any output, file or the state database', async () => {
    const root = writeConfig(await readConfigFiles(repoRoot));
    const secretNames = [...new Set((await readConfigFiles(repoRoot)).flatMap((f) => [...f.text.matchAll(/secretRef: ([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!)))];
    expect(secretNames.length).toBeGreaterThan(10);
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(secretNames.map((name, i) => [name, `${CANARY}-${i}`])),
      SHIPYARD_FINGERPRINT_KEY: `${CANARY}-fingerprint-key`,
      // The sandbox's live systems hold real values (they are the target systems): keep them out of the swept tree.
      SHIPYARD_SANDBOX_DIR: mkdtempSync(path.join(tmpdir(), 'shipyard-sweep-live-')),
    };
    const commands: string[][] = [
      ['validate'], ['validate', '--format', 'json'], ['validate', '--format', 'github'],
      ['plan'], ['plan', '--format', 'markdown'], ['plan', '--format', 'json', '--out', 'plan.json'],
      ['apply', '--yes'], ['plan', '--detailed-exitcode'], ['drift'], ['drift', '--format', 'json'],
      ['state', 'list'], ['state', 'show'],
      ['secrets', 'list', '--env', 'production'], ['secrets', 'bootstrap', '--env', 'staging'],
      ['docs', '--out', 'generated-docs'],
      ['domains', 'check', '--resolver', '127.0.0.1:9', '--format', 'json'],
      ['apply', '--yes', '--expect-fingerprint', '0'.repeat(64)],
      ['secrets', 'rotate', '--env', 'staging', '--name', 'database-url'],
      ['state', 'prune', '--older-than', '0m'],
    ];
    const outputs: string[] = [];
    for (const args of commands) {
      const result = runCli([...args, '--root', root], { env, cwd: root });
      outputs.push(`$ shipyard ${args.join(' ')}\n${result.stdout}${result.stderr}`);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at .*\.ts:\d+/);
    }
    // Everything ended before now, but the one apply is the latest run of three environments
    // (the rotation is staging's latest): both are kept for `state show`.
    expect(outputs.at(-1)).toMatch(/Removed 0 run\(s\) \(0 journal record\(s\)\) that ended before /);
    const swept = [...outputs, ...filesUnder(root).map((f) => readFileSync(f).toString('latin1'))].join('\n');
    expect(swept).toContain('DATABASE_URL_PRODUCTION'); // the names are there...
    expect(swept).not.toContain(CANARY); // ...the values never
    expect(filesUnder(root).some((f) => f.endsWith('state.db'))).toBe(true);
  }, 300_000);
});
