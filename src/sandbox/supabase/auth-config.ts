import { createHmac } from 'node:crypto';
import type { EmulatorServer } from '../emulator-kit/server.ts';
import type { AuthConfigField } from './auth-config-fields.ts';
import { AUTH_CONFIG_FIELDS } from './auth-config-fields.generated.ts';
import type { SupabaseContext } from './context.ts';
import { badRequest } from './errors.ts';
import { requireObject } from './input.ts';
import type { ProjectRecord } from './store.ts';

// GET answers every property of AuthConfigResponse (null when unset), PATCH changes only the
// keys it is given and answers the whole config. Secret fields come back as a digest, never in
// clear: HMAC-SHA256 keyed by the project ref, hex, the value supabase/cli computes locally to
// compare (`sha256Hmac(projectRef, value)` in pkg/config), so drift on a secret is detectable.

const FIELDS = new Map<string, AuthConfigField>(AUTH_CONFIG_FIELDS.map((f) => [f.name, f]));

/** What a fresh hosted project reports (a subset; everything else is null until set). */
export const PLATFORM_AUTH_DEFAULTS: Readonly<Record<string, unknown>> = {
  site_url: 'http://localhost:3000',
  uri_allow_list: '',
  jwt_exp: 3600,
  disable_signup: false,
  external_email_enabled: true,
  external_phone_enabled: false,
  external_anonymous_users_enabled: false,
  mailer_autoconfirm: false,
  mailer_secure_email_change_enabled: true,
  mailer_otp_exp: 3600,
  mailer_otp_length: 6,
  password_min_length: 6,
  password_required_characters: '',
  password_hibp_enabled: false,
  refresh_token_rotation_enabled: true,
  security_refresh_token_reuse_interval: 10,
  security_manual_linking_enabled: false,
  security_captcha_enabled: false,
  sms_autoconfirm: false,
  sms_otp_exp: 60,
  sms_otp_length: 6,
  sms_max_frequency: 60,
  sms_template: 'Your code is {{ .Code }}',
  smtp_max_frequency: 60,
  rate_limit_anonymous_users: 30,
  rate_limit_email_sent: 2,
  rate_limit_sms_sent: 30,
  rate_limit_token_refresh: 150,
  rate_limit_verify: 30,
  rate_limit_otp: 30,
  rate_limit_web3: 30,
  mfa_max_enrolled_factors: 10,
  mfa_totp_enroll_enabled: true,
  mfa_totp_verify_enabled: true,
  mfa_phone_enroll_enabled: false,
  mfa_phone_verify_enabled: false,
  mfa_phone_otp_length: 6,
  mfa_phone_max_frequency: 5,
  mfa_phone_template: 'Your code is {{ .Code }}',
  passkey_enabled: false,
  oauth_server_enabled: false,
  oauth_server_allow_dynamic_registration: false,
  custom_oauth_enabled: false,
  custom_oauth_max_providers: 3,
};

export function authConfigFieldNames(): string[] {
  return [...FIELDS.keys()];
}

export function authSecretDigest(ref: string, value: string): string {
  return createHmac('sha256', ref).update(value).digest('hex');
}

/** The starting raw config: only known fields, so a document update cannot smuggle in stale keys. */
export function initialAuthConfig(defaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(defaults).filter(([k, v]) => FIELDS.has(k) && v !== null && v !== undefined));
}

function zeroValue(field: AuthConfigField): unknown {
  if (field.enum && field.enum.length > 0) return field.enum[0];
  return field.type === 'boolean' ? false : field.type === 'string' ? '' : 0;
}

export function renderAuthConfig(project: Pick<ProjectRecord, 'ref' | 'auth'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS.values()) {
    const raw = project.auth[field.name];
    let value = raw === undefined || raw === null ? (field.nullable ? null : zeroValue(field)) : raw;
    if (field.secret && typeof value === 'string' && value !== '') value = authSecretDigest(project.ref, value);
    out[field.name] = value;
  }
  return out;
}

function checkValue(field: AuthConfigField, value: unknown): void {
  const rule = field.patch!;
  const name = field.name;
  if (value === null) {
    if (!rule.nullable) badRequest(`${name} should not be null`);
    return;
  }
  switch (field.type) {
    case 'boolean':
      if (typeof value !== 'boolean') badRequest(`${name} must be a boolean value`);
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) badRequest(`${name} must be an integer number`);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) badRequest(`${name} must be a number`);
      break;
    case 'string':
      if (typeof value !== 'string') badRequest(`${name} must be a string`);
      break;
  }
  if (typeof value === 'number') {
    if (rule.minimum !== undefined && value < rule.minimum) badRequest(`${name} must not be less than ${rule.minimum}`);
    if (rule.maximum !== undefined && value > rule.maximum) badRequest(`${name} must not be greater than ${rule.maximum}`);
  }
  if (typeof value === 'string') {
    if (rule.enum && !rule.enum.includes(value)) badRequest(`${name} must be one of the following values: ${rule.enum.join(', ')}`);
    if (rule.pattern !== undefined && !new RegExp(rule.pattern).test(value)) badRequest(`${name} must match ${rule.pattern} regular expression`);
    if (rule.format === 'email' && value !== '' && !/^[^\s@]+@[^\s@]+$/.test(value)) badRequest(`${name} must be an email`);
    if (rule.format === 'date-time' && Number.isNaN(Date.parse(value))) badRequest(`${name} must be a valid ISO 8601 date string`);
  }
}

/** Validates the whole body first, so a bad key leaves the config untouched. */
export function patchAuthConfig(project: Pick<ProjectRecord, 'auth'>, body: unknown): void {
  const patch = requireObject(body);
  for (const [name, value] of Object.entries(patch)) {
    const field = FIELDS.get(name);
    if (!field?.patch) badRequest(`property ${name} should not exist`);
    checkValue(field, value);
  }
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete project.auth[name];
    else project.auth[name] = value;
  }
}

export function registerAuthConfigRoutes(server: EmulatorServer, ctx: SupabaseContext): void {
  server.route('GET', '/v1/projects/{ref}/config/auth', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    return { status: 200, body: renderAuthConfig(project) };
  });

  server.route('PATCH', '/v1/projects/{ref}/config/auth', (req) => {
    const project = ctx.project(req, req.params['ref'] ?? '');
    patchAuthConfig(project, req.body);
    return { status: 200, body: renderAuthConfig(project) };
  });
}
