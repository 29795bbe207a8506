/**
 * A GitHub-shaped world for the pipeline tests: a real bare git repository and a checkout,
 * the GitHub emulator, a shared sandbox (the "live systems") and a durable PostgreSQL state
 * store, and the bundled actions run as a runner runs them: `node actions/<name>/dist/index.mjs`
 * with the runner's environment variables, event payload file, outputs and job summary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github/emulator.ts';
import { createDatabase, type PostgresConnection } from '../harness/postgres.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const CANARY = 'canary-pipeline-3e8f27-do-not-leak';
export const BOT_TOKEN = 'ghs_emulator_bot_token_for_tests';
export const REVIEWER_TOKEN = 'ghp_emulator_reviewer_token_for_tests';

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export class PipelineWorld {
  readonly dir: string;
  readonly origin: string;
  readonly checkout: string;
  readonly sandboxDir: string;
  readonly github: GitHubEmulator;
  readonly env: NodeJS.ProcessEnv;
  readonly runs: ActionRun[] = [];
  #runId = 1000;

  private constructor(dir: string, github: GitHubEmulator, stateUrl: string) {
    this.dir = dir;
    this.origin = path.join(dir, 'origin.git');
    this.checkout = path.join(dir, 'checkout');
    this.sandboxDir = path.join(dir, 'live');
    this.github = github;
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SHIPYARD_STATE: stateUrl,
      SHIPYARD_FINGERPRINT_KEY: 'pipeline-fingerprint-key-0123456789abcdef',
      SHIPYARD_SANDBOX_DIR: this.sandboxDir,
      // Runner secrets: every secretRef of the sample config, all carrying the canary.
      ...Object.fromEntries(['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'SYSTEM'].map((e) => [`DATABASE_URL_${e}`, `postgres://app:${CANARY}@db.${e.toLowerCase()}/app`])),
      ...Object.fromEntries(['GOOGLE', 'GITHUB', 'AZURE'].flatMap((p) => ['DEV', 'STAGING', 'PRODUCTION'].map((e) => [`ACME_${p}_SECRET_${e}`, `${CANARY}-${p}-${e}`]))),
      ACME_STRIPE_SECRET_KEY: `sk_live_${CANARY}`,
    };
  }

  static async create(postgres: PostgresConnection): Promise<PipelineWorld> {
    const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-pipeline-'));
    const github = createGitHubEmulator({ tokens: [BOT_TOKEN, { token: REVIEWER_TOKEN, user: { login: 'reviewer' } }], repos: [{ fullName: 'acme/infra' }] });
    await github.start();
    const stateUrl = await createDatabase(postgres, `pipeline_${Math.random().toString(36).slice(2, 8)}`);
    const world = new PipelineWorld(dir, github, stateUrl);
    world.git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', world.origin);
    world.git(dir, 'clone', '--quiet', world.origin, world.checkout);
    for (const folder of ['environments', 'schemas']) cpSync(path.join(repoRoot, folder), path.join(world.checkout, folder), { recursive: true });
    mkdirSync(path.join(world.checkout, 'ventures'));
    cpSync(path.join(repoRoot, 'ventures/tiny-landing.yaml'), path.join(world.checkout, 'ventures/tiny-landing.yaml'));
    writeFileSync(path.join(world.checkout, '.gitignore'), '.shipyard/\n');
    world.commitAll('initial configuration');
    world.git(world.checkout, 'push', '--quiet', 'origin', 'main');
    world.github.repo('acme/infra').knowCommit(world.head());
    return world;
  }

  git(cwd: string, ...args: string[]): string {
    return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@acme.test', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@acme.test' } }).trim();
  }

  commitAll(message: string): string {
    this.git(this.checkout, 'add', '-A');
    this.git(this.checkout, 'commit', '--quiet', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git(this.checkout, 'rev-parse', 'HEAD');
  }

  /** Files of the current checkout that differ from `base`, with their contents (for the emulator's PR). */
  changedContents(base: string): Record<string, string | null> {
    const names = this.git(this.checkout, 'diff', '--name-only', base, 'HEAD').split('\n').filter(Boolean);
    return Object.fromEntries(names.map((name) => {
      try {
        return [name, readFileSync(path.join(this.checkout, name), 'utf8')];
      } catch {
        return [name, null];
      }
    }));
  }

  write(file: string, text: string): void {
    writeFileSync(path.join(this.checkout, file), text);
  }

  read(file: string): string {
    return readFileSync(path.join(this.checkout, file), 'utf8');
  }

  /** Runs a bundled action in a child process with a runner's environment. */
  async runAction(name: 'validate' | 'plan' | 'apply' | 'drift', event: { name: string; payload: Record<string, unknown>; sha: string; ref: string }, inputs: Record<string, string> = {}, workspace = this.checkout): Promise<ActionRun> {
    const runDir = mkdtempSync(path.join(this.dir, `run-${name}-`));
    const eventPath = path.join(runDir, 'event.json');
    writeFileSync(eventPath, JSON.stringify(event.payload));
    for (const file of ['output', 'summary']) writeFileSync(path.join(runDir, file), '');
    const runId = this.#runId++;
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      GITHUB_ACTIONS: 'true', CI: 'true',
      GITHUB_EVENT_NAME: event.name, GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: event.sha, GITHUB_REF: event.ref,
      GITHUB_REPOSITORY: 'acme/infra', GITHUB_REPOSITORY_OWNER: 'acme', GITHUB_ACTOR: 'dev', GITHUB_RUN_ID: String(runId), GITHUB_RUN_NUMBER: '1',
      GITHUB_SERVER_URL: 'https://github.com', GITHUB_API_URL: this.github.url, GITHUB_GRAPHQL_URL: `${this.github.url}/graphql`,
      GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: path.join(runDir, 'output'), GITHUB_STEP_SUMMARY: path.join(runDir, 'summary'),
      'INPUT_GITHUB-TOKEN': BOT_TOKEN,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    };
    const child = spawn(process.execPath, [path.join(repoRoot, 'actions', name, 'dist/index.mjs')], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const run: ActionRun = { status, stdout, stderr, outputs: parseOutputs(readFileSync(path.join(runDir, 'output'), 'utf8')), summary: readFileSync(path.join(runDir, 'summary'), 'utf8') };
    this.runs.push(run);
    return run;
  }

  /** Live state of every sandbox provider, by address, without the ids a provider assigns. */
  liveState(): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    for (const file of readdirSync(this.sandboxDir).filter((f) => /^(kubernetes|vercel|supabase)\.json$/.test(f)).sort()) {
      for (const object of JSON.parse(readFileSync(path.join(this.sandboxDir, file), 'utf8')) as { address: string; state: unknown }[]) state[object.address] = object.state;
    }
    return state;
  }

  /** A second runner's checkout of one commit (a git worktree). */
  worktree(sha: string): string {
    const dir = mkdtempSync(path.join(this.dir, 'runner-'));
    this.git(this.checkout, 'worktree', 'add', '--quiet', '--detach', dir, sha);
    return dir;
  }

  /** A hand edit in a live system, behind Shipyard's back. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reaches into arbitrary live JSON
  editLive(address: string, edit: (state: Record<string, any>) => void): void {
    const provider = address.split('/')[0]!;
    const file = path.join(this.sandboxDir, `${provider}.json`);
    const objects = JSON.parse(readFileSync(file, 'utf8')) as { address: string; state: Record<string, unknown> }[];
    const object = objects.find((o) => o.address === address);
    if (!object) throw new Error(`no live object ${address}`);
    edit(object.state);
    writeFileSync(file, JSON.stringify(objects));
  }

  /** Opens a pull request from a new branch off main with these file edits; returns its number and head. */
  openPullRequest(branch: string, edits: Record<string, (text: string) => string>): { number: number; headSha: string; base: string } {
    this.git(this.checkout, 'checkout', '--quiet', 'main');
    const base = this.head();
    this.git(this.checkout, 'checkout', '--quiet', '-b', branch);
    for (const [file, edit] of Object.entries(edits)) this.write(file, edit(this.read(file)));
    const headSha = this.commitAll(`change on ${branch}`);
    this.git(this.checkout, 'push', '--quiet', 'origin', branch);
    const { number } = this.github.repo('acme/infra').openPullRequest({ head: branch, headSha, contents: this.changedContents(base), title: branch });
    return { number, headSha, base };
  }

  /** Merges the branch into main with a merge commit, in git and on the emulator. */
  merge(branch: string, number: number): { sha: string; before: string } {
    this.git(this.checkout, 'checkout', '--quiet', 'main');
    const before = this.head();
    this.git(this.checkout, 'merge', '--quiet', '--no-ff', '-m', `Merge pull request #${number}`, branch);
    const sha = this.head();
    this.github.repo('acme/infra').mergePullRequest(number, sha);
    return { sha, before };
  }

  /** Everything a person or another job could see: comments, check runs, summaries, outputs, logs, artifacts. */
  visibleText(): string {
    const repo = this.github.repo('acme/infra');
    const comments = repo.issues().flatMap((i) => repo.comments(i.number).map((c) => c.body));
    const checks = repo.checkRuns().map((c) => JSON.stringify(c));
    // `::add-mask::` lines are consumed by the runner and never shown: they are how the value gets masked.
    const logs = this.runs.map((r) => `${r.stdout}${r.stderr}`.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n'));
    const shipyardDir = path.join(this.checkout, '.shipyard');
    const artifacts = readdirSync(shipyardDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => (f.startsWith('plan') && f.endsWith('.json')) || f.startsWith('docs/'))
      .filter((f) => f.endsWith('.json') || f.endsWith('.md') || f.endsWith('.yaml'))
      .map((f) => readFileSync(path.join(shipyardDir, f), 'utf8'));
    return [...comments, ...checks, ...logs, ...this.runs.map((r) => r.summary + JSON.stringify(r.outputs)), ...artifacts].join('\n');
  }

  async close(): Promise<void> {
    await this.github.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function parseOutputs(text: string): Record<string, string> {
  // `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes them.
  const outputs: Record<string, string> = {};
  const pattern = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

export function pullRequestEvent(action: string, number: number, headSha: string, head: string, labels: string[] = []) {
  return {
    name: 'pull_request',
    sha: headSha,
    ref: `refs/pull/${number}/merge`,
    payload: {
      action, number,
      pull_request: { number, head: { sha: headSha, ref: head, repo: { full_name: 'acme/infra' } }, base: { ref: 'main', repo: { full_name: 'acme/infra' } }, labels: labels.map((name) => ({ name })) },
      repository: { full_name: 'acme/infra', name: 'infra', owner: { login: 'acme' } },
    },
  };
}

export function pushEvent(sha: string, before: string) {
  return { name: 'push', sha, ref: 'refs/heads/main', payload: { ref: 'refs/heads/main', before, after: sha, repository: { full_name: 'acme/infra', name: 'infra', owner: { login: 'acme' } } } };
}
