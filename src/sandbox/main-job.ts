/**
 * `npm start`: the main job against the built-in sandbox, with no cloud account and no
 * credentials: validate this repository's environments/ and ventures/, plan, apply, then
 * plan again, which must show no changes. Live state persists in .shipyard/sandbox/, so a
 * second run starts from what the first one built.
 */
import { main } from '../cli.ts';

const root = new URL('../../', import.meta.url).pathname;
const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  cwd: root,
  env: { ...process.env, SHIPYARD_PROVIDERS: 'sandbox' },
  isTTY: Boolean(process.stdout.isTTY),
};

async function step(title: string, argv: string[], accept: number[] = [0]): Promise<number> {
  io.stdout(`\n== ${title}: shipyard ${argv.join(' ')}\n`);
  const status = await main(argv, io);
  if (!accept.includes(status)) {
    io.stderr(`\nThe main job stopped at "${title}" (exit ${status}).\n`);
    process.exit(status || 1);
  }
  return status;
}

await step('validate', ['validate']);
await step('plan', ['plan', '--detailed-exitcode'], [0, 2]);
await step('apply', ['apply', '--yes']);
const second = await step('second plan (must show no changes)', ['plan', '--detailed-exitcode'], [0, 2]);
if (second !== 0) {
  io.stderr('\nThe second plan still has changes: apply did not converge.\n');
  process.exit(1);
}
io.stdout('\nMain job done: the sandbox matches the configuration.\n');
