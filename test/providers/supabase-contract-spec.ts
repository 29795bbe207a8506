/**
 * The desired resources of the Supabase contract fixture (also loaded by its child process):
 * `first` a project, `second` a policy in another project that exists outside Shipyard, and
 * `dependent` a policy on the first project's table, which can only be written once that
 * project is up.
 */
import { address, type Address } from '../../src/model/address.ts';
import type { DesiredResource } from '../../src/model/resource.ts';
import { PASSWORD_KEPT } from '../../src/providers/supabase/desired.ts';
import { projectAddress } from '../../src/providers/supabase/kinds/project.ts';
import { ORG } from './supabase-env.ts';

export const environment = 'contract';

export function names(suffix: string) {
  return { project: `contract-${suffix}`, other: `contract-${suffix}-other` };
}

export function addressesFor(suffix: string) {
  const { project, other } = names(suffix);
  return {
    first: projectAddress(project),
    second: address('supabase', other, 'policy', 'public.items', 'second-read'),
    dependent: address('supabase', project, 'policy', 'public.items', 'owner-read'),
  };
}

export function desiredFor(suffix: string, options: { variant?: boolean; without?: Address[] } = {}): DesiredResource[] {
  const { project, other } = names(suffix);
  const a = addressesFor(suffix);
  const base = { provider: 'supabase', environment };
  const all: DesiredResource[] = [
    { ...base, address: a.first, kind: 'project', scope: project, dependsOn: [], protected: false, spec: { name: project, organization_slug: ORG, region: 'eu-central-1', databasePassword: PASSWORD_KEPT } },
    {
      ...base, address: a.second, kind: 'policy', scope: other, dependsOn: [],
      spec: { command: 'select', roles: options.variant ? ['anon', 'authenticated'] : ['authenticated'], permissive: true, using: 'true', withCheck: null },
    },
    {
      ...base, address: a.dependent, kind: 'policy', scope: project, dependsOn: [a.first],
      spec: { command: 'select', roles: ['authenticated'], permissive: true, using: 'owner_id = (select auth.uid())', withCheck: null },
    },
  ];
  return all.filter((r) => !options.without?.includes(r.address));
}
