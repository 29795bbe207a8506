/**
 * The CLI end to end against the real apiserver: plan, apply, plan again, drift after a hand
 * edit, and the state commands, with the Kubernetes provider live and the state in the cluster.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigFile, type KubeConnection } from '../harness/kube.ts';
import { requireKube } from '../harness/services.ts';
import { isolatedEnvironments, runCli } from './helpers.ts';

const CANARY = 'canary-cli-kube-91d2-do-not-leak';
let suffix: string;
let kube: KubeConnection;
let root: string;
let env: NodeJS.ProcessEnv;

describe('shipyard CLI with the Kubernetes provider live', () => {
  beforeAll(async () => {
    kube = requireKube();
    ({ root, env, suffix } = await isolatedEnvironments(kubeconfigFile(kube, 'admin'), { canary: CANARY, state: (_root, s) => `kubernetes:state-${s}` }));
  });

  it('plans, applies, and then has nothing to do', () => {
    const plan = runCli(['plan', '--root', root, '--detailed-exitcode'], { env });
    expect(plan.stderr).toBe('');
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain(`+ create  kubernetes/production-${suffix}/Namespace/production-${suffix}`);
    const apply = runCli(['apply', '--root', root, '--yes'], { env });
    expect(apply.status, `${apply.stdout}\n${apply.stderr}`).toBe(0);
    expect(apply.stdout).toMatch(/Applied \d+ change\(s\)\./);
    const again = runCli(['plan', '--root', root, '--detailed-exitcode'], { env });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/);
    for (const output of [plan, apply, again]) expect(`${output.stdout}${output.stderr}`).not.toContain(CANARY);
  });

  it('reports drift after a hand edit, and apply restores the declared value', () => {
    execFileSync('kubectl', ['--kubeconfig', kubeconfigFile(kube, 'admin'), 'patch', 'resourcequota', 'quota', '-n', `staging-${suffix}`, '--type', 'merge', '-p', '{"spec":{"hard":{"pods":"999"}}}']);
    const drift = runCli(['drift', '--root', root], { env });
    expect(drift.status).toBe(2);
    expect(drift.stdout).toContain(`~ update  kubernetes/staging-${suffix}/ResourceQuota/quota`);
    expect(drift.stdout).toContain('/spec/hard/pods: "999" → "50"');
    expect(runCli(['apply', '--root', root, '--yes'], { env }).status).toBe(0);
    expect(runCli(['drift', '--root', root], { env }).stdout).toBe('No drift: live state matches git.\n');
  });

  it('refuses a stale reviewed plan', () => {
    const planFile = `${root}/reviewed-plan.json`;
    expect(runCli(['plan', '--root', root, '--out', planFile], { env }).status).toBe(0);
    const reviewed = JSON.parse(readFileSync(planFile, 'utf8')) as { fingerprint: string };
    expect(reviewed.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const ok = runCli(['apply', '--root', root, '--yes', '--plan', planFile], { env });
    expect(ok.status).toBe(0);
    const stale = runCli(['apply', '--root', root, '--yes', '--expect-fingerprint', '0'.repeat(64)], { env });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('the plan changed since it was reviewed');
  });

  it('verify stops with a clear reason on a cluster without nodes', () => {
    const result = runCli(['verify', '--root', root, '--env', 'staging', '--timeout', '2', '--kubeconfig', kubeconfigFile(kube, 'admin')], { env });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`is still Pending after 2 s: the cluster needs schedulable nodes`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists the inventory and shows the journal from the state in the cluster', () => {
    const list = runCli(['state', 'list', '--root', root, '--env', 'production'], { env });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(`kubernetes/production-${suffix}/Secret/database-url  production  applied`);
    const show = runCli(['state', 'show', '--root', root], { env });
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/succeeded\s+update\s+kubernetes\/staging-\w+\/ResourceQuota\/quota/);
    expect(`${list.stdout}${show.stdout}`).not.toContain(CANARY);
  });
});
