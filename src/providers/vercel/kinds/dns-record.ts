/**
 * DNS records of a zone Vercel serves (`dns.mode: vercel`), listed per zone. The address holds
 * a hash of the value (desired.ts), so a new value is a new record: only TTL and MX priority
 * are updated in place.
 */
import { address } from '../../../model/address.ts';
import { ApplyError, type ApplyResult, type ResourceKind } from '../../../model/provider.ts';
import type { JsonObject, ObservedResource } from '../../../model/resource.ts';
import { VercelApiError, type DnsRecordInfo, type DnsRecordInput } from '../client.ts';
import { dnsRecordId } from '../desired.ts';
import { specOf, stringField, type KindContext } from './context.ts';

export function recordState(r: DnsRecordInfo): JsonObject {
  return { type: r.type, name: r.name, value: r.value, ttl: r.ttl, ...(r.mxPriority !== null ? { mxPriority: r.mxPriority } : {}) };
}

function observed(zone: string, r: DnsRecordInfo): ObservedResource {
  return { address: address('vercel', zone, 'dns-record', dnsRecordId(r.type, r.name, r.value)), id: r.id, state: recordState(r) };
}

export function dnsRecordKind(ctx: KindContext): ResourceKind {
  const { client } = ctx;
  return {
    kind: 'dns-record',
    irreversibleOnDelete: 'resolvers keep the old answer until its TTL expires',
    async list(zone) {
      const records = await client.listRecords(address('vercel', zone, 'dns-record'), zone);
      return (records ?? []).map((r) => observed(zone, r));
    },
    async apply(operation): Promise<ApplyResult> {
      const at = operation.address;
      const zone = operation.scope;
      if (operation.action === 'delete') {
        const id = operation.observed?.id;
        if (!id) throw new ApplyError(at, 'delete needs the record id from the plan\'s read');
        await client.removeRecord(at, zone, id);
        return {};
      }
      const spec = specOf(operation);
      const input: DnsRecordInput = {
        type: stringField(spec, 'type') as DnsRecordInput['type'],
        name: stringField(spec, 'name') ?? '',
        value: stringField(spec, 'value') ?? '',
        ...(typeof spec.ttl === 'number' ? { ttl: spec.ttl } : {}),
        ...(typeof spec.mxPriority === 'number' ? { mxPriority: spec.mxPriority } : {}),
      };
      const tuning = { ...(input.ttl !== undefined ? { ttl: input.ttl } : {}), ...(input.mxPriority !== undefined ? { mxPriority: input.mxPriority } : {}) };
      if (operation.action === 'update') {
        const id = operation.observed?.id;
        if (!id) throw new ApplyError(at, 'update needs the record id from the plan\'s read');
        await client.updateRecord(at, id, tuning);
        return { id };
      }
      try {
        return { id: await client.createRecord(at, zone, input) };
      } catch (error) {
        // The same record already exists (a lost answer, a killed run): take it and align TTL/priority.
        if (!(error instanceof VercelApiError && error.status === 409 && error.code === 'record_already_exists')) throw error;
        const existing = (await client.listRecords(at, zone))?.find((r) => r.type === input.type && r.name === input.name && r.value === input.value);
        if (!existing) throw error;
        if ((input.ttl !== undefined && existing.ttl !== input.ttl) || (input.mxPriority !== undefined && existing.mxPriority !== input.mxPriority)) {
          await client.updateRecord(at, existing.id, tuning);
        }
        return { id: existing.id };
      }
    },
  };
}
