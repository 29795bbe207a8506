/** Heuristics for secrets written where a literal is allowed by the schema. */
const secretNamePattern = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|SERVICE_ROLE|API_KEY|CREDENTIAL)/i;

const secretValuePatterns: RegExp[] = [
  /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // a JWT (Supabase legacy keys are JWTs)
  /\bsb_secret_[A-Za-z0-9_-]{10,}/,
  /\bsbp_[a-f0-9]{20,}/,
  /\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}/,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // a URL with a password in it
];

export function looksLikeSecretName(key: string): boolean {
  return !key.startsWith('NEXT_PUBLIC_') && secretNamePattern.test(key);
}

export function looksLikeSecretValue(value: string): boolean {
  return secretValuePatterns.some((pattern) => pattern.test(value));
}
