import type { EmulatorRequest } from '../emulator-kit/server.ts';
import type { DatabaseBackend, ProjectDatabase } from './backend.ts';
import type { RandomSource } from './random.ts';
import type { OrganizationRecord, ProjectRecord, ProjectStatus, SupabaseStore } from './store.ts';

/** What every route module needs; built once by the emulator. */
export interface SupabaseContext {
  readonly store: SupabaseStore;
  readonly random: RandomSource;
  readonly backend: DatabaseBackend;
  readonly now: () => number;
  /** Platform defaults a new project's auth config starts from (raw values). */
  readonly authDefaults: Readonly<Record<string, unknown>>;
  /** Organizations the request's token is a member of. */
  organizationsOf(req: EmulatorRequest): OrganizationRecord[];
  /** 404 when the emulator does not know the slug, 403 when the token is not a member. */
  organization(req: EmulatorRequest, slug: string): OrganizationRecord;
  /** 404 when there is no such project, 403 when the token cannot see its organization. */
  project(req: EmulatorRequest, ref: string): ProjectRecord;
  statusOf(project: ProjectRecord): ProjectStatus;
  /** The project's database; throws NotReadyError while the project is still coming up. */
  database(project: ProjectRecord): Promise<ProjectDatabase>;
  /** Starts creating the project's database (in the background, as the platform does). */
  provision(project: ProjectRecord): Promise<void>;
}

export class NotReadyError extends Error {
  readonly status: ProjectStatus;
  constructor(ref: string, status: ProjectStatus) {
    super(`Project ${ref} is not ready (status ${status})`);
    this.name = 'NotReadyError';
    this.status = status;
  }
}

export function nowIso(ctx: SupabaseContext): string {
  return new Date(ctx.now()).toISOString();
}
