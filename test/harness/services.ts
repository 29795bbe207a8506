/** What test files call to get a shared real part: the connection, or a failure that says why. */
import { inject } from 'vitest';
import type { KubeConnection } from './kube.ts';

export function requireKube(): KubeConnection {
  const kube = inject('kube');
  if ('error' in kube) throw new Error(`the real kube-apiserver is not available: ${kube.error}`);
  return kube;
}
