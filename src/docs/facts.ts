/**
 * What the guides are generated from: the validated config, the compiled desired state and,
 * optionally, a snapshot of the state store. Everything a guide needs is derived here once,
 * in a fixed order, so that the same input always gives the same Markdown.
 */
import type { LoadedConfig } from '../config/load.ts';
import type { EnvironmentDoc, EnvironmentSpec, VentureDoc, VentureSpec, VercelTarget } from '../model/config.ts';
import type { DesiredResource } from '../model/resource.ts';
import type { InventoryEntry, JournalRecord, LockInfo } from '../model/state.ts';
import type { DesiredState } from '../providers/desired-state.ts';
import { environmentAccess, type EnvironmentAccess } from '../providers/kubernetes/access.ts';
import { supabaseProjectName } from '../providers/supabase/desired.ts';
import { environmentsByTarget } from '../providers/vercel/env-example.ts';
import { ventureTargets, vercelProjectName } from '../providers/vercel/desired.ts';
import type { Links } from './markdown.ts';

/** A snapshot of the state store. Times and run ids appear in the docs only through this. */
export interface DocsState {
  /** Which store it came from, e.g. `sqlite`, `postgres`, `kubernetes:shipyard-state` (no paths, no URLs). */
  store: string;
  inventory: InventoryEntry[];
  /** The journal records of the newest apply run (empty when nothing was applied yet). */
  lastRun: JournalRecord[];
  locks: LockInfo[];
}

export interface DocsInput {
  config: LoadedConfig;
  desired: DesiredState;
  /** The git commit the config was read at; left out, the docs say "the working tree". */
  revision?: string;
  state?: DocsState;
  /** How to link repository files; default: the repository root is `../..` from the docs root (`.shipyard/docs`). */
  links?: Links;
}

export interface EnvironmentFacts {
  name: string;
  doc: EnvironmentDoc;
  spec: EnvironmentSpec;
  file: string;
  access: EnvironmentAccess;
  /** The Vercel target deployed here, if any. */
  target?: VercelTarget;
}

export interface VentureEnvironment {
  environment: string;
  namespace?: string;
  target?: VercelTarget;
  supabaseProject?: string;
  supabaseRegion?: string;
}

export interface VentureFacts {
  name: string;
  doc: VentureDoc;
  spec: VentureSpec;
  file: string;
  vercelProject?: string;
  environments: VentureEnvironment[];
  resources: DesiredResource[];
}

export interface Tombstoned {
  kind: 'environment' | 'venture';
  name: string;
  file: string;
  reason: string;
  approvedBy: string;
}

export interface DocsFacts {
  input: DocsInput;
  links: Links;
  environments: EnvironmentFacts[];
  ventures: VentureFacts[];
  tombstoned: Tombstoned[];
  byTarget: Map<VercelTarget, string>;
}

const targetRank: Record<string, number> = { development: 0, preview: 1, production: 2 };

export function collectFacts(input: DocsInput): DocsFacts {
  const { config, desired } = input;
  const allEnvironments = config.environments.map((e) => e.doc);
  const byTarget = environmentsByTarget(allEnvironments);
  const tombstoned: Tombstoned[] = [];
  const environments: EnvironmentFacts[] = [];
  for (const { doc, source } of config.environments) {
    if (doc.tombstone || !doc.spec) {
      if (doc.tombstone) tombstoned.push({ kind: 'environment', name: doc.metadata.name, file: source.file, reason: doc.tombstone.reason, approvedBy: doc.tombstone.approvedBy });
      continue;
    }
    const target = doc.spec.vercelTarget && doc.spec.vercelTarget !== 'none' ? doc.spec.vercelTarget : undefined;
    environments.push({ name: doc.metadata.name, doc, spec: doc.spec, file: source.file, access: environmentAccess(doc), ...(target ? { target } : {}) });
  }
  // The order people promote in: development, preview, production, then the rest by name.
  environments.sort((a, b) => (targetRank[a.target ?? ''] ?? 3) - (targetRank[b.target ?? ''] ?? 3) || a.name.localeCompare(b.name));

  const ventures: VentureFacts[] = [];
  for (const { doc, source } of config.ventures) {
    if (doc.tombstone || !doc.spec) {
      if (doc.tombstone) tombstoned.push({ kind: 'venture', name: doc.metadata.name, file: source.file, reason: doc.tombstone.reason, approvedBy: doc.tombstone.approvedBy });
      continue;
    }
    const spec = doc.spec;
    const targets = new Map(ventureTargets(doc, byTarget).map(([target, environment]) => [environment, target]));
    ventures.push({
      name: doc.metadata.name,
      doc,
      spec,
      file: source.file,
      ...(spec.vercel ? { vercelProject: vercelProjectName(doc) } : {}),
      environments: spec.environments.map((environment) => {
        const project = spec.supabase?.projects[environment];
        const target = spec.vercel ? targets.get(environment) : undefined;
        const namespace = environments.find((e) => e.name === environment)?.spec.namespace.name;
        return {
          environment,
          ...(namespace ? { namespace } : {}),
          ...(target ? { target } : {}),
          ...(project ? { supabaseProject: supabaseProjectName(doc, environment), supabaseRegion: project.region ?? spec.supabase!.region } : {}),
        };
      }),
      resources: desired.resources.filter((r) => r.venture === doc.metadata.name).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)),
    });
  }
  ventures.sort((a, b) => a.name.localeCompare(b.name));
  tombstoned.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  return { input, links: input.links ?? { repository: '../..' }, environments, ventures, tombstoned, byTarget };
}

/** The ventures deployed to an environment, with what they run there. */
export function venturesIn(facts: DocsFacts, environment: string): { venture: VentureFacts; place: VentureEnvironment }[] {
  const out: { venture: VentureFacts; place: VentureEnvironment }[] = [];
  for (const venture of facts.ventures) {
    const place = venture.environments.find((e) => e.environment === environment);
    if (place) out.push({ venture, place });
  }
  return out;
}

/** The environment where application teams try things first: not protected, and some non-admin group may write. */
export function sandboxEnvironment(facts: DocsFacts): EnvironmentFacts | undefined {
  const writable = (env: EnvironmentFacts) => !env.access.protected && env.access.groups.some((g) => g.role === 'edit');
  return facts.environments.find(writable) ?? facts.environments[0];
}

export function shortRevision(revision: string): string {
  return /^[0-9a-f]{40,64}$/.test(revision) ? revision.slice(0, 12) : revision;
}
