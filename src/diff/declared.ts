/**
 * The diff of declared fields only (DESIGN §4 rule 3): a field the config does not mention is
 * never compared, so server defaults, status and fields owned by others make no noise.
 * Objects are compared key by key; arrays and scalars as whole values.
 */
import type { FieldChange } from '../model/plan.ts';
import type { JsonValue } from '../model/resource.ts';
import { deepEqual } from './canonical.ts';

export function diffDeclared(desired: JsonValue, observed: JsonValue | undefined, path = ''): FieldChange[] {
  if (isPlainObject(desired) && !isFingerprint(desired)) {
    const live = isPlainObject(observed) ? observed : {};
    return Object.keys(desired)
      .sort()
      .flatMap((key) => diffDeclared(desired[key]!, live[key], `${path}/${escapePointer(key)}`));
  }
  if (deepEqual(desired, observed)) return [];
  return [{ path: path || '/', before: observed ?? null, after: desired }];
}

/** A secret leaf in comparable form: `{ $fp: hmac }`. Equal fingerprints mean equal values. */
export function isFingerprint(value: unknown): value is { $fp: string } {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof (value as { $fp?: unknown }).$fp === 'string';
}

export function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function getPointer(value: JsonValue | undefined, pointer: string): JsonValue | undefined {
  if (pointer === '' || pointer === '/') return value;
  let node = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, JsonValue>)[key];
  }
  return node;
}

/**
 * The declared structure filled with another object's values (a server's preview of it):
 * extra fields of the source are dropped, secret and unknown leaves of the declared side kept.
 */
export function overlayDeclared(declared: JsonValue, source: JsonValue | undefined, keep: (leaf: JsonValue) => boolean): JsonValue {
  if (keep(declared)) return declared;
  if (isPlainObject(declared) && !isFingerprint(declared)) {
    const from = isPlainObject(source) ? source : {};
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(declared)) out[key] = overlayDeclared(declared[key]!, from[key], keep);
    return out;
  }
  if (containsLeaf(declared, keep)) return declared;
  return source === undefined ? declared : source;
}

function containsLeaf(value: JsonValue, keep: (leaf: JsonValue) => boolean): boolean {
  if (keep(value)) return true;
  if (Array.isArray(value)) return value.some((v) => containsLeaf(v, keep));
  if (isPlainObject(value)) return Object.values(value).some((v) => containsLeaf(v, keep));
  return false;
}
