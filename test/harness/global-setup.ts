/**
 * Starts the real parts the suite shares (DESIGN §6) once per run and hands their connection
 * details to test files through vitest's provide/inject. A part that cannot start is not a
 * skip: the tests that need it fail with the reason (see test/harness/services.ts).
 */
import type { TestProject } from 'vitest/node';
import { startKube, type KubeCluster, type KubeConnection } from './kube.ts';
import { startPostgres, type PostgresConnection, type PostgresServer } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kube: KubeConnection | { error: string };
    postgres: PostgresConnection | { error: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kube, postgres] = await Promise.allSettled([startKube(), startPostgres()]);
  project.provide('kube', kube.status === 'fulfilled' ? kube.value.connectionInfo : { error: (kube.reason as Error).message });
  project.provide('postgres', postgres.status === 'fulfilled' ? postgres.value.connectionInfo : { error: (postgres.reason as Error).message });
  return async () => {
    const running: (KubeCluster | PostgresServer)[] = [];
    if (kube.status === 'fulfilled') running.push(kube.value);
    if (postgres.status === 'fulfilled') running.push(postgres.value);
    await Promise.all(running.map((part) => part.stop()));
  };
}
