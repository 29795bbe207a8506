// A real Kubernetes API server for tests: etcd + kube-apiserver built from source by
// scripts/build-kube.sh, started on loopback with free ports, RBAC on and static-token users.
// No kube-controller-manager, scheduler or kubelet: objects are stored and authorised for real,
// but nothing reconciles them (pods stay Pending, namespaces stay Terminating once deleted,
// aggregated ClusterRoles such as admin/edit/view keep empty rules).
//
// A missing binary is an error, never a skip: run `bash scripts/build-kube.sh` first.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, writeFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, isExecutable, killOnExit, tail } from './process.ts';

export type KubeIdentity = 'admin' | 'developer' | 'outsider';

/** The static-token users every cluster has. Tokens are random per run (see KubeConnection.tokens). */
export const KUBE_IDENTITIES: Readonly<Record<KubeIdentity, { user: string; groups: readonly string[] }>> = {
  admin: { user: 'platform-admin', groups: ['platform-admins', 'system:masters'] },
  developer: { user: 'dev-alice', groups: ['app-developers'] },
  outsider: { user: 'mallory', groups: [] },
};

/** Plain, serialisable connection details (what a vitest globalSetup can `provide()`). */
export type KubeConnection = {
  server: string;
  /** base64 PEM of the CA that signed the apiserver's self-signed serving cert */
  caData: string;
  tokens: Record<KubeIdentity, string>;
  /** the cluster's temp dir; kubeconfig files are written here */
  tmpDir: string;
};

export type KubeCluster = {
  server: string;
  caData?: string;
  tokens: Record<KubeIdentity, string>;
  tmpDir: string;
  connectionInfo: KubeConnection;
  /** Writes (once) a kubeconfig for the identity into the temp dir; context name = identity. */
  kubeconfig(identity: KubeIdentity): string;
  stop(): Promise<void>;
};

export type StartKubeOptions = {
  /** Overall start timeout (etcd + apiserver ready + RBAC bootstrap), default 120 s. */
  timeoutMs?: number;
  /** Directory with kube-apiserver and etcd; default kubeBinDir(). */
  binDir?: string;
  /** Extra kube-apiserver flags, appended last (they win over the defaults). */
  apiserverArgs?: string[];
  /** Parent directory of the cluster's temp dir; default os.tmpdir(). */
  tmpRoot?: string;
};

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-kube.sh', import.meta.url));

/** The versions scripts/build-kube.sh builds (read from its top lines: one source of truth). */
export function kubeVersions(): { k8s: string; etcd: string } {
  let text: string;
  try {
    text = readFileSync(BUILD_SCRIPT, 'utf8');
  } catch (err) {
    throw new Error(`kube harness: cannot read ${BUILD_SCRIPT}: ${(err as Error).message}`);
  }
  const k8s = /^K8S_VERSION=(v[0-9][^\s]*)\s*$/m.exec(text)?.[1];
  const etcd = /^ETCD_VERSION=(v[0-9][^\s]*)\s*$/m.exec(text)?.[1];
  if (!k8s || !etcd) throw new Error(`kube harness: K8S_VERSION=/ETCD_VERSION= lines not found in ${BUILD_SCRIPT}`);
  return { k8s, etcd };
}

/** Where scripts/build-kube.sh puts the binaries. Throws when either is missing. */
export function kubeBinDir(): string {
  const { k8s, etcd } = kubeVersions();
  const cache = process.env.SHIPYARD_CACHE || join(homedir(), '.cache', 'shipyard');
  const dir = join(cache, 'kube', `${k8s}-etcd${etcd}`, 'bin');
  const missing = ['kube-apiserver', 'etcd'].filter((b) => !isExecutable(join(dir, b)));
  if (missing.length > 0) {
    throw new Error(
      `kube harness: ${missing.join(' and ')} not found in ${dir}. ` +
        `Build them (once, ~15 min on 2 cores) with: bash scripts/build-kube.sh`,
    );
  }
  return dir;
}

