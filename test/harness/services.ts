/** What test files call to get a shared real part: the connection, or a failure that says why. */
import { inject } from 'vitest';
import type { KubeConnection } from './kube.ts';
import type { PostgresConnection } from './postgres.ts';

export function requireKube(): KubeConnection {
  const kube = inject('kube');
  if ('error' in kube) throw new Error(`the real kube-apiserver is not available: ${kube.error}`);
  return kube;
}

export function requirePostgres(): PostgresConnection {
  const postgres = inject('postgres');
  if ('error' in postgres) throw new Error(`the real PostgreSQL server is not available: ${postgres.error}`);
  return postgres;
}
