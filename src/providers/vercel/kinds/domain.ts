/**
 * Project domains: the apex and www, one redirecting to the other with a 308 (desired.ts).
 * A domain another Vercel account used before stays unverified until a TXT record proves
 * ownership: the challenge is surfaced as outputs and as a progress note on every write.
 */
import { address } from '../../../model/address.ts';
import type { ApplyResult, ResourceKind } from '../../../model/provider.ts';
import type { ObservedResource } from '../../../model/resource.ts';
import { VercelApiError, type ProjectDomainInfo, type RedirectStatusCode } from '../client.ts';
import { specOf, stringField, type KindContext } from './context.ts';

export function domainState(d: ProjectDomainInfo): { name: string; redirect: string | null; redirectStatusCode: number | null } {
  return { name: d.name, redirect: d.redirect, redirectStatusCode: d.redirect === null ? null : d.redirectStatusCode };
}

/** `verified`, and while unverified the TXT record to create: what `shipyard domains check` and the dashboard show. */
export function verificationOutputs(d: ProjectDomainInfo): Record<string, string> {
  const challenge = d.verification.find((v) => v.type === 'TXT') ?? d.verification[0];
  if (d.verified || !challenge) return { verified: String(d.verified) };
  return { verified: 'false', verificationType: challenge.type, verificationName: challenge.domain, verificationValue: challenge.value };
}

function observed(project: string, d: ProjectDomainInfo): ObservedResource {
  return { address: address('vercel', project, 'domain', d.name), id: d.name, state: domainState(d), outputs: verificationOutputs(d) };
}

export function domainKind(ctx: KindContext): ResourceKind {
  const { client } = ctx;
  return {
    kind: 'domain',
    irreversibleOnDelete: 'the domain stops serving the project at once; re-adding it may need DNS verification again',
    async list(project) {
      const domains = await client.listProjectDomains(address('vercel', project, 'domain'), project);
      return (domains ?? []).map((d) => observed(project, d));
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      const project = operation.scope;
      const name = operation.observed?.id ?? at.split('/').slice(3).join('/');
      if (operation.action === 'delete') {
        await client.removeProjectDomain(at, project, name);
        return {};
      }
      const spec = specOf(operation);
      const redirect = stringField(spec, 'redirect') ?? null;
      const redirectStatusCode = redirect === null ? null : ((spec.redirectStatusCode as RedirectStatusCode | null | undefined) ?? 308);
      let domain: ProjectDomainInfo;
      if (operation.action === 'create') {
        try {
          domain = await client.addProjectDomain(at, project, { name, ...(redirect === null ? {} : { redirect, redirectStatusCode }) });
        } catch (error) {
          if (!(error instanceof VercelApiError && error.status === 409)) throw error;
          // Already on this project (a lost answer, a killed run): make it match; on another project it is a real conflict.
          const existing = (await client.listProjectDomains(at, project))?.find((d) => d.name === name);
          if (!existing) throw error;
          domain = await client.updateProjectDomain(at, project, name, { redirect, redirectStatusCode });
        }
      } else {
        domain = await client.updateProjectDomain(at, project, name, { redirect, redirectStatusCode });
      }
      const outputs = verificationOutputs(domain);
      if (outputs.verificationName) {
        ctx.progress(at, `${name} is not verified yet: create the ${outputs.verificationType} record ${outputs.verificationName} with the value "${outputs.verificationValue}", then run \`shipyard domains check --verify\``);
      }
      return { id: domain.name, outputs, state: domainState(domain) };
    },
  };
}
