/**
 * Checks that need more than one node or more than one file: references between documents,
 * uniqueness across the repository, naming rules of the target systems, and secrets written
 * as literals that the schema alone cannot recognise.
 */
import type { EnvironmentDoc, VentureDoc, VercelTarget } from '../model/config.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { looksLikeSecretName, looksLikeSecretValue } from './secret-patterns.ts';
import type { Loaded, LoadedConfig } from './load.ts';
import { locate, type JsonPath, type SourceFile } from './source.ts';

type Report = (source: SourceFile, path: JsonPath, code: string, message: string, hint: string, key?: boolean) => void;

const serverOnlyOutputs = new Set(['supabase.serviceRoleKey', 'supabase.secretKey', 'supabase.databaseUrl']);

export function crossCheck(config: Pick<LoadedConfig, 'environments' | 'ventures'>, brokenEnvironments: string[] = []): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (source, path, code, message, hint, key = false) =>
    diagnostics.push({ ...locate(source, path, { key }), severity: 'error', code, message, hint });

  checkFileNames([...config.environments, ...config.ventures], report);
  const environments = checkEnvironments(config.environments, brokenEnvironments, report);
  checkVentures(config.ventures, environments, report);
  return diagnostics;
}

function checkFileNames(docs: Loaded<EnvironmentDoc | VentureDoc>[], report: Report): void {
  const seen = new Map<string, SourceFile>();
  for (const { doc, source } of docs) {
    const base = source.file.split('/').at(-1)!.replace(/\.ya?ml$/, '');
    if (doc.metadata.name !== base) {
      report(source, ['metadata', 'name'], 'naming.file-name', `\`metadata.name\` is \`${doc.metadata.name}\` but the file is \`${base}.yaml\``, `Rename the file to \`${doc.metadata.name}.yaml\` or set \`name: ${base}\`.`);
    }
    const key = `${doc.kind}/${doc.metadata.name}`;
    const first = seen.get(key);
    if (first) {
      report(source, ['metadata', 'name'], 'naming.duplicate', `${doc.kind} \`${doc.metadata.name}\` is already declared in ${first.file}`, 'Give each document a unique name.');
    } else {
      seen.set(key, source);
    }
  }
}

interface EnvironmentIndex {
  names: Set<string>;
  /** Vercel target → environment that deploys it. */
  byTarget: Map<VercelTarget, string>;
}

function checkEnvironments(environments: Loaded<EnvironmentDoc>[], brokenEnvironments: string[], report: Report): EnvironmentIndex {
  const index: EnvironmentIndex = { names: new Set(brokenEnvironments), byTarget: new Map() };
  const namespaces = new Map<string, string>();
  for (const { doc } of environments) if (doc.spec) index.names.add(doc.metadata.name);
  for (const { doc, source } of environments) {
    const spec = doc.spec;
    if (!spec) continue;
    const owner = namespaces.get(spec.namespace.name);
    if (owner) {
      report(source, ['spec', 'namespace', 'name'], 'environment.namespace-taken', `namespace \`${spec.namespace.name}\` is already used by environment \`${owner}\``, 'Give every environment its own namespace; isolation depends on it.');
    }
    namespaces.set(spec.namespace.name, doc.metadata.name);
    const target = spec.vercelTarget;
    if (target && target !== 'none') {
      const other = index.byTarget.get(target);
      if (other) {
        report(source, ['spec', 'vercelTarget'], 'environment.target-taken', `Vercel target \`${target}\` already maps to environment \`${other}\``, 'Map each Vercel target to one environment, or set `vercelTarget: none`.');
      } else {
        index.byTarget.set(target, doc.metadata.name);
      }
    }
    const secretNames = new Set<string>();
    spec.secrets.forEach((secret, i) => {
      if (secretNames.has(secret.name)) {
        report(source, ['spec', 'secrets', i, 'name'], 'secret.duplicate', `secret \`${secret.name}\` is declared twice`, 'Remove or rename one of them.');
      }
      secretNames.add(secret.name);
    });
    if (!secretNames.has(spec.dataStore.credentialsSecret)) {
      report(source, ['spec', 'dataStore', 'credentialsSecret'], 'ref.unknown-secret', `\`credentialsSecret\` names \`${spec.dataStore.credentialsSecret}\`, which is not one of this environment's secrets`, `Use one of: ${[...secretNames].join(', ')}; or declare it under \`spec.secrets\`.`);
    }
    const ruleNames = new Set<string>();
    spec.network?.allow?.forEach((rule, i) => {
      if (ruleNames.has(rule.name)) {
        report(source, ['spec', 'network', 'allow', i, 'name'], 'network.duplicate-rule', `allow rule \`${rule.name}\` is declared twice`, 'Rename one; each rule becomes a NetworkPolicy named after it.');
      }
      ruleNames.add(rule.name);
      rule.peers.forEach((peer, j) => {
        const kinds = [peer.environment, peer.namespaceLabels, peer.cidr].filter((v) => v !== undefined).length;
        if (kinds > 1 || (kinds === 0 && !peer.podLabels)) {
          report(source, ['spec', 'network', 'allow', i, 'peers', j], 'network.peer', 'a peer names exactly one of `environment`, `namespaceLabels` or `cidr` (or only `podLabels` for pods of this environment)', 'Split it into one peer per selector.');
        }
        if (peer.cidr && peer.podLabels) {
          report(source, ['spec', 'network', 'allow', i, 'peers', j, 'podLabels'], 'network.peer', '`podLabels` cannot be combined with `cidr`', 'Remove `podLabels` or use a separate peer.', true);
        }
        if (peer.environment && !index.names.has(peer.environment)) {
          report(source, ['spec', 'network', 'allow', i, 'peers', j, 'environment'], 'ref.unknown-environment', `environment \`${peer.environment}\` does not exist`, `Use one of: ${[...index.names].sort().join(', ')}.`);
        }
      });
    });
  }
  return index;
}