/** Kubeconfig for one identity, from the plain connection object. Returns the file path. */
export function kubeconfigFile(conn: KubeConnection, identity: KubeIdentity): string {
  const path = join(conn.tmpDir, `kubeconfig-${identity}.yaml`);
  if (existsSync(path)) return path;
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: shipyard-test',
    '  cluster:',
    `    server: ${q(conn.server)}`,
    `    certificate-authority-data: ${q(conn.caData)}`,
    'users:',
    `- name: ${q(identity)}`,
    '  user:',
    `    token: ${q(conn.tokens[identity])}`,
    'contexts:',
    `- name: ${q(identity)}`,
    '  context:',
    '    cluster: shipyard-test',
    `    user: ${q(identity)}`,
    '    namespace: default',
    `current-context: ${q(identity)}`,
    '',
  ].join('\n');
  // Write then rename: concurrent test workers never read a half-written file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

export type KubeResponse = { status: number; body: string; json<T = unknown>(): T };

/** A raw HTTPS request to the apiserver as one identity (TLS verified against conn.caData). */
export function kubeRequest(
  conn: KubeConnection,
  identity: KubeIdentity | null,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<KubeResponse> {
  return httpsRequest(conn.server, path, {
    method,
    token: identity ? conn.tokens[identity] : undefined,
    ca: conn.caData ? Buffer.from(conn.caData, 'base64').toString('utf8') : undefined,
    body,
    timeoutMs,
  });
}

function httpsRequest(
  server: string,
  path: string,
  o: { method: string; token?: string | undefined; ca?: string | undefined; body?: unknown; timeoutMs: number },
): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const payload = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = request(
      new URL(path, server),
      { method: o.method, headers, ca: o.ca, rejectUnauthorized: o.ca !== undefined, timeout: o.timeoutMs, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${o.timeoutMs} ms: ${o.method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

type Proc = { name: string; child: ChildProcess; log: string; exit: Promise<void>; exited: boolean; code: number | null; signal: string | null };

function startProcess(name: string, bin: string, args: string[], log: string): Proc {
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], env: { ...process.env } });
  closeSync(fd);
  killOnExit(child);
  const p: Proc = { name, child, log, exited: false, code: null, signal: null, exit: Promise.resolve() };
  p.exit = new Promise<void>((resolve) => {
    const done = (code: number | null, signal: string | null) => {
      if (p.exited) return;
      p.exited = true;
      p.code = code;
      p.signal = signal;
      resolve();
    };
    child.once('exit', done);
    child.once('error', (err) => {
      writeFileSync(log, `\nspawn error: ${err.message}\n`, { flag: 'a' });
      done(null, null);
    });
  });
  return p;
}

async function stopProcess(p: Proc, graceMs: number): Promise<void> {
  if (p.exited) return;
  p.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([p.exit.then(() => 'exited' as const), timer])) === 'timeout') {
    p.child.kill('SIGKILL');
    await p.exit;
  }
}

class StartError extends Error {
  retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

function failure(what: string, procs: Proc[]): StartError {
  const parts = [`kube harness: ${what}`];
  let retryable = false;
  for (const p of procs) {
    const t = tail(p.log);
    if (/address already in use/i.test(t)) retryable = true;
    const state = p.exited ? `exited (code ${p.code}, signal ${p.signal})` : 'running';
    parts.push(`--- ${p.name} ${state}, tail of ${p.log} ---\n${t}`);
  }
  return new StartError(parts.join('\n'), retryable);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; throws a StartError on timeout or when a process dies. */
async function waitFor(what: string, deadline: number, procs: Proc[], check: () => Promise<boolean>): Promise<void> {
  let lastErr = '';
  for (;;) {
    const dead = procs.find((p) => p.exited);
    if (dead) throw failure(`${dead.name} exited while waiting for ${what}`, procs);
    try {
      if (await check()) return;
    } catch (err) {
      lastErr = (err as Error).message;
    }
    if (Date.now() > deadline) throw failure(`timed out waiting for ${what}${lastErr ? ` (last error: ${lastErr})` : ''}`, procs);
    await sleep(250);
  }
}

/** Starts etcd + kube-apiserver. Retries with new ports if one was taken in between. */
export async function startKube(opts: StartKubeOptions = {}): Promise<KubeCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (err instanceof StartError && err.retryable && attempt < 3) continue;
      throw err;
    }
  }
}

