/**
 * A secret value in memory. Every way it could leak into text (string conversion, JSON,
 * util.inspect, template literals) yields `[secret]`; only `reveal()` returns the value,
 * and only provider code that writes to a target system calls it.
 */
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
export const MASK = '[secret]';

export class Sensitive<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspectSymbol](): string {
    return MASK;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }
}

export function isSensitive(value: unknown): value is Sensitive<unknown> {
  return value instanceof Sensitive;
}
