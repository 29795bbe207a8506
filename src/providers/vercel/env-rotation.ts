/**
 * Rotating a Vercel variable whose value Shipyard generates or takes from a runner secret.
 *
 * Sensitive variables are write-only and Shipyard keeps no plaintext, so the old value cannot
 * be written again beside the new one. It does not need to be: Vercel lets a variable be
 * renamed, so the live `KEY` becomes `KEY_PREVIOUS` (value untouched, unread) and a new `KEY`
 * is created with the new value; production is redeployed, so the running app sees both until
 * the grace period ends, when `KEY_PREVIOUS` is removed and production redeployed again. The
 * app accepts either value while `KEY_PREVIOUS` is set (the handoff guide says how).
 *
 * Every step leaves a state the next run finishes: after the rename and before the create, the
 * next `secrets rotate` sees `KEY_PREVIOUS` without `KEY` and creates `KEY`.
 */
import type { EnvValue, SecretSource, SupabaseOutput, VentureDoc, VercelTarget } from '../../model/config.ts';
import type { Sensitive } from '../../model/sensitive.ts';
import type { InventoryEntry, StateStore } from '../../model/state.ts';
import { describeSecretSource, nextSecretValue, type Fingerprinter } from '../../secrets/fingerprint.ts';
import { processRedactor } from '../../secrets/redact.ts';
import type { LiveSecret, PublishOutcome, RotatableSecret, SecretConsumer } from '../../secrets/rotation.ts';
import type { EnvInfo, VercelClient } from './client.ts';
import { envSlots, envType, vercelProjectName, type EnvSlot } from './desired.ts';
import type { Redeployer } from './redeploy.ts';

export const PREVIOUS_SUFFIX = '_PREVIOUS';
const VALUE_PATH = '/value';
const MARKER = /^shipyard: previous value of ([A-Za-z_][A-Za-z0-9_]*), works until (\S+?);/;

/** The comment on `KEY_PREVIOUS`: it names the variable and the deadline, so any later run (and the plan) knows what it is. */
export function previousComment(key: string, until: Date): string {
  return `shipyard: previous value of ${key}, works until ${until.toISOString()}; \`shipyard secrets rotate\` removes it then`;
}

export function parsePreviousComment(comment: string | null | undefined): { of: string; until: string } | undefined {
  const match = comment ? MARKER.exec(comment) : null;
  return match ? { of: match[1]!, until: match[2]! } : undefined;
}

export interface VercelRotationContext {
  client: VercelClient;
  redeployer: Redeployer;
  store: StateStore;
  fingerprints: Fingerprinter;
  lookup(name: string): Sensitive<string> | undefined;
}

/**
 * The sensitive variables of a venture in one environment whose value Shipyard generates or takes
 * from a runner secret: each can be rotated by name; `rotation` in the config schedules it.
 * Without a context (Vercel in sandbox mode) they are only described: inspect fails.
 */
export function vercelEnvSecrets(context: VercelRotationContext | undefined, doc: VentureDoc, environmentsByTarget: Map<VercelTarget, string>, environment: string): RotatableSecret[] {
  return envSlots(doc, environmentsByTarget)
    .filter((slot) => slot.environment === environment && slot.variable.sensitive === true && isSecretSource(slot.variable.value))
    .map((slot) => ({
      address: slot.address,
      environment,
      venture: doc.metadata.name,
      name: slot.variable.key,
      source: describeSecretSource(slot.variable.value as SecretSource),
      ...(slot.variable.rotation ? { rotation: slot.variable.rotation } : {}),
      inspect: () => (context ? inspect(context, vercelProjectName(doc), slot) : Promise.reject(new Error('the Vercel provider is not live'))),
    }));
}

const isSecretSource = (value: EnvValue): value is SecretSource => 'generate' in value || 'secretRef' in value;

function sameSlot(env: EnvInfo, key: string, slot: EnvSlot): boolean {
  return env.key === key && env.target.includes(slot.target) && (env.gitBranch ?? undefined) === (slot.variable.gitBranch ?? undefined);
}

