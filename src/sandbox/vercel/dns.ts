import type { EmulatorServer } from '../emulator-kit/server.ts';
import { operation, type VercelContext } from './context.ts';
import { normalise } from './dns-lookup.ts';
import { badRequest, fail, notFound } from './errors.ts';
import { isObject, optEnum, optNumber, optString, queryLimit, queryNumber, rejectUnknown, requireObject, type Obj } from './input.ts';
import { renderRecord, renderUpdatedRecord } from './render.ts';
import { RECORD_TYPES, type DnsRecordEntry, type RecordType, type ScopeState } from './store.ts';

const RECORD_KEYS = new Set(['name', 'type', 'value', 'ttl', 'mxPriority', 'srv', 'https', 'comment']);

function requireZone(scope: ScopeState, domain: string): string {
  const zone = normalise(domain);
  if (!scope.domains.has(zone)) notFound(`The domain "${domain}" was not found.`);
  return zone;
}

function requireRecord(scope: ScopeState, id: string, zone?: string): DnsRecordEntry {
  const r = scope.records.get(id);
  if (!r || (zone !== undefined && r.domain !== zone)) notFound(`The DNS record "${id}" was not found.`);
  return r;
}

function parseSrv(v: unknown): DnsRecordEntry['srv'] {
  if (!isObject(v)) badRequest('Invalid request: `srv` should be object.');
  const n = (k: string): number => optNumber(v, k) ?? badRequest(`Invalid request: missing required property \`srv.${k}\`.`);
  return { priority: n('priority'), weight: n('weight'), port: n('port'), target: optString(v, 'target') ?? badRequest('Invalid request: missing required property `srv.target`.') };
}

function parseHttps(v: unknown): DnsRecordEntry['https'] {
  if (!isObject(v)) badRequest('Invalid request: `https` should be object.');
  const priority = optNumber(v, 'priority') ?? badRequest('Invalid request: missing required property `https.priority`.');
  const target = optString(v, 'target') ?? badRequest('Invalid request: missing required property `https.target`.');
  const params = optString(v, 'params');
  return params === undefined ? { priority, target } : { priority, target, params };
}

/** The `value` column as Vercel lists it; SRV/HTTPS keep their parts in sub-objects. */
function valueFor(type: RecordType, body: Obj, srv: DnsRecordEntry['srv'], https: DnsRecordEntry['https']): string {
  if (type === 'SRV' && srv) return `${srv.weight} ${srv.port} ${srv.target}`;
  if (type === 'HTTPS' && https) return `${https.target}${https.params ? ` ${https.params}` : ''}`;
  return optString(body, 'value', 65_000) ?? badRequest('Invalid request: missing required property `value`.');
}

export function registerDnsRoutes(server: EmulatorServer, ctx: VercelContext): void {
  operation(server, 'getRecords', 'GET', '/v5/domains/{domain}/records', (req) => {
    const scope = ctx.scopeOf(req);
    const zone = requireZone(scope, req.params['domain'] ?? '');
    const limit = queryLimit(req.query, 20, 100);
    const until = queryNumber(req.query, 'until');
    const since = queryNumber(req.query, 'since');
    let records = [...scope.records.values()].filter((r) => r.domain === zone).sort((a, b) => b.createdAt - a.createdAt);
    if (until !== undefined) records = records.filter((r) => r.createdAt < until);
    if (since !== undefined) records = records.filter((r) => r.createdAt > since);
    const page = records.slice(0, limit);
    return {
      status: 200,
      body: {
        records: page.map(renderRecord),
        pagination: {
          count: page.length,
          next: records.length > page.length ? page[page.length - 1]!.createdAt : null,
          prev: page.length > 0 && (until !== undefined || since !== undefined) ? page[0]!.createdAt : null,
        },
      },
    };
  });

  operation(server, 'createRecord', 'POST', '/v2/domains/{domain}/records', (req) => {
    const scope = ctx.scopeOf(req);
    const zone = requireZone(scope, req.params['domain'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, RECORD_KEYS);
    const type = optEnum(body, 'type', RECORD_TYPES) ?? badRequest('Invalid request: missing required property `type`.');
    const name = optString(body, 'name', 253) ?? badRequest('Invalid request: missing required property `name`.');
    const srv = type === 'SRV' ? parseSrv(body['srv']) : undefined;
    const https = type === 'HTTPS' ? parseHttps(body['https']) : undefined;
    const value = valueFor(type, body, srv, https);
    const mxPriority = type === 'MX' ? (optNumber(body, 'mxPriority') ?? badRequest('Invalid request: missing required property `mxPriority`.')) : undefined;
    const existing = [...scope.records.values()].filter((r) => r.domain === zone && r.name === name);
    if (existing.some((r) => r.type === type && r.value === value)) {
      fail(409, 'record_already_exists', `A ${type} record "${name || '@'}" with this value already exists.`);
    }
    // A CNAME cannot share its name with any other record (RFC 1034).
    if ((type === 'CNAME' && existing.length > 0) || existing.some((r) => r.type === 'CNAME')) {
      fail(409, 'conflicting_cname', `A CNAME record "${name || '@'}" cannot coexist with other records of the same name.`);
    }
    const now = ctx.clock.stamp();
    const record: DnsRecordEntry = {
      id: ctx.ids.next('rec_', 24),
      domain: zone,
      name,
      type,
      value,
      mxPriority,
      ttl: optNumber(body, 'ttl') ?? 60,
      comment: optString(body, 'comment', 500),
      srv,
      https,
      creator: ctx.userOf(req).id,
      createdAt: now,
      updatedAt: now,
    };
    scope.records.set(record.id, record);
    return { status: 200, body: { uid: record.id, updated: now } };
  });

  operation(server, 'updateRecord', 'PATCH', '/v1/domains/records/{recordId}', (req) => {
    const scope = ctx.scopeOf(req);
    const record = requireRecord(scope, req.params['recordId'] ?? '');
    const body = requireObject(req.body);
    rejectUnknown(body, RECORD_KEYS);
    // Every field is optional and nullable here; null means "leave as is".
    const present = (k: string): boolean => body[k] !== undefined && body[k] !== null;
    const type = present('type') ? (optEnum(body, 'type', RECORD_TYPES) ?? record.type) : record.type;
    if (present('name')) record.name = optString(body, 'name', 253) ?? record.name;
    if (present('srv')) record.srv = parseSrv(body['srv']);
    if (present('https')) record.https = parseHttps(body['https']);
    record.type = type;
    if (present('value') || present('srv') || present('https')) record.value = valueFor(type, body, record.srv, record.https);
    if (present('ttl')) record.ttl = optNumber(body, 'ttl') ?? record.ttl;
    if (present('mxPriority')) record.mxPriority = optNumber(body, 'mxPriority');
    if (present('comment')) record.comment = optString(body, 'comment', 500);
    record.updatedAt = ctx.clock.stamp();
    return { status: 200, body: renderUpdatedRecord(record) };
  });

  operation(server, 'removeRecord', 'DELETE', '/v2/domains/{domain}/records/{recordId}', (req) => {
    const scope = ctx.scopeOf(req);
    const zone = requireZone(scope, req.params['domain'] ?? '');
    const record = requireRecord(scope, req.params['recordId'] ?? '', zone);
    scope.records.delete(record.id);
    return { status: 200, body: {} };
  });
}
