/**
 * Fingerprints of secret values: HMAC-SHA256 with a key the operator supplies, so the state
 * store can tell whether a value changed without ever holding it (DESIGN §4 rule 8).
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { GenerateSource, SecretSource } from '../model/config.ts';
import type { GenerateRule } from '../model/resource.ts';
import { Sensitive } from '../model/sensitive.ts';

export class Fingerprinter {
  readonly #key: Buffer;
  readonly #previous: Buffer | undefined;

  /**
   * `previousKey`: the key being retired (SHIPYARD_FINGERPRINT_KEY_PREVIOUS). While it is set,
   * a stored fingerprint made with it still matches, and the next apply re-stamps it with `key`.
   */
  constructor(key: string | Buffer, previousKey?: string | Buffer) {
    this.#key = keyBytes(key, 'SHIPYARD_FINGERPRINT_KEY');
    this.#previous = previousKey === undefined ? undefined : keyBytes(previousKey, 'SHIPYARD_FINGERPRINT_KEY_PREVIOUS');
  }

  of(value: Sensitive<string> | string): string {
    return hmac(this.#key, value);
  }

  /** True while a previous key is configured. */
  get rekeying(): boolean {
    return this.#previous !== undefined;
  }

  /** The fingerprint under the previous key, when there is one. */
  previousOf(value: Sensitive<string> | string): string | undefined {
    return this.#previous ? hmac(this.#previous, value) : undefined;
  }
}

function keyBytes(key: string | Buffer, name: string): Buffer {
  if (key.length < 16) throw new Error(`the fingerprint key must be at least 16 bytes (${name})`);
  return Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
}

function hmac(key: Buffer, value: Sensitive<string> | string): string {
  const plain = typeof value === 'string' ? value : value.reveal();
  return `hmac-sha256:${createHmac('sha256', key).update(plain).digest('base64url').slice(0, 32)}`;
}

const alphabets: Record<GenerateRule['$generate']['alphabet'], string> = {
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  hex: '0123456789abcdef',
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  password: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%+-.:=?@^_~',
};

/** A config `generate` block with its defaults filled in (48 characters, base64url). */
export function generateRule(source: GenerateSource): GenerateRule['$generate'] {
  return { length: source.generate.length ?? 48, alphabet: source.generate.alphabet ?? 'base64url' };
}

/** Where a secret's value comes from, for people: `runner secret NAME` or `generated (48 base64url)`. */
export function describeSecretSource(source: SecretSource): string {
  if ('secretRef' in source) return `runner secret ${source.secretRef}`;
  const rule = generateRule(source);
  return `generated (${rule.length} ${rule.alphabet})`;
}

/** The value a rotation publishes: the runner secret's current value, or a fresh one; undefined when the runner secret is not set. */
export function nextSecretValue(source: SecretSource, lookup: (name: string) => Sensitive<string> | undefined): Sensitive<string> | undefined {
  return 'secretRef' in source ? lookup(source.secretRef) : generateSecret(generateRule(source));
}

/** A fresh random value; rejection-free because randomInt is uniform. */
export function generateSecret(rule: GenerateRule['$generate']): Sensitive<string> {
  const chars = alphabets[rule.alphabet];
  let out = '';
  for (let i = 0; i < rule.length; i++) out += chars[randomInt(chars.length)];
  return new Sensitive(out);
}

export function randomKey(): string {
  return randomBytes(32).toString('base64url');
}
