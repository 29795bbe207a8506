import { fail, invalidRequest } from './errors.ts';

// Request-body checks worded as GitHub's schema validator words them, e.g.
// `Invalid request.\n\n"sha" wasn't supplied.` and `For 'properties/state', "x" is not a string.`

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A missing body counts as `{}` where every field is optional (PATCH), as on GitHub. */
export function bodyObject(v: unknown): Obj {
  if (v === undefined) return {};
  if (!isObject(v)) fail(400, 'Problems parsing JSON');
  return v;
}

function wrongType(key: string, v: unknown, type: string): never {
  return invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not ${type}.`);
}

export function reqString(o: Obj, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) invalidRequest(`"${key}" wasn't supplied.`);
  if (typeof v !== 'string') wrongType(key, v, 'a string');
  return v;
}

export function optString(o: Obj, key: string): string | undefined {
  return o[key] === undefined ? undefined : reqString(o, key);
}

/** undefined = not sent (keep), null = sent as null (clear). */
export function optNullableString(o: Obj, key: string): string | null | undefined {
  const v = o[key];
  if (v === null) return null;
  if (v !== undefined && typeof v !== 'string') wrongType(key, v, 'a string or null');
  return v;
}

export function optBoolean(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') wrongType(key, v, 'a boolean');
  return v;
}

export function optInteger(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) wrongType(key, v, 'an integer');
  return v;
}

export function optEnum<T extends string>(o: Obj, key: string, allowed: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) {
    invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not one of [${allowed.map((a) => JSON.stringify(a)).join(', ')}].`);
  }
  return v as T;
}

export function optStringArray(o: Obj, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) wrongType(key, v, 'an array');
  v.forEach((item, i) => {
    if (typeof item !== 'string') invalidRequest(`For 'items', ${JSON.stringify(item)} is not a string (at ${key}[${i}]).`);
  });
  return v as string[];
}

/** Characters as GitHub counts them: code points, not UTF-16 units. */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The schema's maxLength check, with GitHub's message. */
export function checkMaxChars(value: string | null | undefined, max: number): void {
  if (value === null || value === undefined) return;
  if (value.length <= max) return; // fast path: code points never exceed UTF-16 units
  const n = charLength(value);
  if (n > max) invalidRequest(`Only ${max} characters are allowed; ${n} were supplied.`);
}

/** The schema's maxItems check, with GitHub's message. */
export function checkMaxItems(items: readonly unknown[] | undefined, max: number): void {
  if (items !== undefined && items.length > max) invalidRequest(`No more than ${max} items are allowed; ${items.length} were supplied.`);
}

/** List filters: GitHub ignores values it does not know and uses the default. */
export function queryEnum<T extends string>(q: URLSearchParams, key: string, allowed: readonly T[], fallback: T): T {
  const v = q.get(key);
  return v !== null && allowed.includes(v as T) ? (v as T) : fallback;
}

/** `since` filters: ISO 8601; anything else is ignored by GitHub rather than rejected. */
export function querySince(q: URLSearchParams): number | undefined {
  const v = q.get('since');
  if (!v) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}
