import type { Resolver } from 'node:dns/promises';

// How the emulator "looks at DNS" for domain config and TXT verification. Tests either mark
// domains (DnsMarks) or plug a real resolver, e.g. node:dns Resolver pointed at dnsmasq.

export interface DnsAnswers {
  readonly a: readonly string[];
  readonly cname: readonly string[];
  readonly txt: readonly string[];
}

export type DnsLookup = (name: string) => Promise<DnsAnswers> | DnsAnswers;

export const VERCEL_IPV4 = '76.76.21.21';
export const VERCEL_CNAME = 'cname.vercel-dns.com.';

export const EMPTY_ANSWERS: DnsAnswers = { a: [], cname: [], txt: [] };

/** Answers set by tests; unknown names have no records (so every domain starts misconfigured). */
export class DnsMarks {
  readonly #answers = new Map<string, DnsAnswers>();

  set(name: string, answers: Partial<DnsAnswers>): void {
    this.#answers.set(normalise(name), { ...EMPTY_ANSWERS, ...answers });
  }

  /** Points the name at Vercel: apex via A 76.76.21.21, anything via CNAME cname.vercel-dns.com. */
  markConfigured(name: string, via: 'A' | 'CNAME' = 'A'): void {
    const current = this.get(name);
    this.set(name, via === 'A' ? { ...current, a: [VERCEL_IPV4], cname: [] } : { ...current, a: [], cname: [VERCEL_CNAME] });
  }

  markMisconfigured(name: string): void {
    const current = this.get(name);
    this.set(name, { ...current, a: [], cname: [] });
  }

  get(name: string): DnsAnswers {
    return this.#answers.get(normalise(name)) ?? EMPTY_ANSWERS;
  }

  clear(): void {
    this.#answers.clear();
  }
}

export function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** "A" when an A record is Vercel's IP, "CNAME" when it points at Vercel's DNS name, else null. */
export function configuredBy(answers: DnsAnswers): 'A' | 'CNAME' | null {
  if (answers.cname.some((c) => /(^|\.)vercel-dns\.com$/.test(normalise(c)))) return 'CNAME';
  if (answers.a.includes(VERCEL_IPV4)) return 'A';
  return null;
}

/** A DnsLookup over node:dns; "no such name/data" is an empty answer, other failures throw. */
export function resolverLookup(resolver: Resolver): DnsLookup {
  const orEmpty = async <T>(query: Promise<T[]>): Promise<T[]> => {
    try {
      return await query;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
      throw err;
    }
  };
  return async (name) => {
    const [a, cname, txt] = await Promise.all([
      orEmpty(resolver.resolve4(name)),
      orEmpty(resolver.resolveCname(name)),
      orEmpty(resolver.resolveTxt(name)),
    ]);
    return { a, cname, txt: txt.map((chunks) => chunks.join('')) };
  };
}
