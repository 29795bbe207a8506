/**
 * The planner: reads live state once per (provider, kind, scope), pairs it with the desired
 * resources by address, diffs declared fields only, and applies the safety rules. The result
 * is a plain-JSON Plan plus the context the applier needs to execute exactly that plan.
 */
import { canonicalJson, sha256 } from '../diff/canonical.ts';
import { diffDeclared, getPointer, isFingerprint, isPlainObject, overlayDeclared } from '../diff/declared.ts';
import { maskFieldChange, maskPaths, maskValue } from '../diff/mask.ts';
import { parseAddress, type Address } from '../model/address.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Reporter } from '../model/events.ts';
import { KNOWN_AFTER_APPLY, PLAN_FORMAT_VERSION, UNMANAGED_NOTE, type Action, type Change, type FieldChange, type Plan, type PlanSummary, type UnmanagedResource } from '../model/plan.ts';
import type { Provider, ResourceKind } from '../model/provider.ts';
import type { DesiredResource, JsonObject, JsonValue, ObservedResource } from '../model/resource.ts';
import type { InventoryEntry, StateStore } from '../model/state.ts';
import type { Fingerprinter } from '../secrets/fingerprint.ts';
import { processRedactor } from '../secrets/redact.ts';
import { Semaphore } from './concurrency.ts';
import { findCycle } from './graph.ts';
import { resolveForPlan, type PlanResolution, type SecretSource } from './resolve.ts';

export interface Tombstones {
  addresses: Set<string>;
  environments: Set<string>;
  ventures: Set<string>;
}

export interface PlanOptions {
  environments?: string[];
  ventures?: string[];
  revision?: string;
  tombstones?: Tombstones;
  /** Existing resources the operator asked to take over (`--adopt`). */
  adopt?: string[];
  /** Share of an environment's owned resources that may be deleted or replaced in one plan. */
  deleteThreshold?: number;
  allowDestructive?: boolean;
  /** Deleting protected resources was approved outside git (a pull-request label on a revert). */
  approveProtected?: boolean;
  protectedEnvironments?: Set<string>;
}

export interface PlanInput {
  desired: DesiredResource[];
  providers: Provider[];
  store: StateStore;
  secrets: SecretSource;
  fingerprints: Fingerprinter;
  reporter: Reporter;
  options?: PlanOptions;
}

export interface PlanContext {
  desired: Map<Address, DesiredResource>;
  observed: Map<Address, ObservedResource>;
  inventory: Map<Address, InventoryEntry>;
  /** Owned addresses that no longer exist anywhere: the applier forgets them. */
  vanished: Address[];
  /** Owned addresses whose secret fingerprints were made with the previous fingerprint key: apply stores them re-stamped (in `inventory`). */
  rekeyed: Address[];
  kinds: Map<string, { provider: Provider; kind: ResourceKind }>;
}

export interface PlanResult {
  plan: Plan;
  context: PlanContext;
}

const kindKey = (provider: string, kind: string) => `${provider}/${kind}`;

