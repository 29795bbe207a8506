/**
 * The JSON the dashboard's /api answers with, shared by the server and the browser UI (type
 * imports only, so nothing of the server reaches the bundle). No shape here has room for a
 * secret value: env vars carry their source and a fingerprint, never what the source resolves to.
 */

export type ProviderState = 'connected' | 'failing' | 'sandbox' | 'not-configured' | 'unknown';

export interface ProviderHealth {
  /** kubernetes, vercel, supabase, github. */
  name: string;
  state: ProviderState;
  /** Why it fails, or what a special state means; scrubbed of secrets. */
  reason?: string;
  /** How long the probe took. */
  latencyMs?: number;
  checkedAt: string;
}

export interface StatusResponse {
  providers: ProviderHealth[];
  /** `owner/repo@branch` the GitOps edits go to, when configured. */
  repository?: string;
}

export type RunOutcome = 'succeeded' | 'failed' | 'running';

export interface LastApply {
  runId: string;
  revision?: string;
  actor: string;
  /** Time of the run's last journal record. */
  at: string;
  outcome: RunOutcome;
  steps: number;
  failed: number;
}

export type RotationState = 'ok' | 'due' | 'overdue' | 'never-written';

export interface PendingRotation {
  secret: string;
  every: string;
  grace: string;
  state: RotationState;
  /** When the value was last written (inventory), if ever. */
  lastWritten?: string;
  /** When the next rotation is due. */
  dueAt?: string;
}

export interface EnvironmentOverview {
  name: string;
  description?: string;
  protected: boolean;
  vercelTarget?: string;
  lastApply?: LastApply;
  lock?: { owner: string; expiresAt: string };
  rotations: PendingRotation[];
  ownedResources: number;
}

export interface VentureOverview {
  name: string;
  description?: string;
  environments: string[];
  lastApply?: LastApply;
  domains: string[];
  ownedResources: number;
}

export interface OverviewResponse {
  environments: EnvironmentOverview[];
  ventures: VentureOverview[];
}

export interface DriftEntry {
  address: string;
  action: string;
}

export interface DriftScope {
  name: string;
  /** `unknown`: a read failed, so the comparison is incomplete. */
  state: 'clean' | 'drift' | 'unknown';
  changes: DriftEntry[];
  reason?: string;
}

export interface DriftResponse {
  checkedAt: string;
  complete: boolean;
  environments: DriftScope[];
  ventures: DriftScope[];
  /** Plan problems (read failures, missing runner secrets), scrubbed. */
  problems: string[];
}

export type DomainHealthStatus = 'correct' | 'missing-record' | 'wrong-value' | 'pending-verification' | 'lookup-failed';

export interface DnsRecordView {
  type: string;
  name: string;
  value: string;
}

export interface DomainHealth {
  venture: string;
  domain: string;
  role: 'apex' | 'www';
  dnsMode: 'vercel' | 'external';
  status: DomainHealthStatus;
  message: string;
  create: DnsRecordView[];
  remove: DnsRecordView[];
}

export interface DomainsResponse {
  resolver: string;
  domains: DomainHealth[];
}

export type EnvSource =
  | { kind: 'literal'; literal: string }
  | { kind: 'secretRef'; name: string }
  | { kind: 'generated'; length: number; alphabet: string }
  | { kind: 'output'; output: string };

export interface EnvTargetState {
  target: string;
  environment: string;
  address: string;
  /** `applied`: Shipyard wrote it; `pending`: a create was started; `not-applied`: not in the inventory yet. */
  status: 'applied' | 'pending' | 'not-applied';
  /** Short HMAC fingerprint of the value last written (only for secret values). */
  fingerprint?: string;
  /** When the inventory entry was last written. */
  updatedAt?: string;
}

export interface EnvVarView {
  key: string;
  description: string;
  sensitive: boolean;
  redeploy?: boolean;
  gitBranch?: string;
  /** The targets named in the file (absent: every target of the venture). */
  declaredTargets?: string[];
  source: EnvSource;
  targets: EnvTargetState[];
  /** Line in the venture file. */
  line: number;
}

export interface VentureEnvResponse {
  venture: string;
  file: string;
  /** The Vercel targets this venture deploys to. */
  targets: string[];
  variables: EnvVarView[];
}

export interface VentureSummary {
  name: string;
  file: string;
  hasVercel: boolean;
  targets: string[];
  domains: string[];
}

/** What the env-var form sends: a reference or a non-secret literal, never a secret value. */
export interface EnvVarEdit {
  action: 'upsert' | 'remove';
  key: string;
  description?: string;
  targets?: string[];
  sensitive?: boolean;
  source?: EnvSource;
}

export interface DomainEdit {
  domain: string;
  redirect: 'www-to-apex' | 'apex-to-www' | 'none';
  dnsMode: 'vercel' | 'external';
}

export interface DiagnosticView {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  hint: string;
}

export interface ChangePreview {
  ok: boolean;
  file: string;
  /** Unified diff of the YAML edit. */
  diff?: string;
  diagnostics: DiagnosticView[];
  /** Why the edit was refused before validation (bad input). */
  error?: string;
}

export interface PullRequestResult extends ChangePreview {
  pullRequest?: { number: number; url: string; branch: string };
}

export interface DomainRecordsResponse {
  ok: boolean;
  error?: string;
  /** Records to create at the DNS host (external) or that Vercel serves (vercel mode). */
  records: (DnsRecordView & { purpose: string })[];
  nameservers: string[];
  preview?: ChangePreview;
}

export interface DomainCheckResponse {
  ok: boolean;
  error?: string;
  resolver: string;
  domains: DomainHealth[];
}

export interface JournalEntry {
  /** Stable within a journal: run, address, outcome and time. */
  key: string;
  runId: string;
  revision?: string;
  actor: string;
  address: string;
  provider: string;
  environment: string;
  venture?: string;
  action: string;
  outcome: string;
  message?: string;
  at: string;
  durationMs?: number;
}

export interface JournalResponse {
  entries: JournalEntry[];
}

export interface JournalFilters {
  environment?: string;
  venture?: string;
  provider?: string;
  outcome?: string;
}
