/**
 * Is each configured domain pointed at Vercel? Resolves through node:dns (servers of your
 * choice) and says, per domain, correct / missing record / wrong value / pending verification,
 * with the exact records to create. Shared by `shipyard domains check` and the dashboard.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { VentureDoc } from '../../model/config.ts';
import type { VercelClient } from './client.ts';
import { vercelProjectName } from './desired.ts';

export const VERCEL_IPV4 = '76.76.21.21';
export const VERCEL_CNAME = 'cname.vercel-dns.com.';
export const VERCEL_NAMESERVERS = ['ns1.vercel-dns.com', 'ns2.vercel-dns.com'];

export interface DomainTarget {
  venture: string;
  project: string;
  /** The name to check, e.g. `www.acmenotes.com`. */
  domain: string;
  apex: string;
  role: 'apex' | 'www';
  /** `vercel`: Vercel serves the zone once its nameservers are set; `external`: the owner creates the records. */
  dnsMode: 'vercel' | 'external';
}

export interface DnsRecordFix {
  type: 'A' | 'CNAME' | 'TXT';
  /** Fully qualified, e.g. `_vercel.acmenotes.com`. */
  name: string;
  value: string;
}

export type DomainStatus = 'correct' | 'missing-record' | 'wrong-value' | 'pending-verification' | 'lookup-failed';

export interface DomainCheck {
  target: DomainTarget;
  status: DomainStatus;
  /** What DNS answered. */
  found: { a: string[]; cname: string[]; txt: string[] };
  /** Records to create. */
  create: DnsRecordFix[];
  /** Records to remove (pointing elsewhere). */
  remove: DnsRecordFix[];
  /** One sentence: what is wrong and what to do. */
  message: string;
}

/** Vercel's ownership challenge for a domain it has not verified yet. */
export interface PendingVerification {
  project: string;
  domain: string;
  /** `_vercel.<apex>` */
  name: string;
  value: string;
}

/** The subset of node:dns/promises Resolver the check uses (tests may pass their own). */
export interface DnsQuerier {
  resolve4(name: string): Promise<string[]>;
  resolveCname(name: string): Promise<string[]>;
  resolveTxt(name: string): Promise<string[][]>;
}

/** Every apex and www the ventures configure, in config order. */
export function domainTargets(ventures: VentureDoc[]): DomainTarget[] {
  const out: DomainTarget[] = [];
  for (const doc of ventures) {
    const vercel = doc.spec?.vercel;
    if (!vercel || doc.tombstone) continue;
    for (const domain of vercel.domains ?? []) {
      const base = { venture: doc.metadata.name, project: vercelProjectName(doc), apex: domain.name, dnsMode: domain.dns?.mode ?? 'external' } as const;
      out.push({ ...base, domain: domain.name, role: 'apex' }, { ...base, domain: `www.${domain.name}`, role: 'www' });
    }
  }
  return out;
}

/** A Resolver on the given servers (`IP`, `IP:PORT` or `[IPv6]:PORT`); none = the system's. */
export function resolverFor(servers: string[] = [], options: { timeoutMs?: number } = {}): Resolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 });
  if (servers.length > 0) {
    for (const server of servers) if (!validServer(server)) throw new Error(`invalid DNS server ${JSON.stringify(server)}: expected IP or IP:PORT, e.g. 127.0.0.1:5353`);
    resolver.setServers(servers);
  }
  return resolver;
}

function validServer(server: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return isIP(bracketed[1]!) === 6 && (bracketed[2] === undefined || Number(bracketed[2]) < 65536);
  if (isIP(server)) return true;
  const [host, port] = server.split(':');
  return isIP(host ?? '') === 4 && port !== undefined && /^\d+$/.test(port) && Number(port) < 65536;
}

/** Unverified domains of these projects, with their TXT challenge: one list call per project. */
export async function pendingVerifications(client: VercelClient, projects: string[]): Promise<PendingVerification[]> {
  const out: PendingVerification[] = [];
  for (const project of [...new Set(projects)].sort()) {
    const domains = (await client.listProjectDomains(`vercel/${project}/domain`, project)) ?? [];
    for (const d of [...domains].sort((a, b) => a.name.localeCompare(b.name))) {
      const challenge = d.verified ? undefined : (d.verification.find((v) => v.type === 'TXT') ?? d.verification[0]);
      if (challenge) out.push({ project, domain: d.name, name: challenge.domain, value: challenge.value });
    }
  }
  return out;
}

const isVercelCname = (name: string) => /(^|\.)vercel-dns(-\d+)?\.com$/.test(normalise(name));
const normalise = (name: string) => name.toLowerCase().replace(/\.$/, '');

type Answer = { values: string[] } | { error: string };

