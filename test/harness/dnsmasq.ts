/**
 * Debian's dnsmasq on a loopback port, serving test zones (DESIGN §6). A and CNAME-target
 * addresses live in an --addn-hosts file, which SIGHUP re-reads; TXT and CNAME records live in
 * the --conf-file, which dnsmasq reads only at start (checked on 2.90: SIGHUP keeps the old
 * --txt-record), so changing those restarts it on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DNSMASQ = '/usr/sbin/dnsmasq';

export interface TestDnsRecord {
  type: 'A' | 'CNAME' | 'TXT';
  /** Fully qualified, without the trailing dot. */
  name: string;
  value: string;
}

export interface Dnsmasq {
  /** `127.0.0.1:PORT`, for node:dns `Resolver.setServers` or `--resolver`. */
  server: string;
  /** Replaces every record; resolves once dnsmasq answers with them. */
  setRecords(records: TestDnsRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/** A CNAME target dnsmasq does not know is ignored, so unknown targets get this documentation address. */
const PLACEHOLDER_IP = '192.0.2.1';

export async function startDnsmasq(options: { zones?: string[] } = {}): Promise<Dnsmasq> {
  if (!existsSync(DNSMASQ)) {
    throw new Error(`${DNSMASQ} is missing: the DNS tests need Debian's dnsmasq. Run \`bash scripts/services.sh ensure\` (installs dnsmasq-base), then run the tests again.`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'shipyard-dnsmasq-'));
  const hostsFile = path.join(dir, 'hosts');
  const confFile = path.join(dir, 'dnsmasq.conf');
  const baseZones = options.zones ?? [];
  let port = await freePort();
  let records: TestDnsRecord[] = [];
  let conf = '';
  let child: ChildProcess | undefined;
  let log = '';
  let reads = 0;
  const waiters: { count: number; resolve: () => void }[] = [];

  const hostsText = () => {
    const lines = records.filter((r) => r.type === 'A').map((r) => `${r.value} ${r.name}`);
    const known = new Set(records.filter((r) => r.type === 'A').map((r) => r.name));
    for (const r of records) if (r.type === 'CNAME' && !known.has(strip(r.value))) lines.push(`${PLACEHOLDER_IP} ${strip(r.value)}`);
    return `${lines.join('\n')}\n`;
  };
  const confText = () => {
    const zones = new Set([...baseZones, ...records.map((r) => apexOf(r.name))]);
    return [
      `addn-hosts=${hostsFile}`,
      // Names in these zones are answered here only: unknown ones are NXDOMAIN, not a forward.
      ...[...zones].sort().map((zone) => `local=/${zone}/`),
      ...records.filter((r) => r.type === 'CNAME').map((r) => `cname=${r.name},${strip(r.value)}`),
      ...records.filter((r) => r.type === 'TXT').map((r) => `txt-record=${r.name},"${r.value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`),
      '',
    ].join('\n');
  };

  /** Each (re)read of the hosts file is logged; dnsmasq has bound its sockets by then. */
  const untilRead = (count: number) =>
    new Promise<void>((resolve, reject) => {
      if (reads >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`dnsmasq did not (re)load its records within 5 s:\n${log}`)), 5000);
      waiters.push({ count, resolve: () => {
        clearTimeout(timer);
        resolve();
      } });
    });

  const start = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      log = '';
      reads = 0;
      const args = ['--no-daemon', '--no-resolv', '--no-hosts', `--conf-file=${confFile}`, '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, '--pid-file=', '--log-facility=-'];
      // As root dnsmasq would drop to `nobody`, who cannot read the temp files.
      if (process.getuid?.() === 0) args.push('--user=root', '--group=root');
      const proc = spawn(DNSMASQ, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        reads = log.split(`read ${hostsFile}`).length - 1;
        for (const w of [...waiters]) {
          if (reads < w.count) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      const outcome = await Promise.race([untilRead(1).then(() => 'ready' as const), exited.then(() => 'exited' as const)]).catch((e: Error) => e);
      if (outcome === 'ready') return;
      proc.kill('SIGKILL');
      if (attempt < 3 && /address already in use/i.test(log)) {
        port = await freePort();
        continue;
      }
      throw outcome instanceof Error ? outcome : new Error(`dnsmasq exited at start:\n${log}`);
    }
  };

  const stopChild = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  };

  writeFileSync(hostsFile, hostsText());
  conf = confText();
  writeFileSync(confFile, conf);
  await start();

  return {
    get server() {
      return `127.0.0.1:${port}`;
    },
    async setRecords(next) {
      records = next.map((r) => ({ ...r, name: strip(r.name) }));
      writeFileSync(hostsFile, hostsText());
      const nextConf = confText();
      if (nextConf !== conf) {
        conf = nextConf;
        writeFileSync(confFile, conf);
        await stopChild();
        await start();
        return;
      }
      const expected = reads + 1;
      child!.kill('SIGHUP');
      await untilRead(expected);
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function strip(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Test zones use one-label suffixes (`.test`, `.com`): the last two labels. */
function apexOf(name: string): string {
  return strip(name).split('.').slice(-2).join('.');
}

/** A port free for both TCP and UDP on loopback (dnsmasq binds both). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}
