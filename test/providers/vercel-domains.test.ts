/**
 * Domains against real DNS: dnsmasq on a loopback port serves the test zone, node:dns asks it.
 * acme-notes's domain is misconfigured until dnsmasq serves the right records, then correct;
 * a domain Vercel has not verified stays pending until the TXT record is served and verified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/applier.ts';
import { computePlan } from '../../src/engine/planner.ts';
import { domainsCommand } from '../../src/cli/domains-command.ts';
import { UsageError, type CommandIO } from '../../src/cli/args.ts';
import { Fingerprinter } from '../../src/secrets/fingerprint.ts';
import { secretsFromMap } from '../../src/secrets/sources.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import { checkDomains, domainTargets, pendingVerifications, resolverFor, verifyReady, type DomainCheck } from '../../src/providers/vercel/domain-check.ts';
import { resolverLookup } from '../../src/sandbox/vercel/dns-lookup.ts';
import type { VercelEmulator } from '../../src/sandbox/vercel/emulator.ts';
import { startDnsmasq, type Dnsmasq } from '../harness/dnsmasq.ts';
import { recordingReporter, repoRoot, startEmulator, supabaseStub, TEAM, TOKEN, ventureDoc, ventureResources, vercelProvider } from './vercel-helpers.ts';

let dns: Dnsmasq;
const emulators: VercelEmulator[] = [];

beforeAll(async () => {
  dns = await startDnsmasq({ zones: ['acmenotes.com'] });
});

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  await dns?.stop();
});

const statuses = (checks: DomainCheck[]) => Object.fromEntries(checks.map((c) => [c.target.domain, c.status]));

async function runCommand(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: repoRoot, env, isTTY: false };
  const code = await domainsCommand.run(args, io);
  return { code, stdout, stderr };
}

describe('dnsmasq harness', () => {
  it('serves A, CNAME and TXT records, reloads A records on SIGHUP and restarts for TXT/CNAME changes', async () => {
    const resolver = resolverFor([dns.server]);
    await dns.setRecords([{ type: 'A', name: 'probe.acmenotes.com', value: '192.0.2.10' }]);
    expect(await resolver.resolve4('probe.acmenotes.com')).toEqual(['192.0.2.10']);
    await dns.setRecords([{ type: 'A', name: 'probe.acmenotes.com', value: '192.0.2.11' }]); // same conf: SIGHUP
    expect(await resolver.resolve4('probe.acmenotes.com')).toEqual(['192.0.2.11']);
    await dns.setRecords([
      { type: 'TXT', name: '_probe.acmenotes.com', value: 'a "quoted", comma value' },
      { type: 'CNAME', name: 'alias.acmenotes.com', value: 'cname.vercel-dns.com.' },
    ]);
    expect(await resolver.resolveTxt('_probe.acmenotes.com')).toEqual([['a "quoted", comma value']]);
    expect(await resolver.resolveCname('alias.acmenotes.com')).toEqual(['cname.vercel-dns.com']);
    await expect(resolver.resolve4('probe.acmenotes.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('domain check', () => {
  it('reports the domain misconfigured until dnsmasq serves the right records, then correct', async () => {
    const targets = domainTargets([await ventureDoc('acme-notes')]);
    expect(targets.map((t) => [t.domain, t.role, t.dnsMode])).toEqual([
      ['acmenotes.com', 'apex', 'vercel'],
      ['www.acmenotes.com', 'www', 'vercel'],
    ]);
    const resolver = resolverFor([dns.server]);

    await dns.setRecords([]);
    const empty = await checkDomains(targets, { resolver });
    expect(statuses(empty)).toEqual({ 'acmenotes.com': 'missing-record', 'www.acmenotes.com': 'missing-record' });
    expect(empty.map((c) => c.create)).toEqual([[{ type: 'A', name: 'acmenotes.com', value: '76.76.21.21' }], [{ type: 'CNAME', name: 'www.acmenotes.com', value: 'cname.vercel-dns.com.' }]]);
    expect(empty[0]!.message).toContain('ns1.vercel-dns.com');

    await dns.setRecords([
      { type: 'A', name: 'acmenotes.com', value: '198.51.100.7' },
      { type: 'CNAME', name: 'www.acmenotes.com', value: 'old-host.example.net' },
    ]);
    const wrong = await checkDomains(targets, { resolver });
    expect(statuses(wrong)).toEqual({ 'acmenotes.com': 'wrong-value', 'www.acmenotes.com': 'wrong-value' });
    expect(wrong[0]!.remove).toEqual([{ type: 'A', name: 'acmenotes.com', value: '198.51.100.7' }]);
    expect(wrong[1]!.remove).toEqual([{ type: 'CNAME', name: 'www.acmenotes.com', value: 'old-host.example.net' }]);

    await dns.setRecords([
      { type: 'A', name: 'acmenotes.com', value: '76.76.21.21' },
      { type: 'CNAME', name: 'www.acmenotes.com', value: 'cname.vercel-dns.com.' },
    ]);
    const right = await checkDomains(targets, { resolver });
    expect(statuses(right)).toEqual({ 'acmenotes.com': 'correct', 'www.acmenotes.com': 'correct' });
    expect(right.every((c) => c.create.length === 0 && c.remove.length === 0)).toBe(true);
  });

  it('`shipyard domains check` prints the fix, then passes', async () => {
    await dns.setRecords([{ type: 'A', name: 'acmenotes.com', value: '76.76.21.21' }]);
    const bad = await runCommand(['check', '--venture', 'acme-notes', '--resolver', dns.server]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('✓ acmenotes.com');
    expect(bad.stdout).toContain('✗ www.acmenotes.com  missing record  (acme-notes, dns: vercel)');
    expect(bad.stdout).toContain('create  CNAME www.acmenotes.com cname.vercel-dns.com.');
    expect(bad.stdout).toContain('1 of 2 domain(s) need attention.');

    await dns.setRecords([
      { type: 'A', name: 'acmenotes.com', value: '76.76.21.21' },
      { type: 'A', name: 'www.acmenotes.com', value: '76.76.21.21' },
    ]);
    const good = await runCommand(['check', '--venture', 'acme-notes', '--resolver', dns.server, '--format', 'json']);
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as { verificationChecked: boolean; domains: DomainCheck[] };
    expect(report.verificationChecked).toBe(false);
    expect(statuses(report.domains)).toEqual({ 'acmenotes.com': 'correct', 'www.acmenotes.com': 'correct' });

    // Usage errors exit 2 through the CLI's dispatcher.
    await expect(runCommand(['check', '--resolver', 'not-an-ip'])).rejects.toThrow(UsageError);
    await expect(runCommand(['check', '--resolver', '127.0.0.1:99999'])).rejects.toThrow('invalid DNS server');
    await expect(runCommand(['verify'])).rejects.toThrow('expected `shipyard domains check`');
  });

  it('reports pending verification with the TXT record, until dnsmasq serves it and Vercel verifies', async () => {
    const lookup = resolverLookup(resolverFor([dns.server]));
    // The domain was used by another Vercel account: Vercel wants a TXT proof; it checks DNS through dnsmasq too.
    const emulator = await startEmulator({ claimedDomains: ['acmenotes.com'], dnsLookup: lookup });
    emulators.push(emulator);
    const reporter = recordingReporter();
    const vercel = vercelProvider(emulator, { reporter });
    const providers = [vercel, supabaseStub()];
    const store = await openSqliteStore(':memory:');
    const secrets = secretsFromMap({ ACME_STRIPE_SECRET_KEY: 'sk_test_domains_0123456789' });
    const fingerprints = new Fingerprinter('vercel-domains-test-fingerprint-key');
    const desired = await ventureResources('acme-notes');
    const result = await computePlan({ desired, providers, store, secrets, fingerprints, reporter });
    expect((await applyPlan({ ...result, store, secrets, fingerprints, reporter, actor: 'test' })).status).toBe('done');

    // Surfaced on apply (progress) and in the observed outputs (for the dashboard).
    expect(reporter.progress('vercel/acme-notes/domain/acmenotes.com' as never)[0]).toMatch(/^acmenotes\.com is not verified yet: create the TXT record _vercel\.acmenotes\.com with the value "vc-domain-verify=acmenotes\.com,/);
    const [apex] = (await vercel.kinds.find((k) => k.kind === 'domain')!.list('acme-notes')).filter((o) => o.address.endsWith('/acmenotes.com'));
    expect(apex!.outputs).toMatchObject({ verified: 'false', verificationType: 'TXT', verificationName: '_vercel.acmenotes.com' });

    const pending = await pendingVerifications(vercel.client, ['acme-notes']);
    expect(pending.map((p) => [p.domain, p.name])).toEqual([
      ['acmenotes.com', '_vercel.acmenotes.com'],
      ['www.acmenotes.com', '_vercel.acmenotes.com'],
    ]);
    const targets = domainTargets([await ventureDoc('acme-notes')]);
    const resolver = resolverFor([dns.server]);
    const pointing = [
      { type: 'A' as const, name: 'acmenotes.com', value: '76.76.21.21' },
      { type: 'CNAME' as const, name: 'www.acmenotes.com', value: 'cname.vercel-dns.com' },
    ];
    await dns.setRecords(pointing);
    const before = await checkDomains(targets, { resolver, verifications: pending });
    expect(statuses(before)).toEqual({ 'acmenotes.com': 'pending-verification', 'www.acmenotes.com': 'pending-verification' });
    expect(before[0]!.create).toEqual([{ type: 'TXT', name: '_vercel.acmenotes.com', value: pending[0]!.value }]);

    // The command sees the same through the API; without the TXT record, --verify cannot help yet.
    const env = { VERCEL_TOKEN: TOKEN, VERCEL_TEAM_ID: TEAM, VERCEL_API_URL: emulator.url };
    const early = await runCommand(['check', '--venture', 'acme-notes', '--resolver', dns.server, '--verify'], env);
    expect(early.code).toBe(1);
    expect(early.stdout).toContain(`create  TXT _vercel.acmenotes.com "${pending[0]!.value}"`);
    expect(early.stdout).not.toContain(TOKEN);

    await dns.setRecords([...pointing, ...pending.map((p) => ({ type: 'TXT' as const, name: p.name, value: p.value }))]);
    const served = await checkDomains(targets, { resolver, verifications: pending });
    expect(statuses(served)).toEqual({ 'acmenotes.com': 'pending-verification', 'www.acmenotes.com': 'pending-verification' });
    expect(served.every((c) => c.create.length === 0 && c.message.includes('TXT record is in place'))).toBe(true);

    const verified = await runCommand(['check', '--venture', 'acme-notes', '--resolver', dns.server, '--verify'], env);
    expect(verified.stdout).toContain('verify: acmenotes.com verified');
    expect(verified.code).toBe(0);
    expect(await pendingVerifications(vercel.client, ['acme-notes'])).toEqual([]);
    expect(await verifyReady(vercel.client, served, [])).toEqual([]);
    // Vercel's own view agrees: the emulator's domain config reads the same dnsmasq.
    const config = await fetch(`${emulator.url}/v6/domains/www.acmenotes.com/config?teamId=${TEAM}`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
    expect(config).toMatchObject({ misconfigured: false, configuredBy: 'CNAME' });
  });
});
