/** The workflows and action metadata: actionlint clean, least privilege, pinned actions, inputs that exist. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;
const workflows = readdirSync(path.join(root, '.github/workflows')).filter((f) => f.endsWith('.yml'));
const load = (file: string) => parse(readFileSync(path.join(root, '.github/workflows', file), 'utf8')) as { permissions?: unknown; jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string; with?: Record<string, string> }[] }> };

describe('workflows', () => {
  it('pass actionlint (built from its Go module by scripts/services.sh)', () => {
    const binary = path.join(process.env.SHIPYARD_CACHE ?? path.join(homedir(), '.cache/shipyard'), 'tools/actionlint-v1.7.12/actionlint');
    expect(existsSync(binary), 'actionlint is missing: run `bash scripts/services.sh ensure`').toBe(true);
    const output = (() => {
      try {
        return execFileSync(binary, ['-color=false', ...workflows.map((f) => `.github/workflows/${f}`)], { cwd: root, encoding: 'utf8' });
      } catch (error) {
        return (error as { stdout: string }).stdout || String(error);
      }
    })();
    expect(output).toBe('');
  });

  it.each(workflows)('%s grants nothing by default and each job only what it needs', (file) => {
    const workflow = load(file);
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job.permissions, `${file} job ${name}`).toBeDefined();
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        expect(['read', 'write', 'none'], `${file} ${name} ${scope}`).toContain(level);
        expect(scope, `${file} ${name}`).not.toBe('id-token');
      }
    }
  });

  it('shard plan jobs cannot write to pull requests; only the comment and apply jobs can', () => {
    expect(load('pull-request.yml').jobs.plan!.permissions).toEqual({ contents: 'read', checks: 'write' });
    expect(load('pull-request.yml').jobs.validate!.permissions).toEqual({ contents: 'read', 'pull-requests': 'read' });
    expect(load('drift.yml').jobs.drift!.permissions).toEqual({ contents: 'read', issues: 'write' });
  });

  it.each(workflows)('%s pins every third-party action by commit SHA', (file) => {
    for (const job of Object.values(load(file).jobs)) {
      for (const step of job.steps) {
        if (!step.uses || step.uses.startsWith('./')) continue;
        expect(step.uses, file).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      }
    }
  });

  it('gives every action exactly the inputs its code reads', () => {
    for (const action of ['validate', 'plan', 'apply', 'drift']) {
      const metadata = parse(readFileSync(path.join(root, 'actions', action, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; runs: { using: string; main: string } };
      expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.mjs' });
      const source = [`src/actions/${action}.ts`, 'src/actions/real-deps.ts'].map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
      const read = new Set([...source.matchAll(/getInput\('([a-z-]+)'\)/g)].map((m) => m[1]!));
      expect(new Set(Object.keys(metadata.inputs)), action).toEqual(read);
    }
  });
});