async function query<T>(run: () => Promise<T[]>, map: (value: T) => string): Promise<Answer> {
  try {
    return { values: (await run()).map(map) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // No such name / no such record: an empty answer. Anything else means we could not tell.
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { values: [] };
    return { error: code ?? (error as Error).message };
  }
}

export async function checkDomains(targets: DomainTarget[], options: { resolver: DnsQuerier; verifications?: PendingVerification[] }): Promise<DomainCheck[]> {
  return Promise.all(targets.map((target) => checkDomain(target, options.resolver, options.verifications ?? [])));
}

async function checkDomain(target: DomainTarget, resolver: DnsQuerier, verifications: PendingVerification[]): Promise<DomainCheck> {
  const pending = verifications.find((v) => normalise(v.domain) === normalise(target.domain));
  const [a, cname, txt] = await Promise.all([
    query(() => resolver.resolve4(target.domain), (v) => v),
    target.role === 'www' ? query(() => resolver.resolveCname(target.domain), (v) => v) : Promise.resolve<Answer>({ values: [] }),
    pending ? query(() => resolver.resolveTxt(pending.name), (chunks) => chunks.join('')) : Promise.resolve<Answer>({ values: [] }),
  ]);
  const found = { a: 'values' in a ? a.values : [], cname: 'values' in cname ? cname.values : [], txt: 'values' in txt ? txt.values : [] };
  const failed = [a, cname, txt].find((x): x is { error: string } => 'error' in x);
  const wanted: DnsRecordFix = target.role === 'apex' ? { type: 'A', name: target.domain, value: VERCEL_IPV4 } : { type: 'CNAME', name: target.domain, value: VERCEL_CNAME };
  const where = target.dnsMode === 'vercel' ? `Vercel serves ${target.apex} once its nameservers are ${VERCEL_NAMESERVERS.join(' and ')}` : `create it at ${target.apex}'s DNS provider`;
  const base = { target, found, create: [] as DnsRecordFix[], remove: [] as DnsRecordFix[] };
  if (failed) {
    return { ...base, status: 'lookup-failed', message: `${target.domain}: the DNS lookup failed (${failed.error}); check the resolver and try again` };
  }

  // Routing: www may use the CNAME or the A record; the apex needs the A record.
  const pointed = found.cname.some(isVercelCname) || (found.a.includes(VERCEL_IPV4) && found.cname.length === 0);
  const strayA = found.cname.length === 0 ? found.a.filter((ip) => ip !== VERCEL_IPV4) : [];
  const strayCname = found.cname.filter((c) => !isVercelCname(c));
  const remove: DnsRecordFix[] = [
    ...strayA.map((value) => ({ type: 'A' as const, name: target.domain, value })),
    ...strayCname.map((value) => ({ type: 'CNAME' as const, name: target.domain, value })),
  ];
  const create: DnsRecordFix[] = pointed ? [] : [wanted];
  const txtMissing = pending !== undefined && !found.txt.includes(pending.value);
  if (txtMissing) create.push({ type: 'TXT', name: pending.name, value: pending.value });
  const show = (r: DnsRecordFix) => `${r.type} ${r.name} ${r.value}`;

  if (remove.length > 0) {
    return { ...base, create, remove, status: 'wrong-value', message: `${target.domain} points elsewhere (${remove.map(show).join(', ')}): replace with ${show(wanted)}; ${where}` };
  }
  if (!pointed) {
    return { ...base, create, remove, status: 'missing-record', message: `${target.domain} has no record pointing at Vercel: ${where}: ${create.map(show).join(', ')}` };
  }
  if (pending) {
    return {
      ...base, create, remove, status: 'pending-verification',
      message: txtMissing
        ? `${target.domain} is not verified by Vercel yet: create TXT ${pending.name} "${pending.value}"`
        : `${target.domain}: the TXT record is in place; Vercel verifies it on its next check (\`shipyard domains check --verify\` asks now)`,
    };
  }
  return { ...base, create, remove, status: 'correct', message: `${target.domain} points at Vercel` };
}

/** Asks Vercel to verify the pending domains whose TXT record DNS already serves; returns what happened per domain. */
export async function verifyReady(client: VercelClient, checks: DomainCheck[], verifications: PendingVerification[]): Promise<{ domain: string; verified: boolean; message: string }[]> {
  const out: { domain: string; verified: boolean; message: string }[] = [];
  for (const check of checks) {
    const pending = verifications.find((v) => normalise(v.domain) === normalise(check.target.domain));
    if (check.status !== 'pending-verification' || !pending || !check.found.txt.includes(pending.value)) continue;
    try {
      const domain = await client.verifyProjectDomain(`vercel/${pending.project}/domain/${pending.domain}`, pending.project, pending.domain);
      out.push({ domain: pending.domain, verified: domain.verified, message: domain.verified ? `${pending.domain} verified` : `${pending.domain} is still pending` });
    } catch (error) {
      out.push({ domain: pending.domain, verified: false, message: (error as Error).message });
    }
  }
  return out;
}
