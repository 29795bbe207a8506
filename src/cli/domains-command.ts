/** `shipyard domains check`: is every configured domain pointed at Vercel, and if not, which records fix it. */
import path from 'node:path';
import { hasErrors, loadConfig } from '../config/load.ts';
import { VercelClient } from '../providers/vercel/client.ts';
import { checkDomains, domainTargets, pendingVerifications, resolverFor, verifyReady, type DomainCheck, type PendingVerification } from '../providers/vercel/domain-check.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { oneOf, parseCommandArgs, UsageError, type Command } from './args.ts';

const usage = `Usage: shipyard domains check [options]

Resolves every domain of ventures/*.yaml (apex and www) and reports, per domain: correct,
missing record, wrong value or pending verification, with the exact records to create.
For \`dns.mode: external\` these are the records the domain's owner must create; for
\`dns.mode: vercel\` Vercel serves them once the nameservers point at Vercel.

Options:
  --root DIR          repository root (default: current directory)
  --venture NAME      only this venture (repeatable)
  --resolver IP:PORT  DNS server to ask (repeatable; default: the system's resolvers)
  --format FMT        text (default) or json
  --verify            ask Vercel to verify pending domains whose TXT record is in place

Pending verification is read from Vercel when VERCEL_TOKEN is set (with VERCEL_TEAM_ID,
and VERCEL_API_URL for another API endpoint); without it only DNS is checked.
Exit status: 0 every domain correct, 1 otherwise, 2 usage error.`;

const labels: Record<DomainCheck['status'], string> = {
  correct: 'correct',
  'missing-record': 'missing record',
  'wrong-value': 'wrong value',
  'pending-verification': 'pending verification',
  'lookup-failed': 'lookup failed',
};

export const domainsCommand: Command = {
  name: 'domains',
  summary: 'check that every configured domain points at Vercel',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { root: { type: 'string' }, venture: { type: 'string', multiple: true }, resolver: { type: 'string', multiple: true }, format: { type: 'string' }, verify: { type: 'boolean' } },
      usage,
    );
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    if (positionals[0] !== 'check' || positionals.length > 1) throw new UsageError(`expected \`shipyard domains check\`\n\n${usage}`);
    const format = oneOf(values.format, ['text', 'json'] as const, 'format', 'text');
    let resolver;
    try {
      resolver = resolverFor(values.resolver ?? []);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }

    const root = path.resolve(io.cwd, values.root ?? '.');
    const config = await loadConfig(root);
    if (hasErrors(config.diagnostics)) {
      io.stderr(renderDiagnostics(config.diagnostics, 'text', 0));
      io.stderr('The configuration is invalid; fix it first (`shipyard validate`).\n');
      return 1;
    }
    const wanted = values.venture ?? [];
    const targets = domainTargets(config.ventures.map((v) => v.doc)).filter((t) => wanted.length === 0 || wanted.includes(t.venture));

    const token = io.env.VERCEL_TOKEN;
    const client = token ? new VercelClient({ token, teamId: io.env.VERCEL_TEAM_ID || undefined, serverURL: io.env.VERCEL_API_URL || undefined }) : undefined;
    let verifications: PendingVerification[] = [];
    if (client) verifications = await pendingVerifications(client, targets.map((t) => t.project));
    let checks = await checkDomains(targets, { resolver, verifications });
    const verified = client && values.verify ? await verifyReady(client, checks, verifications) : [];
    if (verified.some((v) => v.verified)) {
      verifications = verifications.filter((p) => !verified.some((v) => v.verified && v.domain === p.domain));
      checks = await checkDomains(targets, { resolver, verifications });
    }

    if (format === 'json') {
      io.stdout(`${JSON.stringify({ verificationChecked: client !== undefined, verified, domains: checks }, null, 2)}\n`);
    } else {
      io.stdout(renderText(checks, verified, client !== undefined));
    }
    return checks.every((c) => c.status === 'correct') ? 0 : 1;
  },
};

function renderText(checks: DomainCheck[], verified: { domain: string; message: string }[], verificationChecked: boolean): string {
  if (checks.length === 0) return 'No domains are configured.\n';
  const width = Math.max(...checks.map((c) => c.target.domain.length));
  const lines: string[] = [];
  for (const check of checks) {
    const mark = check.status === 'correct' ? '✓' : '✗';
    lines.push(`${mark} ${check.target.domain.padEnd(width)}  ${labels[check.status]}  (${check.target.venture}, dns: ${check.target.dnsMode})`);
    if (check.status === 'correct') continue;
    lines.push(`    ${check.message}`);
    for (const r of check.remove) lines.push(`    remove  ${r.type} ${r.name} ${r.value}`);
    for (const r of check.create) lines.push(`    create  ${r.type} ${r.name} ${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}`);
  }
  for (const v of verified) lines.push(`  verify: ${v.message}`);
  if (!verificationChecked) lines.push('', 'Verification state not checked: set VERCEL_TOKEN (and VERCEL_TEAM_ID) to include it.');
  const bad = checks.filter((c) => c.status !== 'correct').length;
  lines.push('', bad === 0 ? `All ${checks.length} domain(s) point at Vercel.` : `${bad} of ${checks.length} domain(s) need attention.`);
  return `${lines.join('\n')}\n`;
}
