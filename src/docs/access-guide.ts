/**
 * The access guide of one environment: who may do what, how to sign in to the namespace,
 * Vercel and Supabase, the commands that prove what you can see (with the answers an
 * authorised member gets), and how to recover lost access. Access data comes from
 * environmentAccess(), the same data the RBAC objects are compiled from.
 */
import type { GroupAccess } from '../providers/kubernetes/access.ts';
import { roleRules } from '../providers/kubernetes/desired.ts';
import { venturesIn, type DocsFacts, type EnvironmentFacts } from './facts.ts';
import { code, commands, docLink, list, page, repoLink, table } from './markdown.ts';

export interface AccessStep {
  title: string;
  minutes: number;
  body: string;
}

export function accessGuidePath(environment: string): string {
  return `access/${environment}.md`;
}

export function renderAccessGuide(facts: DocsFacts, env: EnvironmentFacts): string {
  const file = accessGuidePath(env.name);
  const { access } = env;
  const ns = access.namespace;
  const owners = env.doc.metadata.owners?.length ? list(env.doc.metadata.owners.map(code)) : 'the platform team';
  const steps = accessSteps(facts, env, file);
  const total = steps.reduce((sum, step) => sum + step.minutes, 0);
  return page([
    `# Access guide: ${env.name}`,
    env.doc.metadata.description,
    `Namespace ${code(ns)}${access.protected ? ', **protected**: deletes and replacements need a tombstone in git, and no group but admins may read Secrets here' : ''}. Declared in ${repoLink(facts.links, file, env.file)}; owners: ${owners}. Back to the ${docLink(file, 'index.md', 'index')}.`,
    '## Who may do what',
    table(
      ['Who', 'Role', 'May', 'May not'],
      [
        ...access.groups.map((g) => [`group ${code(g.group)}${g.description ? `: ${g.description}` : ''}`, g.role, g.canDo.join('; '), g.cannotDo.join('; ')]),
        [`CI deploys as ${code(access.deployServiceAccount)}`, 'deploy', deployAbilities(), 'delete objects, read Secrets, exec into pods'],
      ],
    ),
    `Access changes only through a pull request that edits ${code('spec.access')} in ${repoLink(facts.links, file, env.file)}; Shipyard turns each entry into a Role and a RoleBinding in ${code(ns)}. Who is in a group is decided by your organisation's identity provider, not by Shipyard: ask ${owners}.`,
    '## What you connect to',
    table(['What', 'Where'], connectionRows(facts, env)),
    `## Get access in about ${total} minutes`,
    'Do the steps in order; each says how long it usually takes.',
    ...steps.map((step, i) => `### Step ${i + 1}: ${step.title} (about ${step.minutes} minute${step.minutes === 1 ? '' : 's'})\n\n${step.body}`),
    `Done: you can see what your role allows in ${code(ns)}. The ${docLink(file, 'handoff.md', 'application-team handoff')} shows how to deploy a first service.`,
    '## Troubleshooting and recovery',
    ...troubleshooting(facts, env, file),
  ]);
}

function deployAbilities(): string {
  return roleRules.deploy(false)
    .map((rule) => {
      const r = rule as { resources: string[]; verbs: string[] };
      return `${r.verbs.join(', ')} ${r.resources.join(', ')}`;
    })
    .join('; ');
}

function connectionRows(facts: DocsFacts, env: EnvironmentFacts): string[][] {
  const { access, spec } = env;
  const rows: string[][] = [
    ['Kubernetes namespace', code(access.namespace)],
    ['kubeconfig context', `${code(access.context)} (you create it in step 2)`],
    ['Data store', `PostgreSQL ${code(`${spec.dataStore.host}:${spec.dataStore.port}/${spec.dataStore.database}`)}, sslmode ${code(spec.dataStore.sslMode ?? 'prefer')}; credentials in the Secret ${code(spec.dataStore.credentialsSecret)} of ${code(access.namespace)}`],
  ];
  for (const { venture, place } of venturesIn(facts, env.name)) {
    const vercel = venture.spec.vercel;
    if (vercel && place.target) {
      rows.push([`Vercel (${venture.name})`, `${vercel.team ? `team ${code(vercel.team)}` : 'the account of Shipyard\'s Vercel token (no team set)'}, project ${code(venture.vercelProject!)}, target ${code(place.target)}`]);
    }
    if (place.supabaseProject) {
      rows.push([`Supabase (${venture.name})`, `organisation ${code(venture.spec.supabase!.organization)}, project ${code(place.supabaseProject)} in ${code(place.supabaseRegion!)}`]);
    }
  }
  return rows;
}

/** The onboarding steps; their minutes add up to the total in the heading (under 15). */
export function accessSteps(facts: DocsFacts, env: EnvironmentFacts, file: string): AccessStep[] {
  const { access } = env;
  const ns = access.namespace;
  const groups = access.groups.map((g) => code(g.group));
  const steps: AccessStep[] = [
    {
      title: 'install kubectl',
      minutes: 3,
      body: `Install kubectl 1.32 (within one minor version of the cluster) from your package manager. Check it with ${code('kubectl version --client')}.`,
    },
    {
      title: 'create the context',
      minutes: 4,
      body: page([
        `Your organisation's sign-in (OIDC) gives you a kubeconfig with a cluster entry and a user. Put their names in place of ${code('CLUSTER')} and ${code('USER')}; the context pins the namespace ${code(ns)}:`,
        commands([
          `kubectl config set-context ${access.context} --cluster=CLUSTER --user=USER --namespace=${ns}`,
          `kubectl config use-context ${access.context}`,
        ]),
      ]).trimEnd(),
    },
    {
      title: 'confirm your groups',
      minutes: 1,
      body: page([
        commands(['kubectl auth whoami']),
        `Expected: a table with your user name and a ${code('Groups')} row that lists ${list(groups, 'or')}. If none is listed, stop here and ask to be added (see "forbidden" below).`,
      ]).trimEnd(),
    },
    {
      title: 'prove what you can see',
      minutes: 3,
      body: proveAccess(access.groups),
    },
    {
      title: 'Vercel and Supabase',
      minutes: 3,
      body: vercelAndSupabase(facts, env, file),
    },
  ];
  return steps;
}

