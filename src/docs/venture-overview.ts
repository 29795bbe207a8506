/**
 * A venture at a glance: where it runs, its Vercel project and domains, its Supabase project per
 * environment, and every resource Shipyard manages for it (with its state when the store was read).
 */
import type { InventoryEntry } from '../model/state.ts';
import { VERCEL_CNAME, VERCEL_IPV4, VERCEL_NAMESERVERS } from '../providers/vercel/domain-check.ts';
import type { DocsFacts, VentureFacts } from './facts.ts';
import { code, commands, docLink, list, page, repoLink, table } from './markdown.ts';

export function venturePath(venture: string, page: 'overview' | 'env-vars' | 'runbook' | 'recovery'): string {
  return `ventures/${venture}/${page}.md`;
}

export function renderVentureOverview(facts: DocsFacts, venture: VentureFacts): string {
  const file = venturePath(venture.name, 'overview');
  const { spec, doc } = venture;
  const owners = doc.metadata.owners?.length ? list(doc.metadata.owners.map(code)) : 'not set';
  return page([
    `# ${venture.name}`,
    doc.metadata.description,
    `Owners: ${owners}. Declared in ${repoLink(facts.links, file, venture.file)}. See also: ${docLink(file, venturePath(venture.name, 'env-vars'), 'environment variables')}, ${docLink(file, venturePath(venture.name, 'runbook'), 'runbook')}, ${docLink(file, venturePath(venture.name, 'recovery'), 'backup and recovery')}; back to the ${docLink(file, 'index.md', 'index')}.`,
    '## Where it runs',
    table(
      ['Environment', 'Namespace', 'Vercel target', 'Supabase project', 'Region'],
      venture.environments.map((e) => [
        docLink(file, `access/${e.environment}.md`, e.environment),
        e.namespace ? code(e.namespace) : '-',
        e.target ? code(e.target) : spec.vercel ? 'none (the environment has no Vercel target)' : '-',
        e.supabaseProject ? code(e.supabaseProject) : '-',
        e.supabaseRegion ? code(e.supabaseRegion) : '-',
      ]),
    ),
    ...vercelSection(venture, file),
    ...domainSection(venture),
    ...supabaseSection(venture),
    ...resourceSection(facts, venture),
  ]);
}

function vercelSection(venture: VentureFacts, file: string): string[] {
  const vercel = venture.spec.vercel;
  if (!vercel) return ['## Vercel', 'No Vercel project.'];
  const p = vercel.project;
  const rows: string[][] = [
    ['Project', code(venture.vercelProject!)],
    ['Team', vercel.team ? code(vercel.team) : 'the account of Shipyard\'s Vercel token'],
    ['Framework', code(p.framework)],
    ['Node.js', p.nodeVersion ? code(p.nodeVersion) : 'Vercel\'s default'],
    ['Root directory', p.rootDirectory ? code(p.rootDirectory) : 'the repository root'],
    ['Install command', p.installCommand ? code(p.installCommand) : 'Vercel\'s default'],
    ['Build command', p.buildCommand ? code(p.buildCommand) : 'Vercel\'s default'],
    ['Output directory', p.outputDirectory ? code(p.outputDirectory) : 'Vercel\'s default'],
    ['Git', `${p.git.provider ?? 'github'} ${code(p.git.repository)}, production branch ${code(p.git.productionBranch ?? 'main')}`],
    ['Preview deployments', p.previewDeployments === false ? 'off' : 'on'],
  ];
  const variables = vercel.env?.length ?? 0;
  return [
    '## Vercel',
    table(['Setting', 'Value'], rows),
    `Pushes to ${code(p.git.productionBranch ?? 'main')} deploy production${p.previewDeployments === false ? '' : '; other branches get preview deployments'}. ${variables} environment variable(s) are managed: see ${docLink(file, venturePath(venture.name, 'env-vars'), 'the reference')}.`,
  ];
}

