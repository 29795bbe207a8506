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
