/**
 * `npm start`: the main job against the built-in sandbox, with no cloud account and no
 * credentials. Validates this repository's environments/ and ventures/.
 */
import { main } from '../cli.ts';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  cwd: new URL('../../', import.meta.url).pathname,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
};

io.stdout('== shipyard validate\n');
const status = await main(['validate'], io);
if (status !== 0) process.exit(status);
io.stdout('\nThe plan and apply steps arrive with the reconcile engine; this run stops after validate.\n');
