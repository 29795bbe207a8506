/**
 * The environment-variable reference of a venture: every Vercel variable with its purpose,
 * targets, where its value comes from, whether it is sensitive and how it rotates, plus the
 * venture's other secrets. Names and sources only: no value is ever shown, not even literals.
 */
import type { EnvValue, EnvVarSpec, VercelTarget } from '../model/config.ts';
import { outputNames } from '../providers/supabase/desired.ts';
import { envSlots, envType } from '../providers/vercel/desired.ts';
import { generateRule } from '../secrets/fingerprint.ts';
import { renderEnvExample } from '../providers/vercel/env-example.ts';
import { DEFAULT_GRACE } from '../secrets/rotation.ts';
import type { DocsFacts, VentureFacts } from './facts.ts';
import { anchor, code, codeBlock, docLink, page, repoLink, table } from './markdown.ts';
import { RECOVERY_SECRETS_HEADING } from './recovery-guide.ts';
import { venturePath } from './venture-overview.ts';

export function renderEnvVarReference(facts: DocsFacts, venture: VentureFacts): string {
  const file = venturePath(venture.name, 'env-vars');
  const variables = venture.spec.vercel?.env ?? [];
  const slots = envSlots(venture.doc, facts.byTarget);
  const recovery = `${venturePath(venture.name, 'recovery')}#${anchor(RECOVERY_SECRETS_HEADING)}`;
  const rows = variables.map((variable, index) => {
    const rank = (environment: string) => facts.environments.findIndex((e) => e.name === environment);
    const mine = slots.filter((s) => s.index === index).sort((a, b) => rank(a.environment) - rank(b.environment));
    const targets = mine.map((s) => `${code(s.target)} (${s.environment})`).join(', ') || 'none of the venture\'s environments';
    return [code(variable.key), variable.description, targets, source(variable.value, venture), sensitivity(variable, mine.map((s) => s.target)), rotation(variable, venture, file, recovery)];
  });
  const oauth = oauthSecrets(venture);
  return page([
    `# ${venture.name}: environment variables`,
    `The variables Shipyard sets on the Vercel project ${venture.vercelProject ? code(venture.vercelProject) : '(none)'}, one per target. Declared in ${repoLink(facts.links, file, venture.file)} under ${code('spec.vercel.env')}; back to the ${docLink(file, venturePath(venture.name, 'overview'), 'overview')}.`,
    variables.length
      ? table(['Name', 'Purpose', 'Targets (environment)', 'Source', 'Sensitive', 'Rotation'], rows)
      : 'No environment variables are declared.',
    'Sources: a *runner secret* is read from the workflow\'s secrets at apply time; *generated* values are made once by Shipyard and only their fingerprint is kept; *Supabase outputs* are read from the environment\'s Supabase project; *literals* are plain values in the venture file.',
    duringRotation(variables),
    '## Other secrets of this venture',
    oauth.length
      ? table(['Secret', 'Environment', 'Source', 'Rotation'], oauth)
      : 'None.',
    '## Local development',
    `The names to fill in locally (the same list as the generated ${code('.env.example')}); values come from the Vercel project, never from git:`,
    codeBlock('dotenv', renderEnvExample(venture.doc, facts.byTarget)),
  ]);
}

/** What the app does while a rotated variable's previous value is still published: accept both, make new things with the current one. */
function duringRotation(variables: EnvVarSpec[]): string | undefined {
  const rotated = variables.filter((v) => v.sensitive === true && ('generate' in v.value || 'secretRef' in v.value));
  const example = rotated.find((v) => v.rotation) ?? rotated[0];
  if (!example) return undefined;
  return page([
    '## During a rotation',
    `While a rotation's grace period runs, the previous value of ${rotated.map((v) => code(v.key)).join(', ')} is published beside the current one as ${code(`${example.key}_PREVIOUS`)} (and so on), and production is redeployed. Sign, encrypt and issue with the current value; accept what the previous one made until it disappears, then only the current one works. For example:`,
    codeBlock('ts', [
      `// Both are set during a rotation; only ${example.key} after it.`,
      `const keys = [process.env.${example.key}, process.env.${example.key}_PREVIOUS].filter((k): k is string => Boolean(k));`,
      `const signWith = keys[0];`,
      `const verify = (token: string) => keys.some((key) => isValid(token, key));`,
    ]),
  ]).trimEnd();
}

function source(value: EnvValue, venture: VentureFacts): string {
  if ('literal' in value) return `literal in ${code(venture.file)}`;
  if ('secretRef' in value) return `runner secret ${code(value.secretRef)}`;
  if ('generate' in value) {
    const rule = generateRule(value);
    return `generated (${rule.length} characters, ${rule.alphabet})`;
  }
  const projects = venture.environments.filter((e) => e.supabaseProject).map((e) => e.supabaseProject!);
  return `Supabase output ${code(value.output)} of the environment's project${projects.length ? ` (${projects.map(code).join(', ')})` : ''}`;
}

function sensitivity(variable: EnvVarSpec, targets: VercelTarget[]): string {
  const outputSecret = 'output' in variable.value && outputNames[variable.value.output].sensitive;
  if (!variable.sensitive) return outputSecret ? 'no (but the value is a secret: mark it sensitive)' : 'no';
  const encrypted = targets.filter((t) => envType(variable, t) === 'encrypted');
  return encrypted.length
    ? `yes: write-only in Vercel, except ${encrypted.map(code).join(', ')} where Vercel keeps it encrypted but readable (it refuses sensitive variables there)`
    : 'yes: write-only in Vercel';
}

function rotation(variable: EnvVarSpec, venture: VentureFacts, file: string, recovery: string): string {
  const effect = variable.redeploy ? 'production redeploys when it changes' : 'deployments pick it up on their next build';
  const v = variable.value;
  if ('literal' in v) return `not a secret: change it in git; ${effect}`;
  if ('output' in v) {
    if (v.output !== 'supabase.secretKey') return `follows the Supabase project: the next apply writes a changed value; ${effect}`;
    const policy = venture.spec.supabase?.rotation;
    return `rotates with the project's secret key (${code('secrets rotate --name supabase.secretKey')}${policy ? `, every ${policy.every}` : ''}): the new key is written here and production redeploys, while the old key keeps working for ${policy?.grace ?? DEFAULT_GRACE}`;
  }
  const schedule = variable.rotation ? `every ${variable.rotation.every} (the daily rotation workflow) or by hand: ` : '';
  const source = 'secretRef' in v ? `after replacing the runner secret ${code(v.secretRef)}, ` : '';
  if (variable.sensitive !== true) return `${source}apply writes the new value; ${effect}`;
  return `${schedule}${source}${code(`secrets rotate --name ${variable.key}`)} writes a new value and keeps the old one as ${code(`${variable.key}_PREVIOUS`)} for ${variable.rotation?.grace ?? DEFAULT_GRACE}; production redeploys (see ${docLink(file, recovery, 'recovery')})`;
}

function oauthSecrets(venture: VentureFacts): string[][] {
  const supabase = venture.spec.supabase;
  if (!supabase) return [];
  const rows: string[][] = [];
  for (const { environment } of venture.environments.filter((e) => e.supabaseProject)) {
    const secrets = supabase.projects[environment]!.oauthSecrets ?? {};
    for (const provider of Object.keys(secrets).sort()) {
      const ref = secrets[provider as keyof typeof secrets]!;
      rows.push([`${provider} OAuth client secret`, environment, `runner secret ${code(ref.secretRef)}`, `create a new client secret at ${provider}, replace the runner secret, apply; then revoke the old one at ${provider}`]);
    }
  }
  return rows;
}
