/** Starts a child process that applies and prints `write` after each write; resolves once it has written `writes` times. */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostedEmulator } from '../../src/sandbox/emulator-kit/hosted.ts';
import type { ResponseRecord } from '../../src/sandbox/emulator-kit/server.ts';

export async function spawnWritingChild(script: string, args: string[], writes: number, onExit?: () => void): Promise<{ kill(): void; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('write').length - 1;
      if (seen >= writes) resolve();
    });
    child.on('exit', () => reject(new Error('the child apply finished before it could be killed')));
  });
  return {
    kill: () => child.kill('SIGKILL'),
    exited: exited.then((code) => {
      onExit?.();
      return code;
    }),
  };
}

/**
 * The same for a child that talks to an emulator in this process: the emulator is slowed so
 * the child is still busy when killed, and its answers tell when `writes` writes went through.
 */
export async function spawnEmulatorChild(
  emulator: HostedEmulator,
  script: string,
  args: string[],
  writes: number,
  isWrite: (response: ResponseRecord) => boolean,
): Promise<{ kill(): void; exited: Promise<number | null> }> {
  emulator.server.latencyMs = 250;
  let seen = 0;
  let reached: () => void = () => {};
  const enough = new Promise<void>((resolve) => (reached = resolve));
  const unsubscribe = emulator.onResponse((r) => {
    if (isWrite(r) && ++seen >= writes) reached();
  });
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await Promise.race([enough, exited.then(() => Promise.reject(new Error('the child apply finished before it could be killed')))]);
  return {
    kill: () => child.kill('SIGKILL'),
    exited: exited.then(async (code) => {
      unsubscribe();
      emulator.server.latencyMs = 0;
      await sleep(400); // requests the child sent before dying are still being served
      return code;
    }),
  };
}
