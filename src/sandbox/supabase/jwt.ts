import { createHmac, timingSafeEqual } from 'node:crypto';

// HS256 JWTs as a Supabase project signs them with its (legacy) JWT secret: the anon and
// service_role API keys, and user access tokens that PostgREST turns into a role and claims.

export type JwtClaims = Record<string, unknown>;

function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export function signJwt(claims: JwtClaims, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

/** Signature, algorithm and expiry; PostgREST's wording for the reasons it refuses. */
export function verifyJwt(token: string, secret: string, nowMs: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'Expected 3 parts in JWT; got ' + parts.length };
  const [head = '', body = '', sig = ''] = parts;
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'JWT cryptographic operation failed' };
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'HS256') {
    return { ok: false, reason: 'Wrong or unsupported encoding algorithm' };
  }
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'JWSInvalidSignature' };
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { ok: false, reason: 'JWT claims are not an object' };
  const exp = (claims as JwtClaims)['exp'];
  if (typeof exp === 'number' && exp * 1000 <= nowMs) return { ok: false, reason: 'JWT expired' };
  return { ok: true, claims: claims as JwtClaims };
}
