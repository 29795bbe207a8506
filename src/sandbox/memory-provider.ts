/**
 * An in-memory provider for engine tests, the benchmark and the sandbox: it stores whatever it
 * is given, keyed like a real API by generated ids (so a careless engine could create
 * duplicates, and the contract suite would see them). It counts calls, can add latency, fail
 * on demand, and persist to a file so that a killed process leaves real state behind.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { parseAddress, type Address } from '../model/address.ts';
import { KeepExisting, TransientError, type ApplyOperation, type ApplyResult, type Provider, type ResolvedValue, type ResourceKind } from '../model/provider.ts';
import type { JsonObject, JsonValue, ObservedResource } from '../model/resource.ts';
import { isSensitive, Sensitive } from '../model/sensitive.ts';

export interface MemoryKindOptions {
  kind: string;
  replaceOn?: string[];
  /** Fields that can be written but never read back (like Vercel sensitive env vars); may depend on the object. */
  writeOnly?: string[] | ((state: JsonObject) => string[]);
  sensitivePaths?: string[];
  irreversibleOnDelete?: string;
  /** Outputs a created resource exposes to others (e.g. an API key). */
  outputs?: (address: Address, id: string) => Record<string, string | Sensitive<string>>;
}

export interface StoredObject {
  id: string;
  address: Address;
  state: JsonObject;
  outputs: Record<string, { value: string; sensitive: boolean }>;
}

export interface MemoryProviderOptions {
  name: string;
  kinds: MemoryKindOptions[];
  concurrency?: number;
  latencyMs?: number;
  /** Persist live state here after every write (atomic rename). */
  file?: string;
}

export type FaultRule = { match: (op: ApplyOperation | { action: 'list'; scope: string }) => boolean; error: () => Error; times: number };

export class MemoryProvider implements Provider {
  readonly name: string;
  readonly kinds: ResourceKind[];
  readonly concurrency: number;
  readonly objects = new Map<string, StoredObject>();
  /** Object ids by `kind/scope`: a list reads one scope without scanning every object. */
  readonly #byScope = new Map<string, Set<string>>();
  readonly calls = { list: 0, create: 0, update: 0, delete: 0 };
  /** Highest number of writes in flight at once (the contract checks the bound). */
  maxInFlight = 0;
  latencyMs: number;
  readonly #faults: FaultRule[] = [];
  readonly #file: string | undefined;
  /** Identity of the file version in memory (inode, mtime, size): each save renames a new file into place. */
  #fileVersion: string | undefined;
  #inFlight = 0;
  #afterWrite: ((op: ApplyOperation) => void) | undefined;