async function inspect(context: VercelRotationContext, project: string, slot: EnvSlot): Promise<LiveSecret> {
  const { client } = context;
  const key = slot.variable.key;
  const previousKey = `${key}${PREVIOUS_SUFFIX}`;
  const envs = (await client.listEnvs(slot.address, project)) ?? [];
  const current = envs.find((e) => sameSlot(e, key, slot));
  const previousSlot = envs.find((e) => sameSlot(e, previousKey, slot));
  const previous = previousSlot && parsePreviousComment(previousSlot.comment)?.of === key ? previousSlot : undefined;
  const entry = (await context.store.listInventory(slot.environment)).find((e) => e.address === slot.address);
  const fingerprint = entry?.fingerprints[VALUE_PATH]?.slice(0, 24);
  const since = current?.updatedAt !== undefined ? new Date(current.updatedAt).toISOString() : undefined;
  const takeEffect = () => takeEffectOf(context, project, slot);
  return {
    exists: Boolean(current),
    ...(since ? { since } : {}),
    ...(previous ? { previousUntil: parsePreviousComment(previous.comment)!.until } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    async retire() {
      await client.removeEnv(slot.address, project, previous!.id);
      return `${previousKey} removed (the previous value stops working); ${await takeEffect()}`;
    },
    async publish({ now, until, revoke }): Promise<PublishOutcome> {
      if (!entry) return { action: 'missing', message: `${key} was not applied by Shipyard yet: run \`shipyard apply\` first` };
      if (previousSlot && !previous) return { action: 'missing', message: `a variable ${previousKey} exists that Shipyard did not create; rename or remove it, rotation needs that name` };
      const v = slot.variable.value as SecretSource;
      const next = nextSecretValue(v, context.lookup);
      if (!next) return { action: 'missing', message: `the runner secret ${'secretRef' in v ? v.secretRef : key} is not set` };
      processRedactor.add(next.reveal());
      if ('secretRef' in v && current && context.fingerprints.of(next) === entry.fingerprints[VALUE_PATH]) {
        return { action: 'not-due', message: `the runner secret ${v.secretRef} still holds the current value: update it at the source first, then rotate` };
      }
      let dropped = '';
      if (revoke) {
        if (previous) await client.removeEnv(slot.address, project, previous.id);
        await writeValue(context, project, slot, entry, current, next, now);
      } else {
        if (previous && current) {
          // Rotating again inside a grace period: the value before the previous one stops now.
          await client.removeEnv(slot.address, project, previous.id);
          dropped = ` (the value before it, kept until ${parsePreviousComment(previous.comment)!.until}, stopped working)`;
        }
        if (current) await client.editEnv(slot.address, project, current.id, { key: previousKey, comment: previousComment(key, until) });
        await writeValue(context, project, slot, entry, undefined, next, now);
      }
      const effect = await takeEffect();
      return revoke
        ? { action: 'revoked', message: `${key} replaced and no previous value kept; ${effect}. Anything still holding the old value fails now: ${slot.variable.description}` }
        : { action: 'rotated', message: `new value published as ${key}; the previous one stays as ${previousKey} until ${until.toISOString()}${dropped}; ${effect}` };
    },
  };
}

/** Vercel applies variables when a deployment is built: production is redeployed; other targets get them on their next build. */
async function takeEffectOf(context: VercelRotationContext, project: string, slot: EnvSlot): Promise<string> {
  if (slot.target !== 'production') return `${slot.target} deployments pick it up on their next build`;
  const before = context.redeployer.created.length;
  await context.redeployer.request(project, slot.address);
  return context.redeployer.created.length > before ? 'production redeployed' : 'production not redeployed (see the progress note)';
}

/** Writes the slot's value (into `current`, or a new variable) and records its fingerprint and id in the inventory. */
async function writeValue(context: VercelRotationContext, project: string, slot: EnvSlot, entry: InventoryEntry, current: EnvInfo | undefined, value: Sensitive<string>, now: Date): Promise<void> {
  let id: string;
  if (current) {
    await context.client.editEnv(slot.address, project, current.id, { value: value.reveal() });
    id = current.id;
  } else {
    id = (await context.client.createEnv(slot.address, project, {
      key: slot.variable.key,
      value: value.reveal(),
      type: envType(slot.variable, slot.target),
      target: [slot.target],
      comment: slot.variable.description,
      ...(slot.variable.gitBranch ? { gitBranch: slot.variable.gitBranch } : {}),
    })).id;
  }
  await context.store.putInventory([{ ...entry, providerId: id, fingerprints: { ...entry.fingerprints, [VALUE_PATH]: context.fingerprints.of(value) }, updatedAt: now.toISOString() }]);
}

/** The variables of a venture in one environment whose value is this output: they receive a rotated key. */
export function vercelOutputConsumers(context: VercelRotationContext, doc: VentureDoc, environmentsByTarget: Map<VercelTarget, string>, environment: string, output: SupabaseOutput): SecretConsumer[] {
  const project = vercelProjectName(doc);
  return envSlots(doc, environmentsByTarget)
    .filter((slot) => slot.environment === environment && 'output' in slot.variable.value && slot.variable.value.output === output)
    .map((slot) => {
      const entryOf = async () => (await context.store.listInventory(slot.environment)).find((e) => e.address === slot.address);
      return {
        address: slot.address,
        async holds(fingerprint) {
          const entry = await entryOf();
          return !entry || entry.fingerprints[VALUE_PATH] === fingerprint;
        },
        async deliver(value, now) {
          const entry = await entryOf();
          if (!entry) return 'not applied yet: the next apply writes the new value';
          const current = ((await context.client.listEnvs(slot.address, project)) ?? []).find((e) => sameSlot(e, slot.variable.key, slot));
          await writeValue(context, project, slot, entry, current, value, now);
          return `${slot.variable.key} updated; ${await takeEffectOf(context, project, slot)}`;
        },
      };
    });
}
