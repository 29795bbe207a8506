/**
 * Rotating a project's secret API key (`sb_secret_…`, output `supabase.secretKey`). Supabase
 * allows several secret keys at once, so no value has to be copied: a new key is created, the
 * old one is marked as retiring (its description carries the deadline), and the variables that
 * use the key receive the new one (production redeploys). Deployments still holding the old key
 * keep working until the grace period ends and the old key is deleted.
 *
 * The legacy JWT keys (`anonKey`, `serviceRoleKey`) cannot be rotated one at a time: that needs
 * a new JWT secret, which invalidates every key and session at once. Use `secretKey` instead.
 */
import { randomBytes } from 'node:crypto';
import { address, type Address } from '../../model/address.ts';
import type { VentureDoc } from '../../model/config.ts';
import { Sensitive } from '../../model/sensitive.ts';
import type { Fingerprinter } from '../../secrets/fingerprint.ts';
import type { LiveSecret, PublishOutcome, RotatableSecret, SecretConsumer } from '../../secrets/rotation.ts';
import type { ApiKeyInfo, SupabaseClient } from './client.ts';
import { supabaseProjectName } from './desired.ts';

const RETIRING = /^shipyard: retiring, works until (\S+?);/;
const ROTATED_PREFIX = 'shipyard_';

export function retiringDescription(until: Date): string {
  return `shipyard: retiring, works until ${until.toISOString()}; \`shipyard secrets rotate\` deletes it then`;
}

function retiringUntil(key: ApiKeyInfo): string | undefined {
  return key.description ? RETIRING.exec(key.description)?.[1] : undefined;
}

const isServiceSecret = (k: ApiKeyInfo) => k.type === 'secret' && (k.role ?? 'service_role') === 'service_role';

/** The key the `secretKey` output hands out: not retiring; Shipyard's newest rotated key, else `default`, else any. */
export function currentSecretKey(keys: ApiKeyInfo[]): ApiKeyInfo | undefined {
  const rank = (k: ApiKeyInfo) => (k.name.startsWith(ROTATED_PREFIX) ? 0 : k.name === 'default' ? 1 : 2);
  // Rotated keys are named by their UTC time, so the name orders them.
  return keys.filter((k) => isServiceSecret(k) && !retiringUntil(k)).sort((a, b) => rank(a) - rank(b) || b.name.localeCompare(a.name))[0];
}

/** `shipyard_20261124t190000z_3f9a`: lower-case letters, digits and `_` (Supabase's rule); time first so names sort by age, unique within a second. */
function rotatedKeyName(now: Date): string {
  return `${ROTATED_PREFIX}${now.toISOString().replace(/\.\d+Z$/, 'z').replace(/[-:]/g, '').toLowerCase()}_${randomBytes(2).toString('hex')}`;
}

export interface SupabaseRotationContext {
  client: SupabaseClient;
  fingerprints: Fingerprinter;
}

/** The secret key of the venture's project in this environment; `spec.supabase.rotation` schedules its rotation. Without a context it is only described. */
export function supabaseKeySecrets(context: SupabaseRotationContext | undefined, doc: VentureDoc, environment: string, consumers: SecretConsumer[]): RotatableSecret[] {
  const supabase = doc.spec?.supabase;
  if (!supabase?.projects[environment]) return [];
  const project = supabaseProjectName(doc, environment);
  const at = address('supabase', project, 'api-key', 'secret');
  return [{
    address: at, environment, venture: doc.metadata.name, name: 'supabase.secretKey',
    source: `Supabase secret API key of ${project}`, ...(supabase.rotation ? { rotation: supabase.rotation } : {}),
    inspect: () => (context ? inspect(context, at, project, consumers) : Promise.reject(new Error('the Supabase provider is not live'))),
  }];
}

async function inspect(context: SupabaseRotationContext, at: Address, projectName: string, consumers: SecretConsumer[]): Promise<LiveSecret> {
  const { client } = context;
  const project = (await client.listProjects(at)).find((p) => p.name === projectName);
  const keys = project ? await client.apiKeys(at, project.ref) : [];
  const current = currentSecretKey(keys);
  const retiring = keys.filter((k) => isServiceSecret(k) && retiringUntil(k));
  const previousUntil = retiring.map((k) => retiringUntil(k)!).sort()[0];
  const deliver = async (value: Sensitive<string>, now: Date, only?: SecretConsumer[]) => {
    const notes: string[] = [];
    for (const consumer of only ?? consumers) notes.push(`${consumer.address}: ${await consumer.deliver(value, now)}`);
    return notes.length > 0 ? ` Delivered to ${notes.join('; ')}.` : ' No variable uses it.';
  };
  return {
    exists: Boolean(current),
    ...(current?.insertedAt ? { since: current.insertedAt } : {}),
    ...(previousUntil ? { previousUntil } : {}),
    ...(current ? { fingerprint: context.fingerprints.of(current.apiKey).slice(0, 24) } : {}),
    async retire(now) {
      const expired = retiring.filter((k) => new Date(retiringUntil(k)!) <= now);
      for (const key of expired) await client.deleteApiKey(at, project!.ref, key.id);
      return `deleted the retired secret key${expired.length === 1 ? '' : 's'} ${expired.map((k) => k.name).join(', ')}: ${expired.length === 1 ? 'it stops' : 'they stop'} working now`;
    },
    async publish({ now, until, revoke }): Promise<PublishOutcome> {
      if (!project) return { action: 'missing', message: `the Supabase project ${projectName} does not exist yet: run \`shipyard apply\` first` };
      // An interrupted rotation (new key made, not handed on everywhere): finish it instead of making another key.
      if (current && !revoke) {
        const fingerprint = context.fingerprints.of(current.apiKey);
        const behind: SecretConsumer[] = [];
        for (const consumer of consumers) if (!(await consumer.holds(fingerprint))) behind.push(consumer);
        if (behind.length > 0) return { action: 'rotated', message: `finished an interrupted rotation: ${current.name} is current.${await deliver(new Sensitive(current.apiKey), now, behind)}` };
      }
      const created = await client.createSecretKey(at, project.ref, { name: rotatedKeyName(now), description: `shipyard: current secret key since ${now.toISOString()}` });
      if (current && revoke) await client.deleteApiKey(at, project.ref, current.id, { reason: 'revoked with shipyard secrets revoke' });
      else if (current) await client.describeApiKey(at, project.ref, current.id, retiringDescription(until));
      const delivered = await deliver(new Sensitive(created.apiKey), now);
      return revoke
        ? { action: 'revoked', message: `new secret key ${created.name}; ${current ? `${current.name} is deleted: anything still using it (running deployments until their redeploy is ready, scripts, CI jobs) gets 401 now.` : 'there was no key before.'}${delivered}` }
        : { action: 'rotated', message: `new secret key ${created.name}; ${current ? `${current.name} keeps working until ${until.toISOString()}.` : 'there was no key before.'}${delivered}` };
    },
  };
}