  constructor(options: MemoryProviderOptions) {
    this.name = options.name;
    this.concurrency = options.concurrency ?? 4;
    this.latencyMs = options.latencyMs ?? 0;
    this.#file = options.file;
    if (this.#file) this.#load();
    this.kinds = options.kinds.map((k) => this.#kind(k));
  }

  /** Fail the next `times` operations that match. */
  inject(rule: Omit<FaultRule, 'times'> & { times?: number }): void {
    this.#faults.push({ times: 1, ...rule });
  }

  onWrite(callback: (op: ApplyOperation) => void): void {
    this.#afterWrite = callback;
  }

  get writeCalls(): number {
    return this.calls.create + this.calls.update + this.calls.delete;
  }

  resetCounters(): void {
    this.calls.list = this.calls.create = this.calls.update = this.calls.delete = 0;
    this.maxInFlight = 0;
  }

  /** Someone else's object, created behind Shipyard's back. */
  createUnowned(address: Address, state: JsonObject): void {
    this.#store({ id: randomUUID(), address, state, outputs: {} });
    this.#save();
  }

  #store(object: StoredObject): void {
    this.objects.set(object.id, object);
    const { provider, kind, scope } = parseAddress(object.address);
    if (provider !== this.name) return;
    const key = `${kind}/${scope}`;
    if (!this.#byScope.has(key)) this.#byScope.set(key, new Set());
    this.#byScope.get(key)!.add(object.id);
  }

  #remove(object: StoredObject): void {
    this.objects.delete(object.id);
    const { kind, scope } = parseAddress(object.address);
    this.#byScope.get(`${kind}/${scope}`)?.delete(object.id);
  }

  /** A hand edit in the live system. */
  editLive(address: Address, edit: (state: JsonObject) => void): void {
    for (const object of this.objects.values()) if (object.address === address) edit(object.state);
    this.#save();
  }

  findAll(address: Address): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.address === address);
  }

  #kind(options: MemoryKindOptions): ResourceKind {
    return {
      kind: options.kind,
      replaceOn: options.replaceOn,
      sensitivePaths: options.sensitivePaths,
      irreversibleOnDelete: options.irreversibleOnDelete,
      list: async (scope) => {
        this.calls.list++;
        await this.#delay();
        this.#maybeFail({ action: 'list', scope });
        this.#refresh();
        const out: ObservedResource[] = [];
        for (const id of this.#byScope.get(`${options.kind}/${scope}`) ?? []) {
          const object = this.objects.get(id)!;
          const state = structuredClone(object.state);
          const writeOnly = typeof options.writeOnly === 'function' ? options.writeOnly(state) : options.writeOnly;
          for (const path of writeOnly ?? []) deletePointer(state, path);
          const outputs: Record<string, string | Sensitive<string>> = {};
          for (const [name, output] of Object.entries(object.outputs)) outputs[name] = output.sensitive ? new Sensitive(output.value) : output.value;
          out.push({ address: object.address, id: object.id, state, outputs, ...(writeOnly?.length ? { writeOnly } : {}) });
        }
        return out;
      },
      apply: async (op) => {
        this.#inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
        try {
          await this.#delay();
          this.#maybeFail(op);
          this.#refresh();
          const result = this.#write(op, options);
          this.#save();
          this.#afterWrite?.(op);
          return result;
        } finally {
          this.#inFlight--;
        }
      },
    };
  }

  #write(op: ApplyOperation, options: MemoryKindOptions): ApplyResult {
    this.calls[op.action]++;
    const existing = op.observed?.id ? this.objects.get(op.observed.id) : undefined;
    if (op.action === 'delete') {
      if (!existing) throw new Error(`${op.address}: not found`);
      this.#remove(existing);
      return {};
    }
    if (op.action === 'update') {
      if (!existing) throw new Error(`${op.address}: not found`);
      existing.state = mergeSpec(existing.state, op.spec!);
      return { id: existing.id, state: existing.state };
    }
    const id = randomUUID();
    const outputs: StoredObject['outputs'] = {};
    for (const [name, value] of Object.entries(options.outputs?.(op.address, id) ?? {})) {
      outputs[name] = { value: isSensitive(value) ? value.reveal() : value, sensitive: isSensitive(value) };
    }
    this.#store({ id, address: op.address, state: mergeSpec({}, op.spec!), outputs });
    const exposed: Record<string, string | Sensitive<string>> = {};
    for (const [name, output] of Object.entries(outputs)) exposed[name] = output.sensitive ? new Sensitive(output.value) : output.value;
    return { id, outputs: exposed };
  }

  #maybeFail(op: ApplyOperation | { action: 'list'; scope: string }): void {
    const rule = this.#faults.find((f) => f.times > 0 && f.match(op));
    if (!rule) return;
    rule.times--;
    throw rule.error();
  }

  async #delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  }

  #load(): void {
    try {
      this.#fileVersion = this.#versionOnDisk();
      const saved = JSON.parse(readFileSync(this.#file!, 'utf8')) as StoredObject[];
      for (const object of saved) this.#store(object);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /**
   * Like a real API, reads see what other processes wrote since this one started (another
   * runner's apply that held the lock while this one waited). Reloads only when the file changed.
   */
  #refresh(): void {
    if (!this.#file || this.#versionOnDisk() === this.#fileVersion) return;
    this.objects.clear();
    this.#byScope.clear();
    this.#load();
  }

  #versionOnDisk(): string | undefined {
    try {
      const stat = statSync(this.#file!);
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return undefined;
    }
  }

  #save(): void {
    if (!this.#file) return;
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify([...this.objects.values()]));
    renameSync(temporary, this.#file);
    this.#fileVersion = this.#versionOnDisk();
  }
}

export const transient = (message = 'rate limited', retryAfterMs = 1) => () => new TransientError(message, retryAfterMs);

/** The live system stores plain values: secrets are revealed here, as a real API receives them. */
function mergeSpec(current: JsonObject, spec: { [key: string]: ResolvedValue }): JsonObject {
  const out: JsonObject = structuredClone(current);
  for (const [key, value] of Object.entries(spec)) {
    if (value instanceof KeepExisting) continue;
    out[key] = toJson(value, current[key]);
  }
  return out;
}

function toJson(value: ResolvedValue, current: JsonValue | undefined): JsonValue {
  if (isSensitive(value)) return value.reveal();
  if (value instanceof KeepExisting) return current ?? null;
  if (Array.isArray(value)) return value.map((v) => toJson(v, undefined));
  if (value !== null && typeof value === 'object') {
    const currentObject = current && typeof current === 'object' && !Array.isArray(current) ? current : {};
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = toJson(child, (currentObject as JsonObject)[key]);
    return out;
  }
  return value;
}

function deletePointer(state: JsonObject, pointer: string): void {
  const parts = pointer.slice(1).split('/');
  let node: JsonValue | undefined = state;
  for (const part of parts.slice(0, -1)) node = node && typeof node === 'object' ? (node as JsonObject)[part] : undefined;
  if (node && typeof node === 'object') delete (node as JsonObject)[parts.at(-1)!];
}
