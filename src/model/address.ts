/**
 * An Address names one resource: `provider/scope/kind/name...`, e.g.
 * `kubernetes/production/NetworkPolicy/default-deny` or
 * `vercel/acme-notes/env/production/NEXT_PUBLIC_SUPABASE_URL`.
 * It is the identity used for pairing desired with observed state, for sorting and as the inventory key.
 */
export type Address = string & { readonly __address: unique symbol };

export interface AddressParts {
  provider: string;
  scope: string;
  kind: string;
  name: string[];
}

export function address(provider: string, scope: string, kind: string, ...name: string[]): Address {
  for (const part of [provider, scope, kind, ...name]) {
    if (part.length === 0 || part.includes('/')) {
      throw new Error(`invalid address part ${JSON.stringify(part)}: parts are non-empty and contain no "/"`);
    }
  }
  return [provider, scope, kind, ...name].join('/') as Address;
}

export function parseAddress(value: string): AddressParts {
  const [provider, scope, kind, ...name] = value.split('/');
  if (!provider || !scope || !kind) {
    throw new Error(`invalid address ${JSON.stringify(value)}: expected provider/scope/kind[/name...]`);
  }
  return { provider, scope, kind, name };
}

export function compareAddresses(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