export async function computePlan(input: PlanInput): Promise<PlanResult> {
  const options = input.options ?? {};
  const diagnostics: Diagnostic[] = [];
  const inScope = (environment: string, venture?: string) =>
    (!options.environments?.length || options.environments.includes(environment)) &&
    (!options.ventures?.length || (venture !== undefined && options.ventures.includes(venture)));

  const kinds = new Map<string, { provider: Provider; kind: ResourceKind }>();
  for (const provider of input.providers) for (const kind of provider.kinds) kinds.set(kindKey(provider.name, kind.kind), { provider, kind });

  const desired = new Map<Address, DesiredResource>();
  for (const resource of input.desired) if (inScope(resource.environment, resource.venture)) desired.set(resource.address, resource);
  const inventory = new Map<Address, InventoryEntry>();
  // Everything Shipyard manages, in scope or not: a project's variables for another environment are not "unmanaged".
  const managed = new Set<Address>(input.desired.map((r) => r.address));
  for (const entry of await input.store.listInventory()) {
    managed.add(entry.address);
    if (inScope(entry.environment, entry.venture)) inventory.set(entry.address, entry);
  }

  const cycle = findCycle(new Map([...desired.values()].map((r) => [r.address, r.dependsOn])));
  if (cycle) {
    const first = desired.get(cycle[0]!);
    diagnostics.push({ file: first?.source?.file ?? '', line: first?.source?.line ?? 1, column: 1, severity: 'error', code: 'graph.cycle', message: `dependency cycle: ${cycle.join(' → ')}`, hint: 'Break the cycle: one of these resources must not consume an output of the other.' });
  }

  // Read: one list call per (provider, kind, scope), concurrently within each provider's bound.
  const scopes = new Map<string, { provider: Provider; kind: ResourceKind; scope: string }>();
  const unknownKinds = new Set<string>();
  for (const address of [...desired.keys(), ...inventory.keys()]) {
    const { provider, kind, scope } = parseAddress(address);
    const entry = kinds.get(kindKey(provider, kind));
    if (!entry) {
      unknownKinds.add(kindKey(provider, kind));
      continue;
    }
    scopes.set(`${provider}\u0000${kind}\u0000${scope}`, { ...entry, scope });
  }
  for (const missing of unknownKinds) {
    diagnostics.push({ file: '', line: 1, column: 1, severity: 'error', code: 'provider.unknown-kind', message: `no provider offers ${missing}`, hint: 'Configure the provider (credentials or the sandbox) before planning these resources.' });
  }
  const observed = new Map<Address, ObservedResource>();
  const failedScopes = new Set<string>();
  const limits = new Map(input.providers.map((p) => [p.name, new Semaphore(p.concurrency)]));
  await Promise.all(
    [...scopes.entries()].map(([key, { provider, kind, scope }]) =>
      limits.get(provider.name)!.run(async () => {
        input.reporter.emit({ type: 'read.started', provider: provider.name, kind: kind.kind, scope });
        try {
          const items = await kind.list(scope);
          for (const item of items) observed.set(item.address, item);
          input.reporter.emit({ type: 'read.finished', provider: provider.name, kind: kind.kind, scope, count: items.length });
        } catch (error) {
          failedScopes.add(key);
          const message = processRedactor.scrub(error instanceof Error ? error.message : String(error));
          input.reporter.emit({ type: 'read.failed', provider: provider.name, kind: kind.kind, scope, error: message });
          diagnostics.push({ file: '', line: 1, column: 1, severity: 'warning', code: 'read.failed', message: `reading ${provider.name} ${kind.kind} in ${scope} failed: ${message}`, hint: 'Resources there are left out of this plan, and no resource is deleted in a run where a read failed. Fix access and plan again.' });
        }
      }),
    ),
  );
  const readFailed = (address: Address) => {
    const { provider, kind, scope } = parseAddress(address);
    return failedScopes.has(`${provider}\u0000${kind}\u0000${scope}`);
  };

  const outputs = (address: Address, name: string) => observed.get(address)?.outputs?.[name];
  const adopt = new Set(options.adopt ?? []);
  const changes: Change[] = [];
  const compared = new Map<Address, { desired: JsonValue; live?: JsonValue; sensitive: string[] }>();
  const vanished: Address[] = [];
  const rekeyed: Address[] = [];
  let unverifiable = 0;

  for (const address of [...new Set([...desired.keys(), ...inventory.keys()])].sort()) {
    const want = desired.get(address);
    const live = observed.get(address);
    const owned = inventory.get(address);
    const { provider, kind } = parseAddress(address);
    const kindInfo = kinds.get(kindKey(provider, kind));
    if (!kindInfo) continue;
    if (readFailed(address)) continue;

    if (want) {
      // A resource that must be created again gets new generated secrets: stored fingerprints only count while it exists.
      const resolveWith = (stored: Record<string, string>) => resolveForPlan(want.spec, { secrets: input.secrets, fingerprints: input.fingerprints, outputs, stored });
      let resolution = resolveWith(live ? (owned?.fingerprints ?? {}) : {});
      const restamped = live && owned ? restampFingerprints(owned.fingerprints, resolution, live, input.fingerprints) : {};
      if (owned && Object.keys(restamped).length > 0) {
        // Made with the previous key and still the same value: compare (and later store) under the new key.
        inventory.set(address, { ...owned, fingerprints: { ...owned.fingerprints, ...restamped } });
        rekeyed.push(address);
        resolution = resolveWith(inventory.get(address)!.fingerprints);
      }
      for (const name of resolution.missingSecrets) {
        diagnostics.push({ file: want.source?.file ?? '', line: want.source?.line ?? 1, column: 1, severity: 'error', code: 'secret.missing', message: `${address}: the runner secret ${name} is not set`, hint: `Add ${name} to the repository's Actions secrets (or export it before running shipyard).` });
      }
      const base = { address, provider, kind, scope: want.scope, environment: want.environment, venture: want.venture, dependsOn: [...want.dependsOn].sort(), source: want.source };
      if (!live) {
        changes.push({ ...base, action: 'create', after: maskValue(resolution.comparable), fields: [], reason: owned ? 'owned but missing from the live system: recreate' : undefined });
        compared.set(address, { desired: resolution.comparable, sensitive: resolution.sensitive });
        continue;
      }
      if (!owned && !adopt.has(address) && !want.adopt) {
        diagnostics.push({ file: want.source?.file ?? '', line: want.source?.line ?? 1, column: 1, severity: 'error', code: 'ownership.conflict', message: `${address} already exists but Shipyard does not own it`, hint: `Take it over with \`shipyard plan --adopt ${address}\` (the plan shows what changes), or remove it from the config.` });
        continue;
      }
      const liveComparable = comparableObserved(live, resolution, inventory.get(address)?.fingerprints ?? {}, input.fingerprints);
      // A write-only field that is not a secret has no fingerprint to compare: it cannot be verified, not "changed".
      for (const path of live.writeOnly ?? []) {
        const declared = getPointer(resolution.comparable, path);
        if (!resolution.sensitive.includes(path) && declared !== undefined) setPointer(liveComparable as JsonObject, path, declared);
      }
      const fields = diffDeclared(resolution.comparable, liveComparable);
      const unverifiableFields = (live.writeOnly ?? [])
        .filter((path) => getPointer(resolution.comparable, path) !== undefined && !fields.some((f) => f.path === path))
        .map((path): FieldChange => ({ path, sensitive: true, unverifiable: true }));
      unverifiable += unverifiableFields.length;
      const replaceOn = kindInfo.kind.replaceOn ?? [];
      const forcing = fields.filter((f) => replaceOn.some((p) => f.path === p || f.path.startsWith(`${p}/`)));
      const action: Action = forcing.length > 0 ? 'replace' : fields.length > 0 || !owned ? 'update' : 'noop';
      const reason = action === 'replace' ? `${forcing.map((f) => f.path).join(', ')} cannot change in place` : !owned ? 'adopt: Shipyard takes ownership' : undefined;
      changes.push({
        ...base,
        action,
        before: maskValue(project(liveComparable, resolution.comparable)),
        after: maskValue(resolution.comparable),
        fields: [...fields.map((f) => maskFieldChange({ ...f, sensitive: resolution.sensitive.includes(f.path) || undefined, forcesReplacement: forcing.includes(f) || undefined })), ...unverifiableFields].sort((a, b) => a.path.localeCompare(b.path)),
        reason,
        irreversible: action === 'replace' && kindInfo.kind.irreversibleOnDelete ? [kindInfo.kind.irreversibleOnDelete] : undefined,
      });
      compared.set(address, { desired: resolution.comparable, live: liveComparable, sensitive: resolution.sensitive });
      continue;
    }

    // Owned, no longer desired.
    if (!owned) continue;
    if (!live) {
      vanished.push(address);
      continue;
    }
    changes.push({
      address, provider, kind, scope: parseAddress(address).scope, environment: owned.environment, venture: owned.venture,
      action: 'delete', before: maskPaths(live.state, kindInfo.kind.sensitivePaths ?? []), fields: [], dependsOn: [...(owned.dependsOn ?? [])].sort(),
      reason: 'no longer in the config',
      irreversible: kindInfo.kind.irreversibleOnDelete ? [kindInfo.kind.irreversibleOnDelete] : undefined,
    });
    compared.set(address, { desired: null, live: maskPaths(live.state, kindInfo.kind.sensitivePaths ?? []), sensitive: [] });
  }

  await previewChanges(changes, compared, kinds, limits, diagnostics, observed, desired);
  // Unchanged resources are not part of what is reviewed: a merge elsewhere must not invalidate this plan.
  const fingerprintBasis = changes.filter((c) => c.action !== 'noop').map((c) => {
    const detail = compared.get(c.address);
    const live = c.action === 'delete' ? detail?.live : c.action === 'create' ? undefined : project(detail?.live, detail?.desired ?? {});
    return { address: c.address, action: c.action, desired: detail?.desired, observed: live };
  });

  const unmanaged: UnmanagedResource[] = [...observed.values()]
    .filter((o) => !managed.has(o.address))
    .map((o) => {
      const scope = parseAddress(o.address).scope;
      return { address: o.address, environment: environmentOfScope(scope, desired, inventory), note: o.note ?? UNMANAGED_NOTE };
    })
    .filter((u) => inScope(u.environment))
    .sort((a, b) => a.address.localeCompare(b.address));

  if (rekeyed.length > 0) {
    diagnostics.push({ file: '', line: 1, column: 1, severity: 'warning', code: 'fingerprint.rekey', message: `${rekeyed.length} resource(s) hold secret fingerprints made with the previous fingerprint key; the values are unchanged, and apply stores them under the new key`, hint: 'Apply every environment once, then remove SHIPYARD_FINGERPRINT_KEY_PREVIOUS.' });
  }
  diagnostics.push(...safetyChecks(changes, inventory, desired, options, failedScopes.size > 0));
  const summary = summarise(changes, unverifiable, unmanaged.length);
  const fingerprint = sha256(canonicalJson({ formatVersion: PLAN_FORMAT_VERSION, basis: fingerprintBasis }));
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    fingerprint,
    ...(options.revision ? { revision: options.revision } : {}),
    changes,
    unmanaged,
    summary,
    diagnostics,
    complete: failedScopes.size === 0,
  };
  return { plan, context: { desired, observed, inventory, vanished, rekeyed, kinds } };
}

