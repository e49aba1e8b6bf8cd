import { setTimeout as sleepFor } from 'node:timers/promises';

/** Waits `ms`; rejects with the signal's own reason (the signal name) when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}
