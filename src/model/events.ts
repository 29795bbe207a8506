/**
 * Typed events: the engine reports, only the CLI and the actions print (cli-utils' event model).
 */
import type { Address } from './address.ts';
import type { Action } from './plan.ts';

export type EngineEvent =
  | { type: 'read.started'; provider: string; kind: string; scope: string }
  | { type: 'read.finished'; provider: string; kind: string; scope: string; count: number }
  | { type: 'read.failed'; provider: string; kind: string; scope: string; error: string }
  | { type: 'lock.acquired'; environment: string; owner: string }
  | { type: 'lock.released'; environment: string }
  | { type: 'step.started'; address: Address; action: Action }
  | { type: 'step.retrying'; address: Address; attempt: number; delayMs: number; error: string }
  | { type: 'step.succeeded'; address: Address; action: Action; durationMs: number }
  | { type: 'step.failed'; address: Address; action: Action; error: string }
  | { type: 'step.skipped'; address: Address; action: Action; because: Address }
  | { type: 'progress'; address: Address; message: string };

export interface Reporter {
  emit(event: EngineEvent): void;
}

export const silentReporter: Reporter = { emit() {} };
