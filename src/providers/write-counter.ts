/** Counts a provider's writes and the most in flight at once (the contract suite checks its concurrency bound). */
import type { ResourceKind } from '../model/provider.ts';

export interface WriteCounts {
  inFlight: number;
  maxInFlight: number;
  total: number;
}

export function countWrites(kinds: ResourceKind[]): { kinds: ResourceKind[]; writes: WriteCounts } {
  const writes: WriteCounts = { inFlight: 0, maxInFlight: 0, total: 0 };
  const counted = kinds.map((kind): ResourceKind => ({
    ...kind,
    async apply(operation) {
      writes.total++;
      writes.maxInFlight = Math.max(writes.maxInFlight, ++writes.inFlight);
      try {
        return await kind.apply(operation);
      } finally {
        writes.inFlight--;
      }
    },
  }));
  return { kinds: counted, writes };
}
