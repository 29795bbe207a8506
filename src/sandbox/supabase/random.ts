import { seededRandom } from '../emulator-kit/faults.ts';

// Project refs, key ids and key material from one seeded generator, so a run with the same seed
// produces the same refs and keys (stable test output). Not for real secrets.

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdef';

export class RandomSource {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = seededRandom(seed);
  }

  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.#next() * alphabet.length)];
    return out;
  }

  /** 20 lowercase letters, the shape the API's `ref` pattern requires. */
  projectRef(): string {
    return this.chars(LOWER, 20);
  }

  uuid(): string {
    const h = this.chars(HEX, 32).split('');
    h[12] = '4';
    h[16] = HEX[(parseInt(h[16] ?? '0', 16) & 0x3) | 0x8] ?? '8';
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  token(n: number): string {
    return this.chars(B64URL, n);
  }
}