function domainSection(venture: VentureFacts): string[] {
  const domains = venture.spec.vercel?.domains ?? [];
  if (domains.length === 0) return ['## Domains', `No custom domain: the site is served on Vercel's own ${code('vercel.app')} address.`];
  const rows: string[][] = [];
  const records: string[][] = [];
  for (const d of domains) {
    const redirect = d.redirect ?? 'www-to-apex';
    const dns = d.dns?.mode === 'vercel' ? `Vercel (nameservers ${VERCEL_NAMESERVERS.map(code).join(', ')})` : `external: ${code(`A ${d.name} ${VERCEL_IPV4}`)} and ${code(`CNAME www.${d.name} ${VERCEL_CNAME}`)}`;
    rows.push([code(d.name), redirect === 'apex-to-www' ? `redirects (308) to ${code(`www.${d.name}`)}` : 'serves the site', dns]);
    rows.push([code(`www.${d.name}`), redirect === 'www-to-apex' ? `redirects (308) to ${code(d.name)}` : 'serves the site', dns]);
    if (d.dns?.mode === 'vercel') {
      for (const r of d.dns.records ?? []) records.push([code(d.name), r.type, r.name ? code(r.name) : '@', code(r.value), String(r.ttl ?? 60), r.priority !== undefined ? String(r.priority) : '']);
    }
  }
  return [
    '## Domains',
    table(['Domain', 'Behaviour', 'DNS'], rows),
    ...(records.length ? ['DNS records Shipyard manages in the Vercel zone:', table(['Zone', 'Type', 'Name', 'Value', 'TTL', 'Priority'], records)] : []),
    'Check that every domain points at Vercel, with the exact records to create when one does not:',
    commands([`shipyard domains check --venture ${venture.name}`]),
  ];
}

function supabaseSection(venture: VentureFacts): string[] {
  const supabase = venture.spec.supabase;
  if (!supabase) return ['## Supabase', 'No Supabase project.'];
  const providers = Object.entries(supabase.auth ?? {}).filter(([, p]) => p && p.enabled !== false).map(([name]) => name).sort();
  const rows = venture.environments.filter((e) => e.supabaseProject).map((place) => {
    const p = supabase.projects[place.environment]!;
    const secrets = Object.entries(p.oauthSecrets ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([provider, ref]) => `${provider}: ${code(ref!.secretRef)}`);
    return [place.environment, code(place.supabaseProject!), code(p.siteUrl), (p.redirectUrls ?? []).map(code).join(', ') || '-', secrets.join(', ') || '-'];
  });
  const tables = supabase.database?.tables ?? [];
  return [
    '## Supabase',
    `Organisation ${code(supabase.organization)}, default region ${code(supabase.region)}. Sign-in providers: ${providers.length ? list(providers.map(code)) : 'none besides e-mail'}.`,
    table(['Environment', 'Project', 'Site URL', 'Redirect URLs', 'OAuth client secrets (runner secrets)'], rows),
    ...(tables.length
      ? [
        'Row-Level Security (the same in every project):',
        table(['Table', 'RLS', 'Policies'], tables.map((t) => [code(`${t.schema ?? 'public'}.${t.name}`), t.rowLevelSecurity === false ? 'off' : 'on', t.policies.map((p) => `${code(p.name)} (${p.command} for ${p.roles.join(', ')})`).join('; ')])),
      ]
      : []),
  ];
}

function resourceSection(facts: DocsFacts, venture: VentureFacts): string[] {
  const state = facts.input.state;
  const owned = new Map<string, InventoryEntry>((state?.inventory ?? []).map((e) => [e.address, e]));
  const rows = venture.resources.map((r) => {
    const entry = owned.get(r.address);
    const status = !state ? '' : entry ? entry.status : 'not applied yet';
    return [code(r.address), r.environment, r.protected ? 'yes' : '', ...(state ? [status] : [])];
  });
  return [
    '## Resources Shipyard manages',
    state
      ? `${venture.resources.filter((r) => owned.get(r.address)?.status === 'applied').length} of ${venture.resources.length} applied, according to the state store (${code(state.store)}).`
      : `${venture.resources.length} resource(s). The state store was not read for this page: ${code(`shipyard state list`)} shows what is applied.`,
    table(['Address', 'Environment', 'Protected', ...(state ? ['State'] : [])], rows),
  ];
}
