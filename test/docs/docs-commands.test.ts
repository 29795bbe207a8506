/**
 * Every command the generated docs show is real, and every link leads somewhere.
 *
 * `shipyard` lines are checked twice with the real CLI (src/cli.ts `main`, the dispatcher the
 * binary runs): first with `--help` appended, which proves the command is registered and that
 * every option exists with the right type (each command parses strictly before it looks at
 * --help); then the line itself runs in a throw-away sandbox workspace (sandbox providers, a
 * temporary SQLite state store, netcheck against the real test apiserver), which proves the
 * checks made after parsing pass too: subcommands, required options, option values. A usage
 * error is exit status 2 with `shipyard <command>: ...` on stderr. `verify` is not run (it
 * starts probe pods and waits for nodes the test cluster does not have); its --help check stays.
 * `kubectl` lines are parsed by kubectl itself (`--help` fails on an unknown subcommand or flag),
 * and `git` lines must name a git subcommand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CommandIO } from '../../src/cli/args.ts';
import { generateDocs } from '../../src/docs/generate.ts';
import { kubeconfigFile } from '../harness/kube.ts';
import { requireKube } from '../harness/services.ts';
import { commandLines, githubAnchor, headings, linkTargets, shellWords } from './markdown-parts.ts';
import { goldenDir, repoRoot, sampleInput } from './sample.ts';

let docs: Map<string, string>;
let root: string;
let env: NodeJS.ProcessEnv;

async function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: root, env, isTTY: false };
  const status = await main(argv, io);
  return { status, stdout, stderr };
}

/** A usage error: exit status 2 with the dispatcher's `shipyard <command>: ...` (or unknown command) on stderr; drift's exit 2 prints no such line. */
function isUsageError(result: { status: number; stderr: string }): boolean {
  return result.status === 2 && /^shipyard(: unknown command| \S+: )/.test(result.stderr);
}

function linesOf(program: string): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  for (const [file, text] of docs) {
    if (!file.endsWith('.md')) continue;
    for (const line of commandLines(text)) if (line.split(' ')[0] === program) out.push({ file, line });
  }
  return out;
}