function checkVentures(ventures: Loaded<VentureDoc>[], environments: EnvironmentIndex, report: Report): void {
  const domains = new Map<string, string>();
  const vercelProjects = new Map<string, string>();
  const supabaseProjects = new Map<string, string>();
  for (const { doc, source } of ventures) {
    const spec = doc.spec;
    if (!spec) continue;
    const name = doc.metadata.name;
    spec.environments.forEach((env, i) => {
      if (!environments.names.has(env)) {
        report(source, ['spec', 'environments', i], 'ref.unknown-environment', `environment \`${env}\` does not exist`, `Use one of: ${[...environments.names].sort().join(', ')}; or add environments/${env}.yaml.`);
      }
    });
    const ventureEnvs = new Set(spec.environments);
    const availableTargets = new Map<VercelTarget, string>();
    for (const [target, env] of environments.byTarget) if (ventureEnvs.has(env)) availableTargets.set(target, env);

    if (spec.vercel) {
      const projectName = spec.vercel.project.name ?? name;
      claim(vercelProjects, projectName, name, () =>
        report(source, ['spec', 'vercel', 'project'], 'vercel.duplicate-project', `Vercel project \`${projectName}\` is also declared by venture \`${vercelProjects.get(projectName)}\``, 'Set a unique `project.name`.', true));
      const seenVars = new Map<string, number>();
      const vercelKeys = new Set(spec.vercel.env?.map((v) => v.key));
      spec.vercel.env?.forEach((variable, i) => {
        const at: JsonPath = ['spec', 'vercel', 'env', i];
        const targets = variable.targets ?? [...availableTargets.keys()];
        variable.targets?.forEach((target, t) => {
          if (!availableTargets.has(target)) {
            report(source, [...at, 'targets', t], 'ref.unknown-target', `target \`${target}\` is not deployed by any environment of this venture`, `Use one of: ${[...availableTargets.keys()].join(', ') || '(none: add an environment with a vercelTarget)'}.`);
          }
        });
        if (variable.gitBranch && (variable.targets?.length !== 1 || variable.targets[0] !== 'preview')) {
          report(source, [...at, 'gitBranch'], 'vercel.git-branch', '`gitBranch` only applies to preview variables', 'Add `targets: [preview]` or remove `gitBranch`.', true);
        }
        for (const target of targets) {
          const key = `${variable.key}|${target}|${variable.gitBranch ?? ''}`;
          const first = seenVars.get(key);
          if (first !== undefined) {
            report(source, [...at, 'key'], 'vercel.duplicate-env', `\`${variable.key}\` for target \`${target}\` is already declared (entry ${first + 1})`, 'Declare each key once per target and branch; split the `targets` between the entries.');
          } else {
            seenVars.set(key, i);
          }
        }
        const value = variable.value;
        if ('literal' in value && (looksLikeSecretName(variable.key) || looksLikeSecretValue(value.literal))) {
          report(source, [...at, 'value', 'literal'], 'secret.literal', `\`${variable.key}\` looks like a secret but its value is a literal in git`, 'Remove the value from git (and rotate it), then use `secretRef: RUNNER_SECRET_NAME` or `generate: {}` with `sensitive: true`.');
        }
        if ('output' in value) {
          if (!spec.supabase) {
            report(source, [...at, 'value', 'output'], 'ref.unknown-output', `\`${value.output}\` refers to Supabase, but this venture has no \`supabase\` section`, 'Add `spec.supabase` or use another value source.');
          } else {
            for (const target of targets) {
              const env = availableTargets.get(target);
              if (env && !spec.supabase.projects[env]) {
                report(source, [...at, 'value', 'output'], 'ref.unknown-output', `\`${value.output}\` for target \`${target}\` needs a Supabase project in environment \`${env}\``, `Add \`supabase.projects.${env}\` or narrow \`targets\`.`);
              }
            }
          }
          if (serverOnlyOutputs.has(value.output) && variable.key.startsWith('NEXT_PUBLIC_')) {
            report(source, [...at, 'key'], 'secret.public', `\`${variable.key}\` would expose \`${value.output}\` to every browser`, 'Drop the `NEXT_PUBLIC_` prefix; server-side code reads it from process.env.');
          }
          if (serverOnlyOutputs.has(value.output) && variable.sensitive !== true) {
            report(source, [...at, 'value', 'output'], 'secret.not-sensitive', `\`${value.output}\` is a secret but \`${variable.key}\` is not marked sensitive`, 'Add `sensitive: true` so Vercel never shows the value.');
          }
        }
        if (variable.rotation && 'literal' in value) {
          report(source, [...at, 'rotation'], 'rotation.literal', `\`${variable.key}\` has a literal value, which Shipyard cannot rotate`, 'Remove `rotation`, or make the value `generate: {}` or `secretRef: NAME`.', true);
        }
        if (variable.rotation && 'output' in value) {
          report(source, [...at, 'rotation'], 'rotation.output', `\`${variable.key}\` takes \`${value.output}\`, which rotates where it is made, not here`, value.output === 'supabase.secretKey' ? 'Move the policy to `spec.supabase.rotation`: rotating the secret key updates every variable that uses it.' : 'Remove `rotation`; only `supabase.secretKey` can be rotated (the legacy JWT keys cannot be rotated one at a time).', true);
        }
        if (('generate' in value || 'secretRef' in value) && vercelKeys.has(`${variable.key}_PREVIOUS`)) {
          report(source, [...at, 'key'], 'rotation.previous-taken', `rotation keeps the old value of \`${variable.key}\` as \`${variable.key}_PREVIOUS\`, which this venture declares itself`, `Rename the variable \`${variable.key}_PREVIOUS\`.`);
        }
        if (('secretRef' in value || 'generate' in value) && variable.sensitive !== true) {
          report(source, [...at, 'value'], 'secret.not-sensitive', `\`${variable.key}\` holds a secret but is not marked sensitive`, 'Add `sensitive: true` so Vercel never shows the value.');
        }
      });
      spec.vercel.domains?.forEach((domain, i) => {
        for (const host of [domain.name, `www.${domain.name}`]) {
          const owner = domains.get(host);
          if (owner) {
            report(source, ['spec', 'vercel', 'domains', i, 'name'], 'domain.duplicate', `domain \`${host}\` is already claimed by venture \`${owner}\``, 'A domain belongs to one venture; remove it here or there.');
            break;
          }
        }
        domains.set(domain.name, name);
        domains.set(`www.${domain.name}`, name);
        if (domain.dns?.mode === 'external' && domain.dns.records?.length) {
          report(source, ['spec', 'vercel', 'domains', i, 'dns', 'records'], 'domain.external-records', 'records can only be managed when `mode: vercel`', 'Create these records at your DNS host, or switch to `mode: vercel`.', true);
        }
      });
    }

    if (spec.supabase) {
      const supabase = spec.supabase;
      for (const env of Object.keys(supabase.projects)) {
        if (!ventureEnvs.has(env)) {
          report(source, ['spec', 'supabase', 'projects', env], 'ref.unknown-environment', `Supabase project for \`${env}\`, which is not in this venture's \`environments\``, `Add \`${env}\` to \`spec.environments\` or remove this project.`, true);
        }
        const project = supabase.projects[env]!;
        const projectName = project.name ?? `${name}-${env}`;
        if (projectName.length > 64) {
          report(source, ['spec', 'supabase', 'projects', env], 'naming.supabase-project', `Supabase project name \`${projectName}\` is longer than 64 characters`, 'Set a shorter `name` for this project.', true);
        }
        claim(supabaseProjects, projectName, name, () =>
          report(source, ['spec', 'supabase', 'projects', env], 'supabase.duplicate-project', `Supabase project \`${projectName}\` is also declared by venture \`${supabaseProjects.get(projectName)}\``, 'Set a unique `name`.', true));
        for (const provider of ['google', 'github', 'azure'] as const) {
          const declared = supabase.auth?.[provider];
          if (declared && declared.enabled !== false && !project.oauthSecrets?.[provider]) {
            report(source, ['spec', 'supabase', 'projects', env], 'ref.missing-oauth-secret', `${provider} sign-in is enabled but the \`${env}\` project has no client secret reference`, `Add \`oauthSecrets.${provider}: { secretRef: NAME }\` to this project.`, true);
          }
          if (project.oauthSecrets?.[provider] && !declared) {
            report(source, ['spec', 'supabase', 'projects', env, 'oauthSecrets', provider], 'ref.unknown-provider', `a ${provider} secret is given but \`supabase.auth.${provider}\` is not declared`, `Declare \`supabase.auth.${provider}\` with its clientId, or remove this secret.`, true);
          }
        }
      }
      const tables = new Set<string>();
      supabase.database?.tables?.forEach((table, i) => {
        const qualified = `${table.schema ?? 'public'}.${table.name}`;
        if (tables.has(qualified)) {
          report(source, ['spec', 'supabase', 'database', 'tables', i, 'name'], 'rls.duplicate-table', `table \`${qualified}\` is declared twice`, 'Merge the two entries.');
        }
        tables.add(qualified);
        const policies = new Set<string>();
        table.policies.forEach((policy, j) => {
          const at: JsonPath = ['spec', 'supabase', 'database', 'tables', i, 'policies', j];
          if (policies.has(policy.name)) report(source, [...at, 'name'], 'rls.duplicate-policy', `policy \`${policy.name}\` is declared twice on \`${qualified}\``, 'Policy names are unique per table; rename one.');
          policies.add(policy.name);
          if (policy.command === 'insert' && policy.using) report(source, [...at, 'using'], 'rls.insert-using', 'an insert policy cannot have `using`', 'Use `withCheck` for inserts.', true);
          if (policy.command === 'select' && policy.withCheck) report(source, [...at, 'withCheck'], 'rls.select-check', 'a select policy cannot have `withCheck`', 'Use `using` for selects.', true);
          if (policy.command !== 'insert' && !policy.using && policy.command !== 'all') report(source, at, 'rls.missing-using', `a ${policy.command} policy needs \`using\``, 'Add `using: <expression>`; `"true"` allows every row.');
        });
      });
      supabase.database?.rlsTests?.forEach((test, i) => {
        const qualified = test.table.includes('.') ? test.table : `public.${test.table}`;
        if (!tables.has(qualified)) report(source, ['spec', 'supabase', 'database', 'rlsTests', i, 'table'], 'ref.unknown-table', `\`${test.table}\` is not one of the declared tables`, `Use one of: ${[...tables].join(', ') || '(none declared)'}.`);
      });
    }
    spec.protection?.tombstones?.forEach((tombstone, i) => {
      const scopes = [name, ...Object.keys(spec.supabase?.projects ?? {}).map((env) => spec.supabase!.projects[env]!.name ?? `${name}-${env}`)];
      const scope = tombstone.address.split('/')[1];
      if (!scope || !scopes.includes(scope)) {
        report(source, ['spec', 'protection', 'tombstones', i, 'address'], 'ref.foreign-tombstone', `tombstone for \`${tombstone.address}\`, which does not belong to venture \`${name}\``, `Put the tombstone in the file of the venture that owns the resource (addresses of this venture start with ${scopes.map((s) => `\`*/${s}/\``).join(', ')}).`);
      }
    });
  }
}

function claim(registry: Map<string, string>, key: string, owner: string, onConflict: () => void): void {
  if (registry.has(key)) onConflict();
  else registry.set(key, owner);
}