/**
 * Asks kinds that can preview (a server-side dry run) what they would store: an update whose
 * only differences are server defaults becomes a no-op, and an object the server rejects is a
 * plan error rather than an apply failure.
 */
async function previewChanges(
  changes: Change[],
  compared: Map<Address, { desired: JsonValue; live?: JsonValue; sensitive: string[] }>,
  kinds: Map<string, { provider: Provider; kind: ResourceKind }>,
  limits: Map<string, Semaphore>,
  diagnostics: Diagnostic[],
  observed: Map<Address, ObservedResource>,
  desired: Map<Address, DesiredResource>,
): Promise<void> {
  const keep = (leaf: JsonValue) => isFingerprint(leaf) || leaf === KNOWN_AFTER_APPLY;
  await Promise.all(changes.map(async (change, index) => {
    if (change.action !== 'create' && change.action !== 'update') return;
    const { provider, kind } = kinds.get(kindKey(change.provider, change.kind))!;
    const detail = compared.get(change.address);
    if (!kind.preview || !detail || !isPlainObject(detail.desired)) return;
    try {
      const previewed = await limits.get(provider.name)!.run(() => kind.preview!(change.address, detail.desired as JsonObject, observed.get(change.address)));
      if (change.action !== 'update' || detail.live === undefined) return;
      const settled = overlayDeclared(detail.desired, previewed, keep);
      const fields = diffDeclared(settled, detail.live);
      const kept = change.fields.filter((f) => f.unverifiable || fields.some((g) => g.path === f.path));
      if (fields.length === 0 && change.reason === undefined) changes[index] = { ...change, action: 'noop', fields: kept };
      else changes[index] = { ...change, fields: kept.length > 0 ? kept : change.fields };
    } catch (error) {
      const message = processRedactor.scrub(error instanceof Error ? error.message : String(error));
      const source = desired.get(change.address)?.source;
      diagnostics.push({ file: source?.file ?? '', line: source?.line ?? 1, column: 1, severity: 'error', code: 'provider.rejected', message: `${change.address}: ${message}`, hint: 'The live system refuses this object as declared; fix the config (the message above says what it rejects).' });
    }
  }));
}