/** One set of commands; what each group should see, side by side. */
function proveAccess(groups: GroupAccess[]): string {
  const checks = new Map<string, string>();
  for (const g of groups) for (const c of g.checks) if (!checks.has(c.command)) checks.set(c.command, c.purpose);
  const expected = (g: GroupAccess, command: string) => {
    const answer = g.checks.find((c) => c.command === command)?.expected;
    return answer === undefined ? '-' : /^(yes|no)$/.test(answer) ? code(answer) : answer;
  };
  return page([
    'Run these; the answers depend on your group:',
    commands([...checks.keys()]),
    table(['Command', 'Proves', ...groups.map((g) => `Expected for ${code(g.group)} (${g.role})`)], [...checks].map(([command, purpose]) => [code(command), purpose, ...groups.map((g) => expected(g, command))])),
  ]).trimEnd();
}

function vercelAndSupabase(facts: DocsFacts, env: EnvironmentFacts, file: string): string {
  const placed = venturesIn(facts, env.name).filter(({ venture, place }) => (venture.spec.vercel && place.target) || place.supabaseProject);
  if (placed.length === 0) return `No venture deploys to Vercel or Supabase from ${env.name}: nothing to do.`;
  const lines = placed.map(({ venture, place }) => {
    const parts: string[] = [];
    const owners = venture.doc.metadata.owners?.length ? list(venture.doc.metadata.owners.map(code)) : 'the platform team';
    if (venture.spec.vercel && place.target) {
      parts.push(`Vercel: membership of ${venture.spec.vercel.team ? `team ${code(venture.spec.vercel.team)}` : 'the account that owns the project'} gives you project ${code(venture.vercelProject!)}; its ${code(place.target)} deployments are ${env.name}'s.`);
    }
    if (place.supabaseProject) parts.push(`Supabase: membership of organisation ${code(venture.spec.supabase!.organization)} gives you project ${code(place.supabaseProject)}.`);
    return `${docLink(file, `ventures/${venture.name}/overview.md`, venture.name)} (owners ${owners}): ${parts.join(' ')}`;
  });
  return page([
    'Shipyard does not manage people in Vercel teams or Supabase organisations: the owners of each venture invite you, and you accept the e-mail invitation. After accepting, the project appears in the dashboard.',
    lines.map((l) => `- ${l}`).join('\n'),
  ]).trimEnd();
}

function troubleshooting(facts: DocsFacts, env: EnvironmentFacts, file: string): string[] {
  const { access } = env;
  const ns = access.namespace;
  const bindings = facts.input.desired.resources.filter((r) => r.provider === 'kubernetes' && r.scope === ns && r.kind === 'RoleBinding').map((r) => r.address).sort().map(code);
  return [
    `### "You must be logged in to the server (Unauthorized)"`,
    page([
      'Your credential is missing, expired or broken. See which user the context uses:',
      commands(['kubectl config view --minify', 'kubectl auth whoami']),
      `Fix: sign in again with your organisation's sign-in to refresh the token, then repeat step 2. A kubeconfig copied from someone else never works: credentials are personal.`,
    ]).trimEnd(),
    `### "Error from server (Forbidden)"`,
    page([
      `You are signed in, but none of your groups has a role that allows this in ${code(ns)}. Compare your groups with the table above:`,
      commands(['kubectl auth whoami', `kubectl auth can-i --list -n ${ns}`]),
      `Fix: ask ${env.doc.metadata.owners?.length ? list(env.doc.metadata.owners.map(code)) : 'the platform team'} to add you to the right group. If the group should have a different role here, that is a pull request to ${repoLink(facts.links, file, env.file)}.`,
    ]).trimEnd(),
    '### Wrong cluster, context or namespace',
    page([
      `Every command above names the namespace with ${code('-n')}; other commands use the context's namespace.`,
      commands(['kubectl config current-context', 'kubectl config get-contexts']),
      `Fix: ${code(`kubectl config use-context ${access.context}`)}.`,
    ]).trimEnd(),
    '### Access that worked before is gone for everyone in a group',
    page([
      `The RoleBindings are Shipyard's (${list(bindings)}): someone may have changed or deleted one by hand. Diagnose with a drift report:`,
      commands([`shipyard drift --env ${env.name}`]),
      'Fix: apply the configuration again (a platform admin, or re-run the apply workflow on the main branch):',
      commands([`shipyard apply --env ${env.name} --yes`]),
    ]).trimEnd(),
    '### The deploy credential of CI is broken',
    page([
      `CI deploys as ${code(access.deployServiceAccount)}. A platform admin issues a new short-lived token and stores it as the CI secret that held the old one:`,
      commands([`kubectl create token deploy -n ${ns} --duration=24h`]),
      `Check the new token with ${code(`kubectl auth can-i create deployments -n ${ns} --as=${access.deployServiceAccount}`)} (a platform admin may impersonate): expected ${code('yes')}.`,
    ]).trimEnd(),
    '### Lost access to Vercel or Supabase',
    'Ask an owner of the venture to invite you again (step 5). Shipyard\'s own tokens for Vercel and Supabase are runner secrets of the repository: a broken one shows in the next plan as a failed read (`! read ... failed`), and nothing is deleted in such a run. The platform team replaces the runner secret and re-runs the workflow.',
  ];
}
