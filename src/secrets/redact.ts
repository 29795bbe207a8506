/**
 * Scrubs secrets out of text before it reaches an error, a log or a comment: every value that
 * was resolved in this process, plus credential shapes (bearer tokens, passwords in URLs).
 */
import { MASK } from '../model/sensitive.ts';

const credentialShapes: [RegExp, string][] = [
  [/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${MASK}`],
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, `$1${MASK}@`],
  [/\b(sb_secret_|sbp_|gh[pousr]_|sk_live_|sk_test_)[A-Za-z0-9_-]{6,}/g, `$1${MASK}`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, MASK],
];

export class Redactor {
  readonly #values = new Set<string>();
  readonly #listeners: ((value: string) => void)[] = [];

  /** Remember a secret so that later text can be scrubbed of it; short values would redact noise. */
  add(value: string): void {
    if (value.length < 6 || this.#values.has(value)) return;
    this.#values.add(value);
    for (const listener of this.#listeners) listener(value);
  }

  /** Called for every secret, past and future (the actions pass each one to core.setSecret). */
  onAdd(listener: (value: string) => void): void {
    this.#listeners.push(listener);
    for (const value of this.#values) listener(value);
  }

  scrub(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) out = out.split(value).join(MASK);
    for (const [pattern, replacement] of credentialShapes) out = out.replace(pattern, replacement);
    return out;
  }
}

/** One per process: every Sensitive that is revealed for a write is registered here. */
export const processRedactor = new Redactor();
