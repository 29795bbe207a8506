import type { ProjectDatabase } from './backend.ts';

// The emulator's state; route modules change it, the state view exposes it to tests.

export const PROJECT_STATUSES = [
  'INACTIVE',
  'ACTIVE_HEALTHY',
  'ACTIVE_UNHEALTHY',
  'COMING_UP',
  'UNKNOWN',
  'GOING_DOWN',
  'INIT_FAILED',
  'REMOVED',
  'RESTORING',
  'UPGRADING',
  'PAUSING',
  'RESTORE_FAILED',
  'RESTARTING',
  'PAUSE_FAILED',
  'RESIZING',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-east-1',
  'ap-southeast-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'eu-central-1',
  'eu-central-2',
  'ca-central-1',
  'ap-south-1',
  'sa-east-1',
] as const;
export type Region = (typeof REGIONS)[number];

export type OrganizationPlan = 'free' | 'pro' | 'team' | 'enterprise' | 'platform';

export interface OrganizationRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly plan: OrganizationPlan;
}

export type ApiKeyType = 'legacy' | 'publishable' | 'secret';

export interface ApiKeyRecord {
  /** Legacy keys use their name ("anon", "service_role") as id; new keys a UUID. */
  readonly id: string;
  readonly type: ApiKeyType;
  name: string;
  readonly apiKey: string;
  description: string | null;
  secretJwtTemplate: Record<string, unknown> | null;
  readonly insertedAt: string;
  updatedAt: string;
}

export interface SecretRecord {
  readonly name: string;
  value: string;
  updatedAt: string;
}

export type PoolMode = 'transaction' | 'session';

export interface PoolerRecord {
  defaultPoolSize: number | null;
  poolMode: PoolMode;
  maxClientConn: number | null;
}

export interface CidrConfig {
  dbAllowedCidrs: string[];
  dbAllowedCidrsV6: string[];
}

export interface NetworkRestrictionsRecord {
  config: CidrConfig;
  oldConfig: CidrConfig | undefined;
  status: 'stored' | 'applied';
  updatedAt: string | undefined;
  appliedAt: string | undefined;
}

export type DatabaseState =
  | { readonly state: 'creating' }
  | { readonly state: 'ready'; readonly db: ProjectDatabase }
  | { readonly state: 'failed'; readonly error: string };

export interface ProjectRecord {
  /** The integer id of rename/delete answers (V1ProjectRefResponse). */
  readonly numericId: number;
  readonly ref: string;
  name: string;
  readonly organizationSlug: string;
  readonly organizationId: string;
  readonly region: Region;
  readonly createdAt: string;
  readonly createdAtMs: number;
  /** Test hook: a status that wins over the computed one (e.g. INACTIVE for a paused project). */
  statusOverride: ProjectStatus | undefined;
  readonly jwtSecret: string;
  /** sha256 of db_pass: the emulator never needs the password itself. */
  readonly dbPassDigest: string;
  readonly apiKeys: ApiKeyRecord[];
  legacyKeysEnabled: boolean;
  /** Raw auth config: plaintext secrets; only fields that were ever set are present. */
  readonly auth: Record<string, unknown>;
  readonly secrets: Map<string, SecretRecord>;
  readonly pooler: PoolerRecord;
  readonly network: NetworkRestrictionsRecord;
  database: DatabaseState;
  /** Settles when the database is created (or failed); never rejects. */
  databaseReady: Promise<void>;
}

export class SupabaseStore {
  readonly organizations = new Map<string, OrganizationRecord>();
  readonly projects = new Map<string, ProjectRecord>();
  #numericId = 0;

  nextNumericId(): number {
    this.#numericId += 1;
    return this.#numericId;
  }
}
