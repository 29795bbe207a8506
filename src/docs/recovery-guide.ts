/**
 * Backup and disaster recovery of a venture: where each kind of data lives, Supabase backups and
 * point-in-time recovery, re-provisioning from git (including after losing the state store),
 * and re-bootstrapping secrets by where their values come from.
 */
import type { EnvValue } from '../model/config.ts';
import type { DocsFacts, VentureFacts } from './facts.ts';
import { code, commands, docLink, page, repoLink, table } from './markdown.ts';
import { primaryEnvironment } from './runbook.ts';
import { venturePath } from './venture-overview.ts';

export const RECOVERY_SECRETS_HEADING = 'Re-bootstrapping secrets';

export function renderRecoveryGuide(facts: DocsFacts, venture: VentureFacts): string {
  const file = venturePath(venture.name, 'recovery');
  return page([
    `# ${venture.name}: backup and disaster recovery`,
    `Back to the ${docLink(file, venturePath(venture.name, 'overview'), 'overview')}; day-to-day incidents are in the ${docLink(file, venturePath(venture.name, 'runbook'), 'runbook')}.`,
    '## What is kept where',
    table(['What', 'Where it lives', 'How it comes back'], [
      ['Configuration: Vercel project, domains, variable declarations, Supabase auth settings and RLS policies', repoLink(facts.links, file, venture.file), 're-provisioning from git (below)'],
      ...(venture.spec.supabase ? [['Database contents', `the Supabase projects (${venture.environments.filter((e) => e.supabaseProject).map((e) => code(e.supabaseProject!)).join(', ')})`, 'Supabase backups and point-in-time recovery (below)']] : []),
      ['Secret values', 'runner secrets, the live systems (generated values) and Supabase (keys)', 're-bootstrapping secrets (below)'],
      ['What Shipyard owns and did: inventory, journal, locks', `the state store (${code('SHIPYARD_STATE')})`, 'a durable store in CI; after a loss, adoption (below)'],
    ]),
    ...supabaseBackups(venture),
    ...reprovisioning(venture),
    ...secrets(venture),
  ]);
}

function supabaseBackups(venture: VentureFacts): string[] {
  const supabase = venture.spec.supabase;
  if (!supabase) return ['## Supabase backups and point-in-time recovery', `${venture.name} has no Supabase project: there is no database to back up.`];
  const env = primaryEnvironment(venture);
  const projects = venture.environments.filter((e) => e.supabaseProject);
  return [
    '## Supabase backups and point-in-time recovery',
    table(['Environment', 'Project', 'Organisation', 'Region'], projects.map((p) => [p.environment, code(p.supabaseProject!), code(supabase.organization), code(p.supabaseRegion!)])),
    `Supabase backs up each project's database daily on paid plans; point-in-time recovery (an add-on) restores to any moment in its retention window. Shipyard does not configure either: check the plan of organisation ${code(supabase.organization)} covers the projects that hold data you cannot lose.`,
    page([
      'To restore a project in place:',
      [
        '1. In the project\'s dashboard, open Database, then Backups; choose a daily backup or, with point-in-time recovery, a moment. The project is unavailable while it restores.',
        '2. A restore brings back the database as it was, including its RLS policies. The project keeps its URL and keys, so the Vercel variables stay valid.',
        '3. Compare with git: policies or auth settings changed since that moment show as drift.',
      ].join('\n'),
      commands([`shipyard drift --venture ${venture.name} --env ${env}`]),
      '4. Put the declared configuration back:',
      commands([`shipyard apply --venture ${venture.name} --env ${env} --yes`]),
    ]).trimEnd(),
  ];
}

