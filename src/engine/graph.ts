/** Dependency graph of addresses: cycle detection with the cycle spelled out, and layering. */
import type { Address } from '../model/address.ts';

export type Edges = Map<Address, Address[]>;

/** The first cycle found, as `a → b → a`, or undefined. Edges point from a resource to what it depends on. */
export function findCycle(edges: Edges): Address[] | undefined {
  const state = new Map<Address, 'visiting' | 'done'>();
  const stack: Address[] = [];
  const visit = (node: Address): Address[] | undefined => {
    const seen = state.get(node);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...edges.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Longest dependency chain (in nodes): the critical path when every step costs the same. */
export function criticalPathLength(edges: Edges): number {
  const depth = new Map<Address, number>();
  const visit = (node: Address): number => {
    const known = depth.get(node);
    if (known !== undefined) return known;
    depth.set(node, 1); // cycles are rejected before; this guards recursion anyway
    let longest = 0;
    for (const next of edges.get(node) ?? []) if (edges.has(next)) longest = Math.max(longest, visit(next));
    depth.set(node, longest + 1);
    return longest + 1;
  };
  let max = 0;
  for (const node of edges.keys()) max = Math.max(max, visit(node));
  return max;
}
