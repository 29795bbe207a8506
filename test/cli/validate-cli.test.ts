import { describe, expect, it } from 'vitest';
import { baseFiles, withEdit } from '../config/fixtures.ts';
import { runCli, writeConfig } from './helpers.ts';

const broken = () => writeConfig(withEdit(baseFiles(), 'ventures/demo.yaml', 'framework: nextjs', 'framework: remix'));

describe('shipyard validate', () => {
  it('exits 0 on a valid repository', () => {
    const result = runCli(['validate', '--root', writeConfig(baseFiles())]);
    expect(result.stdout).toContain('✓ 3 files valid');
    expect(result.status).toBe(0);
  });

  it('exits 1 with file:line:col and a hint on errors', () => {
    const result = runCli(['validate', '--root', broken()]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ventures/demo.yaml:9:18: error schema.enum: `remix` is not allowed for `framework`');
    expect(result.stdout).toContain('→ Use one of: `nextjs`.');
  });

  it('prints GitHub annotations with --format github', () => {
    const result = runCli(['validate', '--root', broken(), '--format', 'github']);
    expect(result.stdout).toContain('::error file=ventures/demo.yaml,line=9,col=18,title=schema.enum::`remix` is not allowed');
  });

  it('prints versioned JSON with --format json', () => {
    const result = runCli(['validate', '--root', broken(), '--format', 'json']);
    const report = JSON.parse(result.stdout) as { formatVersion: number; valid: boolean; diagnostics: { line: number }[] };
    expect(report).toMatchObject({ formatVersion: 1, valid: false, errors: 1 });
    expect(report.diagnostics[0]!.line).toBe(9);
  });

  it('exits 2 on a usage error, without a stack trace', () => {
    const result = runCli(['validate', '--format', 'xml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--format must be one of text, json, github');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(runCli(['validate', '--bogus']).status).toBe(2);
    expect(runCli(['frobnicate']).status).toBe(2);
  });

  it('reports an unreadable file without a stack trace', () => {
    const root = writeConfig([...baseFiles(), { path: 'ventures/bad.yaml', text: 'a: [1, 2\n' }]);
    const result = runCli(['validate', '--root', root]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/ventures\/bad\.yaml:\d+:\d+: error yaml\./);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('has --help on every command', () => {
    const top = runCli(['--help']);
    expect(top.status).toBe(0);
    const names = [...top.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(names).toContain('validate');
    for (const name of names) {
      const help = runCli([name, '--help']);
      expect(help.status, name).toBe(0);
      expect(help.stdout, name).toContain(`Usage: shipyard ${name}`);
    }
  });
});