function reprovisioning(venture: VentureFacts): string[] {
  const env = primaryEnvironment(venture);
  const anchorResource = venture.resources.find((r) => r.provider === 'supabase' && r.kind === 'project' && r.environment === env) ?? venture.resources.find((r) => r.kind === 'project');
  return [
    '## Re-provisioning from git',
    page([
      `Everything Shipyard manages for ${venture.name} is declared in git, so a deleted resource (a variable, a domain, a DNS record, a whole project) comes back with a plan and an apply. The plan shows each missing one as ${code('+ create')}:`,
      commands([`shipyard plan --venture ${venture.name}`, `shipyard apply --venture ${venture.name} --yes`]),
      venture.spec.supabase
        ? 'A Supabase project created again is a new, empty project with a new URL and new keys: apply writes them into the Vercel variables that use them, and the data comes from a backup (above). Deleting a Supabase project always needs a tombstone in git, so this happens only by accident outside Shipyard.'
        : undefined,
    ]).trimEnd(),
    ...(anchorResource
      ? [
        page([
          `If the state store was lost, Shipyard no longer knows it owns what exists: the plan reports ${code('ownership.conflict')} for each such resource, and never deletes or overwrites it. Take each one over explicitly (repeat ${code('--adopt')} for every address the plan lists), review, then apply with the same flags:`,
          commands([
            `shipyard plan --venture ${venture.name} --adopt ${anchorResource.address}`,
            `shipyard apply --venture ${venture.name} --adopt ${anchorResource.address} --yes`,
          ]),
        ]).trimEnd(),
      ]
      : []),
  ];
}

function secrets(venture: VentureFacts): string[] {
  const variables = venture.spec.vercel?.env ?? [];
  const bySource = (test: (v: EnvValue) => boolean) => variables.filter((v) => test(v.value));
  const runner = [
    ...variables.flatMap((v) => ('secretRef' in v.value ? [`${code(v.value.secretRef)} (${v.key})`] : [])),
    ...venture.environments.filter((e) => e.supabaseProject).flatMap(({ environment: env }) =>
      Object.entries(venture.spec.supabase!.projects[env]!.oauthSecrets ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([provider, ref]) => `${code(ref!.secretRef)} (${provider} sign-in, ${env})`)),
  ];
  const generated = bySource((v) => 'generate' in v).map((v) => code(v.key));
  const outputs = bySource((v) => 'output' in v).map((v) => code(v.key));
  const rows: string[][] = [];
  if (runner.length) rows.push(['Runner secrets', runner.join(', '), 'Set each again in the repository\'s Actions secrets (environment secrets for protected environments), then apply. The plan shows `[secret] (changed)` wherever a value differs from what was written.']);
  if (outputs.length) rows.push(['Supabase keys and URLs', outputs.join(', '), 'Read from the project at every apply. The secret key (`supabase.secretKey`) rotates with `secrets rotate --name supabase.secretKey`: a new key is created and written to the variables that use it (production redeploys) while the old key keeps working for the grace period; `secrets revoke` deletes the old key at once. The legacy anon and service_role keys can only change with the project\'s JWT secret (Supabase dashboard), which ends every session; apply then writes the new values.']);
  if (generated.length) {
    rows.push(['Generated by Shipyard', generated.join(', '), 'Made once when the variable is created and kept across applies; Shipyard stores only a fingerprint, never the value, so a lost value cannot be brought back. When the live variable is gone (deleted, or its project created again), the next plan shows it as `+ create` and apply generates a new value. To rotate one on purpose, `secrets rotate --name KEY` writes a new value and keeps the old one as `KEY_PREVIOUS` for the grace period (the app accepts either while it is set); if it leaked, `secrets revoke --name KEY` replaces it at once, which ends whatever the old one protected, such as sessions.']);
  }
  return [
    `## ${RECOVERY_SECRETS_HEADING}`,
    rows.length ? table(['Kind', 'Secrets', 'How to re-bootstrap'], rows) : `${venture.name} has no secrets.`,
    `The fingerprint key (${code('SHIPYARD_FINGERPRINT_KEY')}) only compares values. To replace it (it leaked, or on schedule), set the new key and keep the old one as ${code('SHIPYARD_FINGERPRINT_KEY_PREVIOUS')}: plans show no false changes, and one apply per environment stores the fingerprints under the new key; then remove the old key. Replaced without the previous key, values that cannot be read back show as ${code('[secret] (changed)')} once, and applying writes the same values again.`,
    `Never paste a secret into an issue, a pull request or these docs: the names above are all anyone needs.`,
  ];
}