describe('commands shown in the generated docs', () => {
  beforeAll(async () => {
    docs = generateDocs(await sampleInput());
    root = mkdtempSync(path.join(tmpdir(), 'shipyard-docs-cli-'));
    for (const dir of ['environments', 'ventures']) cpSync(path.join(repoRoot, dir), path.join(root, dir), { recursive: true });
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      SHIPYARD_PROVIDERS: 'sandbox',
      SHIPYARD_SANDBOX_DIR: path.join(root, '.shipyard', 'sandbox'),
      SHIPYARD_STATE: `sqlite:${path.join(root, '.shipyard', 'state.db')}`,
      SHIPYARD_FINGERPRINT_KEY: 'docs-commands-test-fingerprint-key',
      KUBECONFIG: kubeconfigFile(requireKube(), 'admin'),
    };
    // Something to show, unlock and drift against.
    expect((await run(['apply', '--yes'])).status).toBe(0);
  });

  it('include the commands each guide needs', () => {
    const shipyard = new Set(linesOf('shipyard').map((l) => l.line.split(' ').slice(0, 3).join(' ')));
    for (const needed of ['shipyard domains check', 'shipyard state unlock', 'shipyard state show', 'shipyard state list', 'shipyard drift --venture', 'shipyard apply --venture', 'shipyard netcheck --from', 'shipyard plan --venture', 'shipyard validate --format', 'shipyard docs']) {
      expect([...shipyard].some((s) => s.startsWith(needed)), needed).toBe(true);
    }
    expect(linesOf('kubectl').length).toBeGreaterThan(20);
  });

  it('name registered shipyard commands with options that exist (--help through the real dispatcher)', async () => {
    const seen = new Set<string>();
    for (const { file, line } of linesOf('shipyard')) {
      if (seen.has(line)) continue;
      seen.add(line);
      const argv = shellWords(line).slice(1);
      const result = await run([...argv, '--help']);
      expect(result.stderr, `${file}: ${line}`).toBe('');
      expect(result.status, `${file}: ${line}`).toBe(0);
      expect(result.stdout, `${file}: ${line}`).toMatch(new RegExp(`^Usage: shipyard ${argv[0]}\\b`));
    }
    expect(seen.size).toBeGreaterThan(15);
  });

  it('run without a usage error, in page order, in a sandbox workspace', async () => {
    let ran = 0;
    for (const [file] of docs) {
      const lines = linesOf('shipyard').filter((l) => l.file === file);
      for (const { line } of lines) {
        const argv = shellWords(line).slice(1);
        if (argv[0] === 'verify') continue;
        const result = await run(argv);
        expect(isUsageError(result), `${file}: ${line}\n${result.stderr}`).toBe(false);
        expect([0, 1, 2], `${file}: ${line}\n${result.stderr}`).toContain(result.status);
        ran++;
      }
    }
    expect(ran).toBeGreaterThan(30);
  }, 180_000);

  it('would catch a command that does not parse (the checks above are not vacuous)', async () => {
    for (const bad of [['frobnicate'], ['state', 'frobnicate'], ['plan', '--format', 'yaml'], ['apply'], ['netcheck', '--from', 'a'], ['domains', 'list'], ['drift', '--bogus']]) {
      expect(isUsageError(await run(bad)), bad.join(' ')).toBe(true);
    }
    const helped = await run(['plan', '--bogus', '--help']);
    expect(helped.status).toBe(2);
    // Drift's own exit status 2 is not a usage error.
    const edited = path.join(root, 'environments', 'staging.yaml');
    const original = readFileSync(edited, 'utf8');
    writeFileSync(edited, original.replace('pods: "50"', 'pods: "51"'));
    try {
      const drift = await run(['drift', '--env', 'staging']);
      expect(drift.status).toBe(2);
      expect(isUsageError(drift)).toBe(false);
    } finally {
      writeFileSync(edited, original);
    }
  });

  it('parse with kubectl (an unknown subcommand or flag fails --help)', () => {
    const seen = new Set<string>();
    for (const { file, line } of linesOf('kubectl')) {
      if (seen.has(line)) continue;
      seen.add(line);
      const words = shellWords(line).slice(1);
      const dashes = words.indexOf('--');
      const args = dashes === -1 ? [...words, '--help'] : [...words.slice(0, dashes), '--help', ...words.slice(dashes)];
      const result = spawnSync('kubectl', args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: '/dev/null' } });
      expect(result.status, `${file}: ${line}\n${result.stderr}`).toBe(0);
    }
  });

  it('name real git subcommands', () => {
    const known = execFileSync('git', ['help', '-a'], { encoding: 'utf8' });
    for (const { file, line } of linesOf('git')) {
      const sub = shellWords(line)[1]!;
      expect(known, `${file}: ${line}`).toMatch(new RegExp(`^\\s+${sub}\\s`, 'm'));
    }
  });
});

describe('links in the generated docs', () => {
  it('lead to a generated file (and its heading) or to a file of the repository', async () => {
    docs = generateDocs(await sampleInput());
    let checked = 0;
    for (const [file, text] of docs) {
      if (!file.endsWith('.md')) continue;
      for (const target of linkTargets(text)) {
        expect(target, `${file}: external links cannot be checked offline`).not.toMatch(/^[a-z]+:/i);
        const [relative, fragment] = target.split('#') as [string, string | undefined];
        const resolved = relative ? path.posix.normalize(path.posix.join(path.posix.dirname(file), relative)) : file;
        const generated = docs.get(resolved);
        if (generated !== undefined) {
          if (fragment) expect(headings(generated).map(githubAnchor), `${file}: ${target}`).toContain(fragment);
        } else {
          // Links to the repository are written for test/docs/golden/ (see sample.ts).
          expect(existsSync(path.join(goldenDir, resolved)), `${file}: ${target} → ${path.join(goldenDir, resolved)}`).toBe(true);
          expect(path.resolve(goldenDir, resolved).startsWith(repoRoot), `${file}: ${target} leaves the repository`).toBe(true);
          expect(fragment, `${file}: ${target}`).toBeUndefined();
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
