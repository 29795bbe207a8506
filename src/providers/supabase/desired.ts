/**
 * Ventures → Supabase resources, one project per environment: the project (protected; its
 * API keys and pooler URL are outputs other resources consume), its auth config (declared
 * fields only), and Row-Level Security per table with one resource per policy.
 *
 * Tables belong to the apps (their migrations create them); an `rls` resource is the RLS switch
 * of an existing table, so it adopts the table's current setting instead of asking for
 * `--adopt`. A policy spec always carries `using` and `withCheck` (null when not declared):
 * removing an expression from the config must remove it from the policy too.
 */
import { address, type Address } from '../../model/address.ts';
import type { OAuthProviderName, SupabaseOutput, VentureDoc } from '../../model/config.ts';
import type { DesiredResource, Spec, SpecValue } from '../../model/resource.ts';

export const outputNames: Record<SupabaseOutput, { name: string; sensitive: boolean }> = {
  'supabase.url': { name: 'url', sensitive: false },
  'supabase.anonKey': { name: 'anonKey', sensitive: false },
  'supabase.publishableKey': { name: 'publishableKey', sensitive: false },
  'supabase.serviceRoleKey': { name: 'serviceRoleKey', sensitive: true },
  'supabase.secretKey': { name: 'secretKey', sensitive: true },
  'supabase.databaseUrl': { name: 'databaseUrl', sensitive: true },
};

/** The project's `databasePassword` field: Shipyard generated the password and keeps it (see database-snapshot.ts). */
export const PASSWORD_KEPT = 'kept by shipyard';

export function supabaseProjectName(doc: VentureDoc, environment: string): string {
  return doc.spec?.supabase?.projects[environment]?.name ?? `${doc.metadata.name}-${environment}`;
}

export function supabaseProjectAddress(doc: VentureDoc, environment: string): Address {
  const name = supabaseProjectName(doc, environment);
  return address('supabase', name, 'project', name);
}

export function compileSupabase(doc: VentureDoc, source: { file: string; line: (path: (string | number)[]) => number }): DesiredResource[] {
  const supabase = doc.spec?.supabase;
  if (!supabase) return [];
  const venture = doc.metadata.name;
  const out: DesiredResource[] = [];
  for (const environment of Object.keys(supabase.projects).sort()) {
    const project = supabase.projects[environment]!;
    const name = supabaseProjectName(doc, environment);
    const projectAddress = supabaseProjectAddress(doc, environment);
    const base = { provider: 'supabase', scope: name, environment, venture };
    const at = (path: (string | number)[]) => ({ file: source.file, line: source.line(path) });
    out.push({
      ...base, kind: 'project', address: projectAddress, protected: true, dependsOn: [],
      spec: { name, organization_slug: supabase.organization, region: project.region ?? supabase.region, databasePassword: PASSWORD_KEPT },
      source: at(['spec', 'supabase', 'projects', environment]),
    });
    const auth: Record<string, SpecValue> = { site_url: project.siteUrl, uri_allow_list: (project.redirectUrls ?? []).join(',') };
    for (const providerName of ['google', 'github', 'azure'] as OAuthProviderName[]) {
      const declared = supabase.auth?.[providerName];
      if (!declared) continue;
      const enabled = declared.enabled !== false;
      auth[`external_${providerName}_enabled`] = enabled;
      auth[`external_${providerName}_client_id`] = declared.clientId;
      const secretRef = project.oauthSecrets?.[providerName];
      if (secretRef) auth[`external_${providerName}_secret`] = { $secretRef: secretRef.secretRef };
      if (providerName === 'azure' && declared.url) auth.external_azure_url = declared.url;
      if (providerName === 'google' && declared.skipNonceCheck !== undefined) auth.external_google_skip_nonce_check = declared.skipNonceCheck;
    }
    out.push({ ...base, kind: 'auth', address: address('supabase', name, 'auth', 'config'), spec: auth, dependsOn: [projectAddress], source: at(['spec', 'supabase', 'projects', environment]) });
    supabase.database?.tables?.forEach((table, i) => {
      const qualified = `${table.schema ?? 'public'}.${table.name}`;
      const tableAddress = address('supabase', name, 'rls', qualified);
      out.push({ ...base, kind: 'rls', address: tableAddress, adopt: true, spec: { enabled: table.rowLevelSecurity !== false }, dependsOn: [projectAddress], source: at(['spec', 'supabase', 'database', 'tables', i]) });
      table.policies.forEach((policy, j) => {
        const spec: Spec = { command: policy.command, roles: [...policy.roles].sort(), permissive: policy.permissive !== false, using: policy.using ?? null, withCheck: policy.withCheck ?? null };
        out.push({ ...base, kind: 'policy', address: address('supabase', name, 'policy', qualified, policy.name), spec, dependsOn: [tableAddress], source: at(['spec', 'supabase', 'database', 'tables', i, 'policies', j]) });
      });
    });
  }
  return out;
}
