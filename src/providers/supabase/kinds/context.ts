/**
 * What every Supabase kind shares: the client, the plan's shared reads (the project directory
 * and each project's database snapshot), progress notes, and how a project name becomes a ref.
 */
import type { Address } from '../../../model/address.ts';
import { ApplyError, type ApplyOperation, type ResolvedSpec } from '../../../model/provider.ts';
import type { ProjectInfo, SupabaseClient } from '../client.ts';
import { parseSnapshot, SNAPSHOT_SQL, type DatabaseSnapshot } from '../database-snapshot.ts';
import { PlanReads } from '../plan-reads.ts';
import { processRedactor } from '../../../secrets/redact.ts';

/** Being deleted or gone: not a project any more, and a create may reuse the name. */
const GONE = new Set(['REMOVED', 'GOING_DOWN']);
const DIRECTORY = 'projects';

export interface KindOptions {
  /** Only projects of this organization are considered (else every organization the token sees). */
  organization?: string;
  /** The data API URL of a project (default https://<ref>.supabase.co; an emulator in tests). */
  projectUrl: (ref: string) => string;
  /** How long a create waits for ACTIVE_HEALTHY (default 10 min). */
  activationTimeoutMs: number;
  pollIntervalMs: number;
}

export class KindContext {
  readonly client: SupabaseClient;
  readonly options: KindOptions;
  readonly #progress: (address: Address, message: string) => void;
  readonly #directory: PlanReads<ProjectInfo[]>;
  readonly #snapshots: PlanReads<DatabaseSnapshot>;
  readonly #ddl = new Map<string, Promise<unknown>>();
  readonly #creating = new Set<string>();

  constructor(client: SupabaseClient, options: KindOptions, progress: (address: Address, message: string) => void, readTtlMs: number) {
    this.client = client;
    this.options = options;
    this.#progress = progress;
    this.#directory = new PlanReads(readTtlMs);
    this.#snapshots = new PlanReads(readTtlMs);
  }

  progress(address: Address, message: string): void {
    this.#progress(address, message);
  }

  /** The project of a list's scope, from the plan's one directory read. */
  async projectForList(kind: string, scope: string): Promise<ProjectInfo | undefined> {
    const all = await this.#directory.get(DIRECTORY, `${kind}/${scope}`, () => this.#listProjects());
    return this.#pick(all, scope);
  }

  /** For previews: what this plan's lists read (a project missing there is created by this plan). */
  async projectForPreview(name: string): Promise<ProjectInfo | undefined> {
    return this.#pick(await this.#directory.recent(DIRECTORY, () => this.#listProjects()), name);
  }

  /** For apply: what the plan just read will do, unless the project is not in it. */
  async projectForApply(name: string): Promise<ProjectInfo | undefined> {
    const found = this.#pick(await this.#directory.recent(DIRECTORY, () => this.#listProjects()), name);
    return found ?? this.#pick(await this.#directory.fresh(DIRECTORY, () => this.#listProjects()), name);
  }

  /** A look-up that trusts nothing cached (before a create, after an ambiguous one). */
  async projectNow(name: string): Promise<ProjectInfo | undefined> {
    return this.#pick(await this.#directory.fresh(DIRECTORY, () => this.#listProjects()), name);
  }

  /** The ref an apply works on: the plan's read, else a look-up by name. */
  async refForApply(operation: ApplyOperation): Promise<string> {
    if (operation.observed?.id) return operation.observed.id;
    const project = await this.projectForApply(operation.scope);
    if (!project) throw new ApplyError(operation.address, `the Supabase project ${operation.scope} does not exist; it is created by supabase/${operation.scope}/project/${operation.scope}, apply that first`);
    return project.ref;
  }

  /** Names this process sent a create for: found later, they are its own. */
  tryingToCreate(name: string): void {
    this.#creating.add(name);
  }

  triedToCreate(name: string): boolean {
    return this.#creating.has(name);
  }

  projectsChanged(): void {
    this.#directory.drop();
  }

  /** The project's database snapshot, one read-only query shared by the kinds of one plan. */
  snapshotForList(kind: string, ref: string, address: Address): Promise<DatabaseSnapshot> {
    return this.#snapshots.get(ref, kind, () => this.#readSnapshot(ref, address));
  }

  snapshotNow(ref: string, address: Address): Promise<DatabaseSnapshot> {
    return this.#snapshots.fresh(ref, () => this.#readSnapshot(ref, address));
  }

  /**
   * Policy and RLS statements of one project, one at a time: two transactions that drop and
   * create policies on tables referring to each other deadlock (seen on PostgreSQL 15).
   */
  exclusive<T>(ref: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#ddl.get(ref) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.#ddl.set(ref, settled);
    void settled.then(() => {
      if (this.#ddl.get(ref) === settled) this.#ddl.delete(ref);
    });
    return next;
  }

  databaseChanged(ref: string): void {
    this.#snapshots.drop(ref);
  }

  async #readSnapshot(ref: string, address: Address): Promise<DatabaseSnapshot> {
    const snapshot = parseSnapshot(await this.client.query(address, ref, SNAPSHOT_SQL, { readOnly: true }));
    if (snapshot.password !== undefined) processRedactor.add(snapshot.password);
    return snapshot;
  }

  async #listProjects(): Promise<ProjectInfo[]> {
    return (await this.client.listProjects('supabase')).filter((p) => !GONE.has(p.status) && (!this.options.organization || p.organizationSlug === this.options.organization));
  }

  #pick(all: ProjectInfo[], name: string): ProjectInfo | undefined {
    const named = all.filter((p) => p.name === name);
    if (named.length <= 1) return named[0];
    const where = named.map((p) => `${p.ref} in ${p.organizationSlug}`).join(', ');
    throw new Error(`supabase/${name}: ${named.length} projects are named ${name} (${where}); Shipyard finds projects by name, so rename or delete the extra one${this.options.organization ? '' : ', or set the provider\'s organization'}`);
  }
}

/** The declared spec of a create/update; the engine always sends one. */
export function specOf(operation: ApplyOperation): ResolvedSpec {
  if (!operation.spec) throw new ApplyError(operation.address, `${operation.action} needs the desired spec`);
  return operation.spec;
}
