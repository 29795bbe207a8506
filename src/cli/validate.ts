import path from 'node:path';
import { hasErrors, loadConfig, readConfigFiles, loadConfigFiles } from '../config/load.ts';
import { renderDiagnostics } from '../render/diagnostics.ts';
import { oneOf, parseCommandArgs, type Command } from './args.ts';

const usage = `Usage: shipyard validate [--root DIR] [--format text|json|github]

Checks every file of environments/ and ventures/: YAML syntax, the JSON Schemas in schemas/,
and references across files. Prints each problem as file:line:col with what to do.

Options:
  --root DIR      repository root holding environments/ and ventures/ (default: current directory)
  --format FMT    text (default), json, or github (workflow-command annotations)
Exit status: 0 valid, 1 invalid, 2 usage error.`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check the configuration against the schemas and across files',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { root: { type: 'string' }, format: { type: 'string' } }, usage);
    if (values.help) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    const format = oneOf(values.format, ['text', 'json', 'github'] as const, 'format', 'text');
    const root = path.resolve(io.cwd, values.root ?? '.');
    const files = await readConfigFiles(root);
    const config = loadConfigFiles(root, files);
    io.stdout(renderDiagnostics(config.diagnostics, format, files.length));
    return hasErrors(config.diagnostics) ? 1 : 0;
  },
};

export { loadConfig };
