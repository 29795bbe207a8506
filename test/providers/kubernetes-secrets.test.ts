/**
 * Secret rotation on the real apiserver, in its two phases: during the grace period a consumer
 * holding either the old or the new value keeps working; after it, only the new one does.
 * Bootstrap and rotation are idempotent, and no value is ever printed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfigFiles } from '../../src/config/load.ts';
import { KubeClient } from '../../src/providers/kubernetes/client.ts';
import { kubernetesSecrets } from '../../src/providers/kubernetes/secret-rotation.ts';
import { rotateSecrets } from '../../src/secrets/rotation.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { isolatedEnvironments, runCli } from '../cli/helpers.ts';
import { kubeconfigFile, type KubeConnection } from '../harness/kube.ts';
import { requireKube } from '../harness/services.ts';
import { loadConfigFiles } from '../../src/config/load.ts';

const CANARY = 'canary-rotation-4c1a-do-not-leak';
let kube: KubeConnection;
let root: string;
let env: NodeJS.ProcessEnv;
let client: KubeClient;
let namespace: string;

async function secretKeys(name: string): Promise<Record<string, string>> {
  const object = (await client.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } })) as unknown as { data: Record<string, string> };
  return Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

/** What a service does with a credential it holds: accept it when the Secret still carries it. */
async function consumerAccepts(name: string, held: string): Promise<boolean> {
  const keys = await secretKeys(name);
  return keys.value === held || keys.previous === held;
}

describe('secret rotation on the real apiserver', () => {
  beforeAll(async () => {
    kube = requireKube();
    client = new KubeClient({ server: kube.server, token: kube.tokens.admin, caData: kube.caData });
    const isolated = await isolatedEnvironments(kubeconfigFile(kube, 'admin'), { canary: CANARY, state: (dir) => `sqlite:${dir}/.shipyard/state.db` });
    ({ root, env } = isolated);
    namespace = `staging-${isolated.suffix}`;
  });

  it('bootstraps the baseline secrets of one environment, idempotently', () => {
    const first = runCli(['secrets', 'bootstrap', '--root', root, '--env', 'staging'], { env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('Applied 3 change(s).'); // the namespace and two secrets
    const second = runCli(['secrets', 'bootstrap', '--root', root, '--env', 'staging'], { env });
    expect(second.stdout).toContain('Nothing to do');
    const list = runCli(['secrets', 'list', '--root', root, '--env', 'staging'], { env });
    expect(list.stdout).toContain(`session-signing-key  generated (64 base64url)  kubernetes/${namespace}/Secret/session-signing-key`);
    expect(list.stdout).toMatch(/database-url {2}runner secret DATABASE_URL_STAGING .* next rotation \d{4}-/);
    for (const output of [first, second, list]) expect(`${output.stdout}${output.stderr}`).not.toContain(CANARY);
  });

  it('keeps the old value working through the grace period, then retires it', async () => {
    expect(runCli(['apply', '--root', root, '--env', 'staging', '--yes'], { env }).status).toBe(0);
    const before = (await secretKeys('session-signing-key')).value!;
    const rotated = runCli(['secrets', 'rotate', '--root', root, '--env', 'staging', '--name', 'session-signing-key'], { env });
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^rotated +kubernetes\/staging-\w+\/Secret\/session-signing-key: new value published; the previous one keeps working until/m);
    const after = (await secretKeys('session-signing-key')).value!;
    expect(after).not.toBe(before);
    expect(await consumerAccepts('session-signing-key', before)).toBe(true);
    expect(await consumerAccepts('session-signing-key', after)).toBe(true);

    // An ordinary apply during the grace period changes nothing and keeps the previous value.
    const plan = runCli(['plan', '--root', root, '--env', 'staging', '--detailed-exitcode'], { env });
    expect(plan.status, JSON.stringify(plan.stdout)).toBe(0);
    expect(runCli(['apply', '--root', root, '--env', 'staging', '--yes'], { env }).status).toBe(0);
    expect(await consumerAccepts('session-signing-key', before)).toBe(true);

    // Rotating what is due right now does nothing: idempotent.
    expect(runCli(['secrets', 'rotate', '--root', root, '--env', 'staging', '--due'], { env }).stdout).not.toMatch(/^rotated/m);
    expect((await secretKeys('session-signing-key')).value).toBe(after);

    // Eight days later (grace 7d): the previous value is retired; the new one still works.
    const config = loadConfigFiles(root, (await readConfigFiles(root)));
    const doc = config.environments.find((e) => e.doc.metadata.name === 'staging')!.doc;
    const store = await openSqliteStore(`${root}/.shipyard/state.db`);
    const secrets = kubernetesSecrets({ client, store, fingerprints: new Fingerprinter(env.SHIPYARD_FINGERPRINT_KEY!), lookup: secretsFromMap(env).lookup }, doc);
    const results = await rotateSecrets(secrets, { due: true, now: new Date(Date.now() + 8 * 86_400_000) });
    await store.close();
    expect(results.find((r) => r.address.endsWith('session-signing-key'))?.action).toBe('retired');
    expect(await consumerAccepts('session-signing-key', before)).toBe(false);
    expect(await consumerAccepts('session-signing-key', after)).toBe(true);
    expect(Object.keys(await secretKeys('session-signing-key'))).toEqual(['value']);
  });

  it('rotates a runner secret only after the source changed, and revokes at once', async () => {
    const unchanged = runCli(['secrets', 'rotate', '--root', root, '--env', 'staging', '--name', 'database-url'], { env });
    expect(unchanged.stdout).toContain('still holds the current value: update it at the source first');
    const old = (await secretKeys('database-url')).value!;
    const changed = { ...env, DATABASE_URL_STAGING: `postgres://app:${CANARY}-2@db/STAGING` };
    const revoked = runCli(['secrets', 'revoke', '--root', root, '--env', 'staging', '--name', 'database-url'], { env: changed });
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('the old value stopped working now');
    expect(await consumerAccepts('database-url', old)).toBe(false);
    expect((await secretKeys('database-url')).value).toBe(`postgres://app:${CANARY}-2@db/STAGING`);
    // The plan agrees with the new source: nothing to do.
    expect(runCli(['plan', '--root', root, '--env', 'staging', '--detailed-exitcode'], { env: changed }).status).toBe(0);
    expect(`${unchanged.stdout}${revoked.stdout}${revoked.stderr}`).not.toContain(CANARY);
  });
});
