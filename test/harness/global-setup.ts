/**
 * Starts the real parts the suite shares (DESIGN §6) once per run and hands their connection
 * details to test files through vitest's provide/inject. A part that cannot start is not a
 * skip: the tests that need it fail with the reason (see test/harness/services.ts).
 */
import type { TestProject } from 'vitest/node';
import { startKube, type KubeCluster, type KubeConnection } from './kube.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kube: KubeConnection | { error: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: KubeCluster | undefined;
  try {
    cluster = await startKube();
    project.provide('kube', cluster.connectionInfo);
  } catch (error) {
    project.provide('kube', { error: (error as Error).message });
  }
  return async () => {
    await cluster?.stop();
  };
}