async function startOnce(opts: StartKubeOptions): Promise<KubeCluster> {
  const binDir = opts.binDir ?? kubeBinDir();
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);

  const tmpDir = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'shipyard-kube-'));
  const procs: Proc[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // apiserver first (it needs etcd to shut down cleanly), then etcd.
    for (const p of [...procs].reverse()) await stopProcess(p, 10_000);
    rmSync(tmpDir, { recursive: true, force: true });
  };

  try {
    const [etcdClient, etcdPeer, securePort] = (await freePorts(3)) as [number, number, number];

    // --- static tokens: token,user,uid,"group1,group2"
    const tokens: Record<KubeIdentity, string> = {
      admin: randomBytes(24).toString('hex'),
      developer: randomBytes(24).toString('hex'),
      outsider: randomBytes(24).toString('hex'),
    };
    const tokenFile = join(tmpDir, 'tokens.csv');
    writeFileSync(
      tokenFile,
      (Object.keys(KUBE_IDENTITIES) as KubeIdentity[])
        .map((id) => {
          const { user, groups } = KUBE_IDENTITIES[id];
          const line = `${tokens[id]},${user},${user}`;
          return groups.length > 0 ? `${line},"${groups.join(',')}"` : line;
        })
        .join('\n') + '\n',
      { mode: 0o600 },
    );

    // --- service-account signing keys
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = join(tmpDir, 'sa.key');
    const saPub = join(tmpDir, 'sa.pub');
    writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));

    // --- etcd
    const etcdData = join(tmpDir, 'etcd');
    const etcd = startProcess(
      'etcd',
      join(binDir, 'etcd'),
      [
        '--name=shipyard-test',
        `--data-dir=${etcdData}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=shipyard-test=http://127.0.0.1:${etcdPeer}`,
        '--log-level=error',
        '--unsafe-no-fsync', // test data only: skip fsync for speed
      ],
      join(tmpDir, 'etcd.log'),
    );
    procs.push(etcd);
    await waitFor('etcd /health', deadline, procs, async () => {
      const res = await fetch(`http://127.0.0.1:${etcdClient}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    });

    // --- kube-apiserver
    const certDir = join(tmpDir, 'certs');
    mkdirSync(certDir, { mode: 0o700 });
    const apiserver = startProcess(
      'kube-apiserver',
      join(binDir, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${certDir}`, // self-signed serving cert (+ its CA) for 127.0.0.1
        '--authorization-mode=Node,RBAC',
        `--token-auth-file=${tokenFile}`,
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--service-cluster-ip-range=10.0.0.0/24',
        // No controller manager creates the `default` ServiceAccount, which this plugin requires for pods.
        '--disable-admission-plugins=ServiceAccount',
        '--enable-priority-and-fairness=false', // less work on a small machine; no API for flowcontrol needed
        '--profiling=false',
        '--v=0',
        ...(opts.apiserverArgs ?? []),
      ],
      join(tmpDir, 'kube-apiserver.log'),
    );
    procs.push(apiserver);

    const server = `https://127.0.0.1:${securePort}`;
    await waitFor('kube-apiserver /readyz', deadline, procs, async () => {
      const res = await httpsRequest(server, '/readyz', { method: 'GET', token: tokens.admin, timeoutMs: 5000 });
      return res.status === 200;
    });

    // The serving cert file holds the leaf followed by the CA that signed it.
    const caData = readCa(join(certDir, 'apiserver.crt'));
    const conn: KubeConnection = { server, caData, tokens, tmpDir };

    // From here on TLS is verified against that CA.
    const bootstrap = ['cluster-admin', 'admin', 'edit', 'view'];
    await waitFor('RBAC bootstrap ClusterRoles', deadline, procs, async () => {
      for (const name of bootstrap) {
        const res = await kubeRequest(conn, 'admin', 'GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`);
        if (res.status !== 200) return false;
      }
      const ns = await kubeRequest(conn, 'admin', 'GET', '/api/v1/namespaces/default');
      return ns.status === 200;
    });

    return {
      server,
      caData,
      tokens,
      tmpDir,
      connectionInfo: conn,
      kubeconfig: (identity) => kubeconfigFile(conn, identity),
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

function readCa(certFile: string): string {
  const pem = readFileSync(certFile, 'utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  // Prefer the CA certificate of the chain; fall back to the leaf (self-signed case).
  const ca = blocks.find((b) => new X509Certificate(b).ca) ?? blocks[0];
  if (!ca) throw new Error(`kube harness: no certificate in ${certFile}`);
  return Buffer.from(ca + '\n').toString('base64');
}
