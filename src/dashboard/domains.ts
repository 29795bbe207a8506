/**
 * Domain health and the domain wizard, on the same code as `shipyard domains check`: the Vercel
 * provider's targets and expected records, resolved through `resolverFor` with the servers the
 * dashboard was started with.
 */
import type { VentureDoc } from '../model/config.ts';
import type { Provider } from '../model/provider.ts';
import { VercelClient } from '../providers/vercel/client.ts';
import {
  checkDomains, domainTargets, pendingVerifications, VERCEL_CNAME, VERCEL_IPV4, VERCEL_NAMESERVERS,
  type DnsQuerier, type DomainCheck, type PendingVerification,
} from '../providers/vercel/domain-check.ts';
import { processRedactor } from '../secrets/redact.ts';
import type { DomainEdit, DomainHealth, DomainRecordsResponse } from './api-types.ts';
import { normaliseDomain } from './venture-edit.ts';

export function healthOf(check: DomainCheck): DomainHealth {
  return {
    venture: check.target.venture,
    domain: check.target.domain,
    role: check.target.role,
    dnsMode: check.target.dnsMode,
    status: check.status,
    message: check.message,
    create: check.create.map((r) => ({ ...r })),
    remove: check.remove.map((r) => ({ ...r })),
  };
}

/** The venture as it would be with this domain added (what the pull request proposes). */
export function withDomain(doc: VentureDoc, edit: DomainEdit): VentureDoc {
  const copy = structuredClone(doc);
  const vercel = copy.spec?.vercel;
  if (vercel) vercel.domains = [...(vercel.domains ?? []).filter((d) => d.name !== normaliseDomain(edit.domain)), { name: normaliseDomain(edit.domain), redirect: edit.redirect, dns: { mode: edit.dnsMode } }];
  return copy;
}

/** The records that point the apex and www at Vercel; with Vercel DNS, Vercel serves them once the nameservers are set. */
export function recordsFor(doc: VentureDoc, edit: DomainEdit): Pick<DomainRecordsResponse, 'records' | 'nameservers'> {
  const targets = domainTargets([withDomain(doc, edit)]).filter((t) => t.apex === normaliseDomain(edit.domain));
  const records = targets.map((t) =>
    t.role === 'apex'
      ? { type: 'A', name: t.domain, value: VERCEL_IPV4, purpose: 'points the apex at Vercel' }
      : { type: 'CNAME', name: t.domain, value: VERCEL_CNAME, purpose: 'points www at Vercel' },
  );
  return { records, nameservers: edit.dnsMode === 'vercel' ? [...VERCEL_NAMESERVERS] : [] };
}

export async function checkNewDomain(doc: VentureDoc, edit: DomainEdit, resolver: DnsQuerier): Promise<DomainHealth[]> {
  const targets = domainTargets([withDomain(doc, edit)]).filter((t) => t.apex === normaliseDomain(edit.domain));
  return (await checkDomains(targets, { resolver })).map(healthOf);
}

/** Every configured domain; pending Vercel verification is included when a live Vercel provider is wired. */
export async function configuredDomainHealth(ventures: VentureDoc[], resolver: DnsQuerier, providers: Provider[]): Promise<DomainHealth[]> {
  const targets = domainTargets(ventures);
  let verifications: PendingVerification[] = [];
  const client = (providers.find((p) => p.name === 'vercel') as { client?: unknown } | undefined)?.client;
  if (client instanceof VercelClient && targets.length > 0) {
    // Verification state is extra detail: DNS health is still reported when Vercel cannot be read.
    verifications = await pendingVerifications(client, targets.map((t) => t.project)).catch(() => []);
  }
  const checks = await checkDomains(targets, { resolver, verifications });
  return checks.map((c) => ({ ...healthOf(c), message: processRedactor.scrub(c.message) }));
}
