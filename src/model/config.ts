/**
 * The configuration documents as TypeScript types. They mirror schemas/*.schema.json;
 * a document only reaches these types after it passed the schema.
 */
export type VercelTarget = 'production' | 'preview' | 'development';

export interface Metadata {
  name: string;
  description?: string;
  owners?: string[];
  labels?: Record<string, string>;
}

export interface Tombstone {
  reason: string;
  approvedBy: string;
  date?: string;
}

export interface SecretRefSource {
  secretRef: string;
}
export interface GenerateSource {
  generate: { length?: number; alphabet?: 'base64url' | 'hex' | 'alphanumeric' | 'password' };
}
export type SecretSource = SecretRefSource | GenerateSource;

export interface Rotation {
  every: string;
  grace?: string;
}

export interface Peer {
  environment?: string;
  namespaceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
  cidr?: string;
  except?: string[];
}

export interface AllowRule {
  name: string;
  description?: string;
  direction: 'ingress' | 'egress';
  podLabels?: Record<string, string>;
  peers: Peer[];
  ports?: { port: number | string; endPort?: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
}

export type AccessRole = 'admin' | 'edit' | 'view' | 'deploy';

export interface ResourceAmounts {
  cpu?: string;
  memory?: string;
}

export interface BaselineSecret {
  name: string;
  description: string;
  source: SecretSource;
  rotation?: Rotation;
}

export interface EnvironmentSpec {
  protected?: boolean;
  namespace: { name: string; labels?: Record<string, string> };
  vercelTarget?: VercelTarget | 'none';
  network?: { allow?: AllowRule[] };
  access: { group: string; role: AccessRole; description?: string }[];
  quota?: Record<string, string>;
  limits?: { default?: ResourceAmounts; defaultRequest?: ResourceAmounts; max?: ResourceAmounts };
  secrets: BaselineSecret[];
  dataStore: {
    engine: 'postgresql';
    description?: string;
    host: string;
    port: number;
    database: string;
    sslMode?: 'disable' | 'require' | 'verify-ca' | 'verify-full';
    credentialsSecret: string;
  };
}

export interface EnvironmentDoc {
  apiVersion: 'shipyard.dev/v1';
  kind: 'Environment';
  metadata: Metadata;
  spec?: EnvironmentSpec;
  tombstone?: Tombstone;
}

export type SupabaseOutput =
  | 'supabase.url'
  | 'supabase.anonKey'
  | 'supabase.publishableKey'
  | 'supabase.serviceRoleKey'
  | 'supabase.secretKey'
  | 'supabase.databaseUrl';

export type EnvValue = { literal: string } | SecretRefSource | GenerateSource | { output: SupabaseOutput };

export interface EnvVarSpec {
  key: string;
  description: string;
  targets?: VercelTarget[];
  gitBranch?: string;
  sensitive?: boolean;
  redeploy?: boolean;
  value: EnvValue;
  /** Generated and runner-secret values only: rotation keeps the old value as `<KEY>_PREVIOUS` for the grace period. */
  rotation?: Rotation;
}

export interface DnsRecordSpec {
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA';
  name: string;
  value: string;
  priority?: number;
  ttl?: number;
}

export interface DomainSpec {
  name: string;
  redirect?: 'www-to-apex' | 'apex-to-www' | 'none';
  dns?: { mode: 'vercel' | 'external'; records?: DnsRecordSpec[] };
}

export interface VercelSpec {
  team?: string;
  project: {
    name?: string;
    framework: 'nextjs';
    nodeVersion?: '20.x' | '22.x' | '24.x';
    rootDirectory?: string;
    buildCommand?: string;
    installCommand?: string;
    outputDirectory?: string;
    git: { provider?: 'github' | 'gitlab' | 'bitbucket'; repository: string; productionBranch?: string };
    previewDeployments?: boolean;
  };
  env?: EnvVarSpec[];
  domains?: DomainSpec[];
}

export type OAuthProviderName = 'google' | 'github' | 'azure';

export interface OAuthProviderSpec {
  enabled?: boolean;
  clientId: string;
  url?: string;
  skipNonceCheck?: boolean;
}

export interface PolicySpec {
  name: string;
  command: 'select' | 'insert' | 'update' | 'delete' | 'all';
  roles: string[];
  permissive?: boolean;
  using?: string;
  withCheck?: string;
}

export interface TableSpec {
  schema?: string;
  name: string;
  rowLevelSecurity?: boolean;
  policies: PolicySpec[];
}

export interface RlsExpectation {
  role: 'anon' | 'authenticated' | 'service_role';
  as?: string;
  can: 'select' | 'insert' | 'update' | 'delete';
  table: string;
  rows?: number;
  allowed?: boolean;
  values?: Record<string, unknown>;
}

export interface SupabaseProjectSpec {
  name?: string;
  region?: string;
  siteUrl: string;
  redirectUrls?: string[];
  oauthSecrets?: Partial<Record<OAuthProviderName, SecretRefSource>>;
}

export interface SupabaseSpec {
  organization: string;
  region: string;
  projects: Record<string, SupabaseProjectSpec>;
  auth?: Partial<Record<OAuthProviderName, OAuthProviderSpec>>;
  database?: { tables?: TableSpec[]; rlsTests?: RlsExpectation[] };
  /** Rotation of each project's secret API key (`supabase.secretKey`): the old key keeps working for the grace period. */
  rotation?: Rotation;
}

export interface VentureSpec {
  environments: string[];
  vercel?: VercelSpec;
  supabase?: SupabaseSpec;
  protection?: { tombstones?: { address: string; reason: string; approvedBy: string }[] };
}

export interface VentureDoc {
  apiVersion: 'shipyard.dev/v1';
  kind: 'Venture';
  metadata: Metadata;
  spec?: VentureSpec;
  tombstone?: Tombstone;
}
