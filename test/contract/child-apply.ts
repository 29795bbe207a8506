/** Starts a child process that applies and prints `write` after each write; resolves once it has written `writes` times. */
import { spawn } from 'node:child_process';

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
