// A real PostgreSQL 15 server for tests (DESIGN §6): initdb into a temporary directory, trust
// auth on loopback only, a free port, the unix socket inside the temp dir, fsync off.
// PostgreSQL refuses to run as root, so as root the cluster is owned and run by `nobody`.
//
// Missing binaries are an error, never a skip: run `bash scripts/services.sh ensure` first.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePorts, isExecutable, killOnExit, tail } from './process.ts';

export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
const UNPRIVILEGED_USER = 'nobody';
const UNPRIVILEGED_GROUP = 'nogroup';

/** Plain, serialisable connection details (what a vitest globalSetup can `provide()`). */
export type PostgresConnection = {
  /** postgres://postgres@127.0.0.1:PORT/postgres (superuser, trust auth, no password) */
  url: string;
  host: string;
  port: number;
  user: string;
  /** Directory holding the unix socket (`host=` for libpq clients). */
  socketDir: string;
  /** The cluster's temp dir (data, socket, log). */
  tmpDir: string;
};

export type PostgresServer = {
  url: string;
  host: string;
  port: number;
  connectionInfo: PostgresConnection;
  /** Creates a database and returns its URL. Names are quoted, so any name works. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
};

export type StartPostgresOptions = {
  /** Overall start timeout (initdb + ready), default 60 s. */
  timeoutMs?: number;
  /** Directory with initdb and postgres; default POSTGRES_BIN_DIR. */
  binDir?: string;
  /** Parent directory of the cluster's temp dir; default os.tmpdir(). */
  tmpRoot?: string;
  /** Extra `-c name=value` server settings (they win over the defaults). */
  settings?: Record<string, string>;
};

/** Database URL on the same server; the path is the database name. */
export function databaseUrl(conn: Pick<PostgresConnection, 'url'>, name: string): string {
  const u = new URL(conn.url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** Works from the plain connection too, so a file handed a provided connection can create databases. */
export async function createDatabase(conn: Pick<PostgresConnection, 'url'>, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: conn.url });
  await client.connect();
  try {
    await client.query(`create database ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
  return databaseUrl(conn, name);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The binaries the harness needs; throws with the fix when any is missing. */
export function postgresBinaries(binDir = POSTGRES_BIN_DIR): { initdb: string; postgres: string } {
  const initdb = join(binDir, 'initdb');
  const postgres = join(binDir, 'postgres');
  const missing = [initdb, postgres, join(binDir, 'pg_ctl')].filter((p) => !isExecutable(p));
  if (missing.length > 0) {
    throw new Error(`postgres harness: ${missing.join(', ')} not found. Install PostgreSQL 15 with: bash scripts/services.sh ensure`);
  }
  return { initdb, postgres };
}

type RunAs = { wrap(bin: string, args: string[]): { bin: string; args: string[] }; chown(path: string): void };

/** Root cannot run postgres: drop to `nobody` with setpriv (execs, so the pid is postgres itself). */
function runAs(): RunAs {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) return { wrap: (bin, args) => ({ bin, args }), chown: () => {} };
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find(existsSync);
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find(existsSync);
  if (!setpriv && !runuser) throw new Error('postgres harness: running as root needs setpriv or runuser to drop to an unprivileged user');
  return {
    wrap: (bin, args) =>
      setpriv
        ? { bin: setpriv, args: [`--reuid=${UNPRIVILEGED_USER}`, `--regid=${UNPRIVILEGED_GROUP}`, '--clear-groups', '--', bin, ...args] }
        : { bin: runuser!, args: ['-u', UNPRIVILEGED_USER, '--', bin, ...args] },
    chown: (path) => execFileSync('chown', ['-R', `${UNPRIVILEGED_USER}:${UNPRIVILEGED_GROUP}`, path]),
  };
}

function runToCompletion(bin: string, args: string[], cwd: string, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'a');
    const child = spawn(bin, args, { cwd, stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } });
    closeSync(fd);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`postgres harness: ${args.includes('--') ? args[args.indexOf('--') + 1] : bin} failed (code ${code}, signal ${signal})\n${tail(log)}`));
    });
  });
}

class RetryablePortError extends Error {}

/** initdb + postgres on a free loopback port; retries with a new port if it was taken in between. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bins = postgresBinaries(opts.binDir);
  const as = runAs();
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);

  const tmpDir = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'shipyard-pg-'));
  const dataDir = join(tmpDir, 'data');
  const socketDir = join(tmpDir, 'socket');
  const log = join(tmpDir, 'postgres.log');
  try {
    mkdirSync(socketDir);
    chmodSync(tmpDir, 0o700);
    as.chown(tmpDir);
    const initdb = as.wrap(bins.initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await runToCompletion(initdb.bin, initdb.args, tmpDir, log);
  } catch (err) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }

  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer(bins.postgres, as, { tmpDir, dataDir, socketDir, log, deadline, settings: opts.settings ?? {} });
    } catch (err) {
      if (err instanceof RetryablePortError && attempt < 3) continue;
      rmSync(tmpDir, { recursive: true, force: true });
      throw err;
    }
  }
}

async function startServer(
  postgresBin: string,
  as: RunAs,
  o: { tmpDir: string; dataDir: string; socketDir: string; log: string; deadline: number; settings: Record<string, string> },
): Promise<PostgresServer> {
  const port = (await freePorts(1))[0]!;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: o.socketDir,
    // Test data only: durability costs time and buys nothing here.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    ...o.settings,
  };
  const args = ['-D', o.dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const cmd = as.wrap(postgresBin, args);
  const fd = openSync(o.log, 'a');
  const child = spawn(cmd.bin, cmd.args, { cwd: o.tmpDir, stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } });
  closeSync(fd);
  killOnExit(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const done = () => {
      exited = true;
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let lastErr = '';
  for (;;) {
    if (exited) {
      const t = tail(o.log);
      if (/could not bind|address already in use/i.test(t)) throw new RetryablePortError(t);
      throw new Error(`postgres harness: postgres exited during start-up\n--- tail of ${o.log} ---\n${t}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      break;
    } catch (err) {
      lastErr = (err as Error).message;
      await client.end().catch(() => {});
    }
    if (Date.now() > o.deadline) {
      child.kill('SIGKILL');
      await exit;
      throw new Error(`postgres harness: timed out waiting for postgres on port ${port} (last error: ${lastErr})\n--- tail of ${o.log} ---\n${tail(o.log)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const conn: PostgresConnection = { url, host: '127.0.0.1', port, user: 'postgres', socketDir: o.socketDir, tmpDir: o.tmpDir };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      // Smart shutdown first: pg's pool.end() resolves before its clients' sockets close, and a
      // fast shutdown would answer those closing clients with FATAL 57P01, an unhandled 'error'
      // in the test process. Clients still connected after the grace period get fast, then kill.
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
        if (exited) break;
        child.kill(signal);
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
        await Promise.race([exit, timer]);
      }
      await exit;
      rmSync(o.tmpDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  return {
    url,
    host: conn.host,
    port,
    connectionInfo: conn,
    createDatabase: (name) => createDatabase(conn, name),
    stop,
  };
}
