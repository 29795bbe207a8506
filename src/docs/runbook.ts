/**
 * The runbook of a venture: the incidents people actually meet (domain misconfigured, Supabase
 * unhealthy, apply failed mid-way, stuck lock, drift found), each with the command that
 * diagnoses it and the one that fixes it.
 */
import { VERCEL_NAMESERVERS } from '../providers/vercel/domain-check.ts';
import type { DocsFacts, VentureFacts } from './facts.ts';
import { code, commands, docLink, list, page, repoLink } from './markdown.ts';
import { venturePath } from './venture-overview.ts';

/** The environment an incident usually concerns: the one production deploys to, else the last one listed. */
export function primaryEnvironment(venture: VentureFacts): string {
  return venture.environments.find((e) => e.target === 'production')?.environment ?? venture.spec.environments.at(-1)!;
}

export function renderRunbook(facts: DocsFacts, venture: VentureFacts): string {
  const file = venturePath(venture.name, 'runbook');
  const env = primaryEnvironment(venture);
  const v = venture.name;
  return page([
    `# ${v}: runbook`,
    `Each incident: what you see, the command that diagnoses it, and the one that fixes it. The examples use ${code(env)}; swap ${code('--env')} for another environment. Commands run from a clone of this repository with the runner's secrets and state store (or in the apply workflow). Back to the ${docLink(file, venturePath(v, 'overview'), 'overview')}.`,
    ...domainIncident(venture),
    ...supabaseIncident(venture, env, file),
    ...applyIncident(venture, env),
    ...lockIncident(facts, env),
    ...driftIncident(facts, venture, file),
  ]);
}

function domainIncident(venture: VentureFacts): string[] {
  const domains = venture.spec.vercel?.domains ?? [];
  if (domains.length === 0) return ['## Domain misconfigured', `${venture.name} has no custom domain, so there is nothing to misconfigure: it is served on its ${code('vercel.app')} address.`];
  const byVercel = domains.filter((d) => d.dns?.mode === 'vercel').map((d) => code(d.name));
  const external = domains.filter((d) => d.dns?.mode !== 'vercel').map((d) => code(d.name));
  return [
    '## Domain misconfigured',
    `You see: the site does not load on ${list(domains.map((d) => code(d.name)), 'or')}, a certificate error, or "Invalid Configuration" on the Vercel domain page.`,
    page([
      '**Diagnose.** Resolve every domain and compare with what Vercel needs:',
      commands([`shipyard domains check --venture ${venture.name}`]),
      `Each domain is ${code('correct')}, ${code('missing record')}, ${code('wrong value')} or ${code('pending verification')}, with the exact records to create or remove. With ${code('VERCEL_TOKEN')} set it also reads Vercel's verification state.`,
    ]).trimEnd(),
    page([
      '**Fix.**',
      [
        ...(byVercel.length ? [`- ${list(byVercel)}: Vercel serves the zone. Set the nameservers at the registrar to ${list(VERCEL_NAMESERVERS.map(code))}; Shipyard keeps the records in the zone (apply restores any that were removed).`] : []),
        ...(external.length ? [`- ${list(external)}: create the records the check prints at the DNS provider.`] : []),
        '- Then ask Vercel to verify what is in place and check again:',
      ].join('\n'),
      commands([`shipyard domains check --venture ${venture.name} --verify`]),
    ]).trimEnd(),
  ];
}