/**
 * While the fingerprint key is being replaced: the stored fingerprints made with the previous key
 * whose value is unchanged, fingerprinted again with the new key. The value is known from the
 * desired side (a runner secret, an output) or from a readable live value; a generated value
 * that cannot be read back keeps its old fingerprint, which stays a valid identity.
 */
function restampFingerprints(stored: Record<string, string>, resolution: PlanResolution, live: ObservedResource, fingerprints: Fingerprinter): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fingerprints.rekeying) return out;
  for (const path of resolution.sensitive) {
    const old = stored[path];
    if (!old) continue;
    const desired = getPointer(resolution.comparable, path);
    if (resolution.previous[path] === old && isPlainObject(desired) && typeof desired.$fp === 'string') {
      out[path] = desired.$fp;
      continue;
    }
    const value = getPointer(live.state, path);
    if (typeof value === 'string' && !(live.writeOnly ?? []).includes(path) && fingerprints.previousOf(value) === old) out[path] = fingerprints.of(value);
  }
  return out;
}

/** Secret leaves of the live state as fingerprints: readable ones hashed now, write-only ones from the inventory. */
function comparableObserved(live: ObservedResource, resolution: PlanResolution, stored: Record<string, string>, fingerprints: Fingerprinter): JsonValue {
  const state = structuredClone(live.state) as JsonObject;
  for (const path of resolution.sensitive) {
    const value = getPointer(state, path);
    const replacement: JsonValue | undefined =
      typeof value === 'string' && !(live.writeOnly ?? []).includes(path) ? { $fp: fingerprints.of(value) } : stored[path] ? { $fp: stored[path] } : undefined;
    setPointer(state, path, replacement ?? '[unreadable]');
  }
  return state;
}

