/** A problem found in the configuration, pointing at the exact node that caused it. */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  /** Path relative to the config root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Diagnostic extends SourcePosition {
  severity: Severity;
  /** Stable identifier such as `schema.required` or `ref.unknown-environment`. */
  code: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do about it, in one line. */
  hint: string;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}