function supabaseIncident(venture: VentureFacts, env: string, file: string): string[] {
  const place = venture.environments.find((e) => e.environment === env && e.supabaseProject) ?? venture.environments.find((e) => e.supabaseProject);
  if (!venture.spec.supabase || !place) return ['## Supabase unhealthy', `${venture.name} has no Supabase project.`];
  const project = place.supabaseProject!;
  return [
    '## Supabase unhealthy',
    `You see: API or sign-in errors from ${code(project)}, or a paused project.`,
    page([
      '**Diagnose.** Plan the venture in that environment:',
      commands([`shipyard plan --venture ${venture.name} --env ${place.environment}`]),
      `A project Shipyard cannot read shows as ${code(`! read supabase project in ${project} failed: ...`)} and a ${code('read.failed')} warning; no resource is deleted in a run where a read failed. When it reads, a drift report shows auth settings or RLS policies changed by hand:`,
      commands([`shipyard drift --venture ${venture.name} --env ${place.environment}`]),
    ]).trimEnd(),
    page([
      `**Fix.** If Supabase itself is degraded, wait for it (its status page says); if the project is paused, restore it from the dashboard of organisation ${code(venture.spec.supabase.organization)}. Then put the declared configuration back:`,
      commands([`shipyard apply --venture ${venture.name} --env ${place.environment} --yes`]),
      `Lost or damaged data is a restore: see ${docLink(file, venturePath(venture.name, 'recovery'), 'backup and recovery')}.`,
    ]).trimEnd(),
  ];
}

function applyIncident(venture: VentureFacts, env: string): string[] {
  return [
    '## Apply failed mid-way',
    'You see: the apply job failed, or an apply ended with failed steps.',
    page([
      '**Diagnose.** Read the journal of the newest run: every step with its outcome, the error of each failed step, and the steps skipped because they depend on it:',
      commands([`shipyard state show --env ${env}`]),
    ]).trimEnd(),
    page([
      `**Fix.** Remove the cause the failed step names (a missing runner secret, a rejected value, a provider outage), then apply again. Re-running converges: steps that succeeded are no-ops, so nothing is done twice.`,
      commands([`shipyard apply --venture ${venture.name} --env ${env} --yes`]),
      `In CI, re-run the failed apply job. If it stops with "the plan changed since it was reviewed", someone or something changed live state since the review: read the new plan it prints before applying it.`,
    ]).trimEnd(),
  ];
}

function lockIncident(facts: DocsFacts, env: string): string[] {
  const locks = facts.input.state?.locks ?? [];
  const now = facts.input.state
    ? locks.length
      ? `When these docs were generated: ${locks.map((l) => `${code(l.environment)} locked by ${code(l.owner)} until ${l.expiresAt}`).join('; ')}.`
      : 'When these docs were generated, no environment was locked.'
    : undefined;
  return [
    '## Stuck lock',
    `You see: ${code(`environment ${env} is locked by ... until ...`)} from apply. Each apply locks its environments so that two runs never write at once; a run that was killed leaves its lock until it expires.`,
    page([
      '**Diagnose.** The lock lines say who holds each lock and until when; make sure that run is no longer running (the Actions run of the owner):',
      commands([`shipyard state list --env ${env}`]),
      now,
    ]).trimEnd(),
    page([
      '**Fix.** Release it, then re-run the apply:',
      commands([`shipyard state unlock ${env}`, `shipyard apply --env ${env} --yes`]),
    ]).trimEnd(),
  ];
}

function driftIncident(facts: DocsFacts, venture: VentureFacts, file: string): string[] {
  return [
    '## Drift found',
    'You see: a drift report, or a plan with changes nobody made in git (someone edited a setting in a dashboard or with kubectl).',
    page([
      '**Diagnose.** List every difference between live state and git (exit status 2 when there is any):',
      commands([`shipyard drift --venture ${venture.name} --format markdown`]),
      `Secret values are compared by fingerprint; a value that cannot be read back (a sensitive Vercel variable) is counted as unverifiable, not as drift. Objects Shipyard does not own are listed as unmanaged and never touched.`,
    ]).trimEnd(),
    page([
      '**Fix.** To put git\'s version back:',
      commands([`shipyard apply --venture ${venture.name} --yes`]),
      `To keep the live change instead, make the same change in ${repoLink(facts.links, file, venture.file)} through a pull request; its plan then shows nothing for that setting.`,
    ]).trimEnd(),
  ];
}
