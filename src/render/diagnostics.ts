/** Diagnostics as text (people), JSON (tools) or GitHub workflow commands (annotations on the PR diff). */
import type { Diagnostic } from '../model/diagnostic.ts';

export type DiagnosticFormat = 'text' | 'json' | 'github';

export function renderDiagnostics(diagnostics: Diagnostic[], format: DiagnosticFormat, fileCount: number): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  switch (format) {
    case 'json':
      return `${JSON.stringify({ formatVersion: 1, valid: errors === 0, files: fileCount, errors, warnings, diagnostics }, null, 2)}\n`;
    case 'github':
      return diagnostics
        .map((d) => `::${d.severity} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(d.code)}::${escapeData(`${d.message}. ${d.hint}`)}\n`)
        .join('') + `${summary(fileCount, errors, warnings)}\n`;
    case 'text':
      return diagnostics
        .map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n    → ${d.hint}\n`)
        .join('') + `${summary(fileCount, errors, warnings)}\n`;
  }
}

function summary(files: number, errors: number, warnings: number): string {
  if (errors === 0 && warnings === 0) return `✓ ${files} file${files === 1 ? '' : 's'} valid`;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts: the escaping rules of workflow commands.
function escapeData(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
