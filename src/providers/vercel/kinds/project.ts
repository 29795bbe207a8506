/**
 * Vercel projects. The git repository is linked only at creation (no public endpoint links it
 * later, contracts NOTES §1.2), so a new repository means a replacement; the production branch
 * is the repository's default branch and cannot be set through the API either.
 */
import { address, type Address } from '../../../model/address.ts';
import { ApplyError, type ApplyResult, type ResourceKind } from '../../../model/provider.ts';
import type { JsonObject, ObservedResource } from '../../../model/resource.ts';
import { VercelApiError, type ProjectInfo, type ProjectSettingsInput } from '../client.ts';
import { declared, specOf, stringField, type KindContext } from './context.ts';

const SETTINGS = ['framework', 'nodeVersion', 'buildCommand', 'installCommand', 'outputDirectory', 'rootDirectory', 'previewDeploymentsDisabled'] as const;

export function projectAddress(name: string): Address {
  return address('vercel', name, 'project', name);
}

/** Live project in the exact shape of the desired spec (desired.ts). */
export function projectState(p: ProjectInfo): JsonObject {
  return {
    name: p.name,
    framework: p.framework,
    gitRepository: p.link ? { type: p.link.type, repo: p.link.repo } : null,
    productionBranch: p.link?.productionBranch ?? null,
    previewDeploymentsDisabled: p.previewDeploymentsDisabled,
    nodeVersion: p.nodeVersion,
    rootDirectory: p.rootDirectory,
    buildCommand: p.buildCommand,
    installCommand: p.installCommand,
    outputDirectory: p.outputDirectory,
  };
}

function observed(p: ProjectInfo): ObservedResource {
  return { address: projectAddress(p.name), id: p.id, state: projectState(p), outputs: { id: p.id } };
}

export function projectKind(ctx: KindContext): ResourceKind {
  const { client } = ctx;
  return {
    kind: 'project',
    replaceOn: ['/gitRepository'],
    irreversibleOnDelete: 'deletes the project with its deployments, their URLs, its domains and environment variables',
    async list(scope) {
      const project = await client.getProject(address('vercel', scope, 'project'), scope);
      // Looked up by name; an id that happens to equal the scope is someone else's project.
      return project && project.name === scope ? [observed(project)] : [];
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      const idOrName = operation.observed?.id ?? operation.scope;
      if (operation.action === 'delete') {
        await client.deleteProject(at, idOrName);
        return {};
      }
      const spec = specOf(operation);
      const wanted = declared(spec, SETTINGS) as ProjectSettingsInput;
      let project: ProjectInfo;
      if (operation.action === 'create') {
        project = await create(ctx, at, spec.name as string, spec.gitRepository as { type: string; repo: string } | undefined, wanted);
      } else {
        const live = operation.observed?.state ?? {};
        const changed = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => live[key] !== value)) as ProjectSettingsInput;
        project = Object.keys(changed).length > 0 ? await client.updateProject(at, idOrName, changed) : ((await client.getProject(at, idOrName)) ?? missing(at));
      }
      checkProductionBranch(ctx, at, stringField(spec, 'productionBranch'), project, operation.action === 'update');
      return { id: project.id, outputs: { id: project.id }, state: projectState(project) };
    },
  };
}

async function create(ctx: KindContext, at: Address, name: string, gitRepository: { type: string; repo: string } | undefined, wanted: ProjectSettingsInput): Promise<ProjectInfo> {
  const { client } = ctx;
  let project: ProjectInfo;
  try {
    project = await client.createProject(at, { name, ...(gitRepository ? { gitRepository } : {}), ...wanted });
  } catch (error) {
    // 409 after a lost answer (or a killed run): the project is the one Shipyard claimed before the write.
    if (!(error instanceof VercelApiError && error.status === 409)) throw error;
    project = (await client.getProject(at, name)) ?? missing(at);
    if (gitRepository && (project.link?.repo !== gitRepository.repo || project.link?.type !== gitRepository.type)) {
      throw new ApplyError(at, `a project named ${name} already exists, linked to ${project.link?.repo ?? 'no repository'}: rename the venture's project or adopt it with \`shipyard plan --adopt ${at}\``);
    }
  }
  // Fields createProject does not take (nodeVersion), or that an existing project has otherwise.
  const state = projectState(project);
  const rest = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => state[key] !== value)) as ProjectSettingsInput;
  return Object.keys(rest).length > 0 ? client.updateProject(at, project.id, rest) : project;
}

/**
 * The production branch follows the repository's default branch; no API sets it. On create the
 * project exists either way, so say so; on update fail, so the plan keeps showing the difference.
 */
function checkProductionBranch(ctx: KindContext, at: Address, wanted: string | undefined, project: ProjectInfo, fail: boolean): void {
  const live = project.link?.productionBranch;
  if (wanted === undefined || !project.link || live === wanted) return;
  const message = `the production branch is ${live ?? 'unknown'}, the default branch of ${project.link.repo}; Vercel has no API to change it. Make ${wanted} the repository's default branch, or set git.productionBranch: ${live ?? '…'} in the venture`;
  if (fail) throw new ApplyError(at, message);
  ctx.progress(at, message);
}

function missing(at: Address): never {
  throw new ApplyError(at, 'the project disappeared while applying; plan again');
}
