/** Runs the real CLI in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigFile } from '../../src/config/load.ts';

export const cliPath = new URL('../../bin/shipyard.js', import.meta.url).pathname;

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function writeConfig(files: ConfigFile[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'shipyard-config-'));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file.path)), { recursive: true });
    writeFileSync(path.join(root, file.path), file.text);
  }
  return root;
}

/**
 * This repository's environments under namespace names of their own (`production-<suffix>`…),
 * written to a fresh root: a test file that applies them never meets another on the shared cluster.
 * Also the environment a live-Kubernetes CLI run needs, with a canary in every runner secret.
 */
export async function isolatedEnvironments(kubeconfig: string, options: { canary: string; state: (root: string, suffix: string) => string }) {
  const { readConfigFiles } = await import('../../src/config/load.ts');
  const suffix = Math.random().toString(36).slice(2, 7);
  const files = (await readConfigFiles(new URL('../../', import.meta.url).pathname))
    .filter((f) => f.path.startsWith('environments/'))
    .map((f) => ({ ...f, text: f.text.replace(/^ {4}name: (development|staging|production|system)$/m, `    name: $1-${suffix}`) }));
  const root = writeConfig(files);
  const env: NodeJS.ProcessEnv = {
    SHIPYARD_PROVIDERS: 'kubernetes=live',
    SHIPYARD_SANDBOX_SECRETS: '1',
    SHIPYARD_STATE: options.state(root, suffix),
    KUBECONFIG: kubeconfig,
    SHIPYARD_FINGERPRINT_KEY: `fingerprint-key-${suffix}-0123456789abcdef`,
    ...Object.fromEntries(['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'SYSTEM'].map((e) => [`DATABASE_URL_${e}`, `postgres://app:${options.canary}-1@db/${e}`])),
  };
  return { root, env, suffix };
}
