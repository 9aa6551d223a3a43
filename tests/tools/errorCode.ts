// What a call threw, as tests compare it: 'no error', the AppError's code, or 'untyped: …' (so a test
// expecting a code fails and shows what was thrown instead).
import { AppError } from '../../src-shared/errors';

function codeFor(e: unknown): string {
  return e instanceof AppError ? e.code : `untyped: ${String(e)}`;
}

export function codeOf(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    return codeFor(e);
  }
}

export async function codeOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return codeFor(e);
  }
}
