import { isIPv4, isIPv6 } from 'node:net';
import type { EmulatorServer } from '../emulator-kit/server.ts';
import { nowIso, type SupabaseContext } from './context.ts';
import { badRequest } from './errors.ts';
import { isObject, optStringArray, rejectUnknown, requireObject, type Obj } from './input.ts';
import type { CidrConfig, ProjectRecord } from './store.ts';

// Database network restrictions. The emulator applies a new config at once (status "applied"),
// keeping the previous one as old_config, as the API reports it after an apply.

function checkCidr(cidr: string, family: 4 | 6): string {
  const [address = '', bits, ...rest] = cidr.split('/');
  const max = family === 4 ? 32 : 128;
  const n = Number(bits);
  const ok = rest.length === 0 && (family === 4 ? isIPv4(address) : isIPv6(address)) && bits !== undefined && /^\d+$/.test(bits) && n >= 0 && n <= max;
  if (!ok) badRequest(`${cidr} is not a valid IPv${family} CIDR`);
  return cidr;
}

function cidrLists(o: Obj): Partial<CidrConfig> {
  const v4 = optStringArray(o, 'dbAllowedCidrs')?.map((c) => checkCidr(c, 4));
  const v6 = optStringArray(o, 'dbAllowedCidrsV6')?.map((c) => checkCidr(c, 6));
  return { ...(v4 ? { dbAllowedCidrs: v4 } : {}), ...(v6 ? { dbAllowedCidrsV6: v6 } : {}) };
}

function apply(ctx: SupabaseContext, project: ProjectRecord, next: CidrConfig): void {
  const n = project.network;
  const at = nowIso(ctx);
  n.oldConfig = { dbAllowedCidrs: [...n.config.dbAllowedCidrs], dbAllowedCidrsV6: [...n.config.dbAllowedCidrsV6] };
  n.config = { dbAllowedCidrs: [...new Set(next.dbAllowedCidrs)], dbAllowedCidrsV6: [...new Set(next.dbAllowedCidrsV6)] };
  n.status = 'applied';
  n.updatedAt = at;
  n.appliedAt = at;
}

function renderV1(project: ProjectRecord): Obj {
  const n = project.network;
  return {
    entitlement: 'allowed',
    config: n.config,
    ...(n.oldConfig ? { old_config: n.oldConfig } : {}),
    status: n.status,
    ...(n.updatedAt ? { updated_at: n.updatedAt } : {}),
    ...(n.appliedAt ? { applied_at: n.appliedAt } : {}),
  };
}

/** The PATCH (v2) answer lists both families in one array of {address, type}. */
function renderV2(project: ProjectRecord): Obj {
  const n = project.network;
  const merged = (c: CidrConfig) => [
    ...c.dbAllowedCidrs.map((address) => ({ address, type: 'v4' })),
    ...c.dbAllowedCidrsV6.map((address) => ({ address, type: 'v6' })),
  ];
  return {
    entitlement: 'allowed',
    config: { dbAllowedCidrs: merged(n.config) },
    ...(n.oldConfig ? { old_config: { dbAllowedCidrs: merged(n.oldConfig) } } : {}),
    ...(n.updatedAt ? { updated_at: n.updatedAt } : {}),
    ...(n.appliedAt ? { applied_at: n.appliedAt } : {}),
    status: n.status,
  };
}

export function registerNetworkRestrictionRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  server.route('GET', '/v1/projects/{ref}/network-restrictions', (req) => ({ status: 200, body: renderV1(ctx.project(req, req.params['ref'] ?? '')) }));

  server.route('POST', '/v1/projects/{ref}/network-restrictions/apply', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, new Set(['dbAllowedCidrs', 'dbAllowedCidrsV6']));
    const lists = cidrLists(body);
    // An omitted family keeps no entries: apply replaces the whole config.
    apply(ctx, project, { dbAllowedCidrs: lists.dbAllowedCidrs ?? [], dbAllowedCidrsV6: lists.dbAllowedCidrsV6 ?? [] });
    return { status: 201, body: renderV1(project) };
  });

  server.route('PATCH', '/v1/projects/{ref}/network-restrictions', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, new Set(['add', 'remove']));
    const part = (key: string): Partial<CidrConfig> => {
      const v = body[key];
      if (v === undefined) return {};
      if (!isObject(v)) badRequest(`${key} must be an object`);
      rejectUnknown(v, new Set(['dbAllowedCidrs', 'dbAllowedCidrsV6']));
      return cidrLists(v);
    };
    const add = part('add');
    const remove = part('remove');
    const current = project.network.config;
    const next = (list: string[], plus: string[] = [], minus: string[] = []) => [...list, ...plus].filter((c) => !minus.includes(c));
    apply(ctx, project, {
      dbAllowedCidrs: next(current.dbAllowedCidrs, add.dbAllowedCidrs, remove.dbAllowedCidrs),
      dbAllowedCidrsV6: next(current.dbAllowedCidrsV6, add.dbAllowedCidrsV6, remove.dbAllowedCidrsV6),
    });
    return { status: 200, body: renderV2(project) };
  });
}
