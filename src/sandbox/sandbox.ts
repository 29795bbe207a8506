/**
 * The built-in sandbox: every provider backed by the in-memory provider, persisted under
 * .shipyard/sandbox/, with stand-in values for the runner secrets the config references.
 * It lets the main job and the CLI run with no cloud account and no credentials.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAddress } from '../model/address.ts';
import { Sensitive } from '../model/sensitive.ts';
import { MemoryProvider } from './memory-provider.ts';

export interface Sandbox {
  providers: MemoryProvider[];
  /** Stand-in values for runner secrets, created on first use and kept (mode 600) so plans stay stable. */
  secret(name: string): string;
  dir: string;
}

export function openSandbox(dir: string, options: { latencyMs?: number } = {}): Sandbox {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secretsFile = path.join(dir, 'runner-secrets.json');
  const secrets: Record<string, string> = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>) : {};
  const file = (name: string) => path.join(dir, `${name}.json`);
  const latencyMs = options.latencyMs ?? 0;
  const kubernetes = new MemoryProvider({
    name: 'kubernetes', concurrency: 8, latencyMs, file: file('kubernetes'),
    kinds: ['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'Role', 'RoleBinding', 'ServiceAccount', 'Secret'].map((kind) => ({
      kind,
      ...(kind === 'Secret' ? { sensitivePaths: ['/stringData', '/data'] } : {}),
      ...(kind === 'Namespace' ? { irreversibleOnDelete: 'deletes every object in the namespace' } : {}),
    })),
  });
  const vercel = new MemoryProvider({
    name: 'vercel', concurrency: 4, latencyMs, file: file('vercel'),
    kinds: [
      { kind: 'project', replaceOn: ['/gitRepository'], irreversibleOnDelete: 'deletes the deployments and their URLs' },
      { kind: 'env', writeOnly: (state) => (state.type === 'sensitive' ? ['/value'] : []) },
      { kind: 'domain' },
      { kind: 'dns-record', irreversibleOnDelete: 'resolvers keep the old answer until its TTL expires' },
    ],
  });
  const supabase = new MemoryProvider({
    name: 'supabase', concurrency: 4, latencyMs, file: file('supabase'),
    kinds: [
      {
        kind: 'project', replaceOn: ['/region', '/organization_slug'], irreversibleOnDelete: 'deletes the database and all its data',
        outputs: (address, id) => {
          const ref = id.replaceAll('-', '').slice(0, 20);
          const name = parseAddress(address).scope;
          const password = randomBytes(18).toString('base64url');
          return {
            url: `https://${ref}.supabase.co`,
            anonKey: `sb_publishable_${ref}${randomBytes(8).toString('hex')}`,
            publishableKey: `sb_publishable_${ref}${randomBytes(8).toString('hex')}`,
            serviceRoleKey: new Sensitive(`sb_secret_${randomBytes(24).toString('base64url')}`),
            secretKey: new Sensitive(`sb_secret_${randomBytes(24).toString('base64url')}`),
            databaseUrl: new Sensitive(`postgresql://postgres.${ref}:${password}@${name}.pooler.sandbox.local:6543/postgres`),
          };
        },
      },
      { kind: 'auth', writeOnly: ['/external_google_secret', '/external_github_secret', '/external_azure_secret'] },
      { kind: 'rls' },
      { kind: 'policy' },
    ],
  });
  return {
    providers: [kubernetes, vercel, supabase],
    dir,
    secret(name) {
      if (!secrets[name]) {
        secrets[name] = `sandbox-${name.toLowerCase()}-${randomBytes(12).toString('base64url')}`;
        writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
        chmodSync(secretsFile, 0o600);
      }
      return secrets[name];
    },
  };
}
