/**
 * What the access guide and the handoff promise, on the real apiserver: environments applied by
 * Shipyard (quota, limits, RBAC, default deny) under their own namespace names; the handoff's
 * sample manifests accepted by a server-side dry-run from the identities the guide names (and
 * refused where it says so); the access checks answering what the guide expects; netcheck
 * answering the first line the guide prints; a generated Secret rotated the way the guide says.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli.ts';
import { loadConfigFiles, readConfigFiles } from '../../src/config/load.ts';
import { generateDocs } from '../../src/docs/generate.ts';
import { compileDesiredState } from '../../src/providers/desired-state.ts';
import { runCli, writeConfig } from '../cli/helpers.ts';
import { kubeconfigFile, kubeRequest, type KubeConnection, type KubeIdentity } from '../harness/kube.ts';
import { requireKube } from '../harness/services.ts';
import { fencedBlocks, shellWords } from './markdown-parts.ts';
import { repoRoot } from './sample.ts';

const suffix = Math.random().toString(36).slice(2, 7);
const ns = (env: string) => `${env}-docs-${suffix}`;
let kube: KubeConnection;
let root: string;
let env: NodeJS.ProcessEnv;
let docs: Map<string, string>;
let samples: string;

function kubectl(identity: KubeIdentity, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('kubectl', ['--kubeconfig', kubeconfigFile(kube, identity), ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('the access guide and the handoff on a real apiserver', () => {
  beforeAll(async () => {
    kube = requireKube();
    // Own namespace names, so this file never meets the other tests on the shared cluster.
    const files = (await readConfigFiles(repoRoot))
      .filter((f) => f.path.startsWith('environments/'))
      .map((f) => ({ ...f, text: f.text.replace(/^ {4}name: (development|staging|production|system)$/m, (_, name: string) => `    name: ${ns(name)}`) }));
    root = writeConfig(files);
    env = {
      SHIPYARD_PROVIDERS: 'kubernetes=live',
      SHIPYARD_SANDBOX_SECRETS: '1',
      SHIPYARD_STATE: `sqlite:${path.join(root, '.shipyard', 'state.db')}`,
      KUBECONFIG: kubeconfigFile(kube, 'admin'),
      SHIPYARD_FINGERPRINT_KEY: 'docs-kube-test-fingerprint-key',
      ...Object.fromEntries(['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'SYSTEM'].map((e) => [`DATABASE_URL_${e}`, `postgres://app:stand-in@db/${e}`])),
    };
    const applied = runCli(['apply', '--root', root, '--yes'], { env });
    expect(applied.status, applied.stderr).toBe(0);
    const config = loadConfigFiles(root, files);
    expect(config.diagnostics).toEqual([]);
    docs = generateDocs({ config, desired: compileDesiredState(config) });
    samples = mkdtempSync(path.join(tmpdir(), 'shipyard-docs-samples-'));
    for (const [file, text] of docs) {
      if (!file.startsWith('samples/')) continue;
      mkdirSync(path.dirname(path.join(samples, file)), { recursive: true });
      writeFileSync(path.join(samples, file), text);
    }
  });

  it('shows the sample files in the handoff exactly as they are written', () => {
    const yaml = fencedBlocks(docs.get('handoff.md')!).filter((b) => b.language === 'yaml').map((b) => `${b.body}\n`);
    expect(yaml).toEqual([docs.get('samples/hello-app.yaml'), docs.get('samples/hello-allow.yaml')]);
  });

  it('accepts the Deployment and Service from a developer in development (server-side dry-run, under quota and limits)', () => {
    const result = kubectl('developer', ['apply', '--dry-run=server', '-n', ns('development'), '-f', path.join(samples, 'samples/hello-app.yaml')]);
    expect(result.out).toContain('deployment.apps/hello created (server dry run)');
    expect(result.out).toContain('service/hello created (server dry run)');
    expect(result.ok).toBe(true);
  });

  it('admits the sample pod against the LimitRange and ResourceQuota of every environment', () => {
    const manifests = parseAllDocuments(docs.get('samples/hello-app.yaml')!).map((d) => d.toJS() as { kind: string; spec: { template: { metadata: unknown; spec: unknown } } });
    const template = manifests.find((m) => m.kind === 'Deployment')!.spec.template;
    for (const name of ['development', 'staging', 'production', 'system']) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hello-admission', ...(template.metadata as object) }, spec: template.spec };
      const file = path.join(samples, `pod-${name}.json`);
      writeFileSync(file, JSON.stringify(pod));
      const result = kubectl('admin', ['create', '--dry-run=server', '-n', ns(name), '-f', file]);
      expect(result.out, name).toContain('pod/hello-admission created (server dry run)');
    }
    // The control: above the maximum, the message the handoff tells people to look for.
    const spec = structuredClone(template.spec) as { containers: { resources: { limits: Record<string, string> } }[] };
    spec.containers[0]!.resources.limits.cpu = '3';
    const file = path.join(samples, 'pod-too-big.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hello-too-big' }, spec }));
    const refused = kubectl('admin', ['create', '--dry-run=server', '-n', ns('development'), '-f', file]);
    expect(refused.ok).toBe(false);
    expect(refused.out).toContain('maximum cpu usage');
    expect(docs.get('handoff.md')).toContain('"maximum cpu usage"');
  });

  it('lets CI deploy the sample to production as the deploy ServiceAccount, which is all it may do there', () => {
    const sa = `--as=system:serviceaccount:${ns('production')}:deploy`;
    const result = kubectl('admin', ['apply', '--dry-run=server', sa, '-n', ns('production'), '-f', path.join(samples, 'samples/hello-app.yaml')]);
    expect(result.out).toContain('deployment.apps/hello created (server dry run)');
    expect(kubectl('developer', ['apply', '--dry-run=server', '-n', ns('production'), '-f', path.join(samples, 'samples/hello-app.yaml')]).out).toMatch(/forbidden/i);
  });

  it('accepts the NetworkPolicy from a platform admin and refuses it from a developer, as the handoff says', () => {
    const file = path.join(samples, 'samples/hello-allow.yaml');
    const admin = kubectl('admin', ['apply', '--dry-run=server', '-n', ns('development'), '-f', file]);
    expect(admin.out).toContain('networkpolicy.networking.k8s.io/hello-allow-clients created (server dry run)');
    expect(kubectl('developer', ['apply', '--dry-run=server', '-n', ns('development'), '-f', file]).out).toMatch(/forbidden/i);
    expect(docs.get('handoff.md')).toContain('Only `platform-admins` may create NetworkPolicies');
  });

  it('answers the access checks of every guide as the guide expects, for a developer', () => {
    for (const name of ['development', 'staging', 'production', 'system']) {
      const text = docs.get(`access/${name}.md`)!;
      const lines = text.slice(text.indexOf('### Step 4'), text.indexOf('### Step 5')).split('\n').filter((l) => l.startsWith('| '));
      const cells = (line: string) => line.slice(2, -2).split(' | ');
      const column = cells(lines[0]!).indexOf('Expected for `app-developers` (' + (name === 'development' || name === 'staging' ? 'edit' : 'view') + ')');
      expect(column, name).toBeGreaterThan(1);
      const rows = lines.slice(2).map(cells).filter((row) => /^`(yes|no)`$/.test(row[column]!));
      expect(rows.length, name).toBe(2);
      for (const row of rows) {
        const command = row[0]!.slice(1, -1);
        expect(kubectl('developer', shellWords(command).slice(1)).out.trim(), `${name}: ${command}`).toBe(row[column]!.slice(1, -1));
      }
      expect(kubectl('developer', ['get', 'pods', '-n', ns(name)]).ok, name).toBe(true);
    }
    const whoami = kubectl('developer', ['auth', 'whoami']);
    expect(whoami.ok).toBe(true);
    expect(whoami.out).toContain('app-developers');
  });

  it('gives, for each netcheck line of the handoff, the first line the handoff expects', async () => {
    const admin = kubectl('admin', ['apply', '-n', ns('development'), '-f', path.join(samples, 'samples/hello-allow.yaml')]);
    expect(admin.ok, admin.out).toBe(true);
    const handoff = docs.get('handoff.md')!;
    const expected = new Map([...handoff.matchAll(/^\| (\S+) \| `((?:allowed|denied): [^`]+)` \|$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(expected.size).toBe(4);
    const lines = fencedBlocks(handoff).filter((b) => b.language === 'sh').flatMap((b) => b.body.split('\n')).filter((l) => l.startsWith('shipyard netcheck '));
    expect(lines.length).toBe(4);
    for (const line of lines) {
      const argv = shellWords(line).slice(1);
      let stdout = '';
      const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: () => undefined, cwd: root, env: { KUBECONFIG: kubeconfigFile(kube, 'admin') }, isTTY: false });
      const from = argv[argv.indexOf('--from') + 1]!;
      expect(stdout.split('\n')[0], line).toBe(expected.get(from));
      expect(status, line).toBe(expected.get(from)!.startsWith('allowed') ? 0 : 1);
    }
  });

  it('rotates a Secret the way the handoff says: a new value, the old one kept as previous', async () => {
    const handoff = docs.get('handoff.md')!;
    const rotateLine = fencedBlocks(handoff).filter((b) => b.language === 'sh').flatMap((b) => b.body.split('\n')).find((l) => l.startsWith('shipyard secrets rotate'))!;
    expect(rotateLine).toBe('shipyard secrets rotate --env development --name session-signing-key');
    const url = `/api/v1/namespaces/${ns('development')}/secrets/session-signing-key`;
    const read = async () => (await kubeRequest(kube, 'admin', 'GET', url)).json<{ data: { value: string; previous?: string } }>().data;
    const before = (await read()).value;
    const rotated = runCli([...shellWords(rotateLine).slice(1), '--root', root], { env });
    expect(rotated.status, rotated.stdout + rotated.stderr).toBe(0);
    const after = await read();
    expect(after.value).toBeTruthy();
    expect(after.value).not.toBe(before);
    expect(after.previous).toBe(before);
  });
});
