import { expect } from 'vitest';
import { HarnessError } from '../../harness/errors.js';

/** Awaits a promise that must reject with a HarnessError (typed code and kind) and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<HarnessError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HarnessError);
  return error as HarnessError;
}