function setPointer(target: JsonObject, pointer: string, value: JsonValue): void {
  const parts = pointer.slice(1).split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  let node: JsonValue = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node) && !Array.isArray(node)) return;
    const record = node as Record<string, JsonValue>;
    if (record[part] === undefined || record[part] === null) record[part] = {};
    node = record[part]!;
  }
  if (isPlainObject(node) || Array.isArray(node)) (node as Record<string, JsonValue>)[parts.at(-1)!] = value;
}

/** The live value restricted to the fields the config declares (what `before` shows). */
function project(live: JsonValue | undefined, declared: JsonValue): JsonValue | undefined {
  if (isPlainObject(declared) && !('$fp' in declared)) {
    if (!isPlainObject(live)) return live;
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(declared).sort()) {
      const value = project(live[key], declared[key]!);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return live;
}

function environmentOfScope(scope: string, desired: Map<Address, DesiredResource>, inventory: Map<Address, InventoryEntry>): string {
  for (const resource of desired.values()) if (resource.scope === scope) return resource.environment;
  for (const entry of inventory.values()) if (parseAddress(entry.address).scope === scope) return entry.environment;
  return scope;
}

function safetyChecks(changes: Change[], inventory: Map<Address, InventoryEntry>, desired: Map<Address, DesiredResource>, options: PlanOptions, anyReadFailed: boolean): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (change: Change) => ({ file: change.source?.file ?? '', line: change.source?.line ?? 1, column: 1, severity: 'error' as const });
  const tombstones = options.tombstones ?? { addresses: new Set(), environments: new Set(), ventures: new Set() };
  const tombstoned = (change: Change) =>
    tombstones.addresses.has(change.address) || tombstones.environments.has(change.environment) || (change.venture !== undefined && tombstones.ventures.has(change.venture));
  const destructive = changes.filter((c) => c.action === 'delete' || c.action === 'replace');
  if (anyReadFailed && destructive.some((c) => c.action === 'delete')) {
    diagnostics.push({ file: '', line: 1, column: 1, severity: 'error', code: 'safety.read-failed', message: `${destructive.filter((c) => c.action === 'delete').length} deletion(s) planned in a run where a read failed`, hint: 'Fix the failing read and plan again; Shipyard never deletes on partial knowledge.' });
  }
  for (const change of destructive) {
    const isProtected = desired.get(change.address)?.protected ?? inventory.get(change.address)?.protected ?? false;
    if (isProtected && !tombstoned(change) && !options.approveProtected) {
      diagnostics.push({ ...at(change), code: 'safety.protected', message: `${change.address} is protected and would be ${change.action === 'delete' ? 'deleted' : 'replaced'}`, hint: `Add a tombstone for ${change.address} in the venture's \`protection.tombstones\` (or replace the file's spec with a \`tombstone\`) to allow it.` });
    }
  }
  const byEnvironment = new Map<string, Change[]>();
  for (const change of destructive) byEnvironment.set(change.environment, [...(byEnvironment.get(change.environment) ?? []), change]);
  const threshold = options.deleteThreshold ?? 0.25;
  for (const [environment, envChanges] of [...byEnvironment.entries()].sort()) {
    if (options.allowDestructive || tombstones.environments.has(environment)) continue;
    const owned = [...inventory.values()].filter((e) => e.environment === environment).length;
    if (options.protectedEnvironments?.has(environment)) {
      diagnostics.push({ file: '', line: 1, column: 1, severity: 'error', code: 'safety.protected-environment', message: `${envChanges.length} delete/replace change(s) in protected environment ${environment}`, hint: 'Review them, then apply with `--allow-destructive` (or tombstone the resources).' });
    } else if (owned > 0 && envChanges.length / owned > threshold) {
      diagnostics.push({ file: '', line: 1, column: 1, severity: 'error', code: 'safety.threshold', message: `${envChanges.length} of ${owned} owned resources in ${environment} would be deleted or replaced (more than ${Math.round(threshold * 100)}%)`, hint: 'If that is intended, apply with `--allow-destructive`.' });
    }
  }
  return diagnostics;
}

function summarise(changes: Change[], unverifiable: number, unmanaged: number): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0, noop: 0, unverifiable, unmanaged };
  for (const change of changes) summary[change.action]++;
  return summary;
}
