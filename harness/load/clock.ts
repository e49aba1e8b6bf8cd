/**
 * The load generator's clock and timers as one seam: the real ones by default, a virtual clock in tests,
 * so correctness tests of the schedule never depend on how busy the machine is.
 */

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** Time and timers as the load generator uses them. */
export interface LoadClock {
  /** Monotonic microseconds from an arbitrary origin. */
  nowUs(): number;
  /** Wall clock, epoch milliseconds (to place records in time for log queries). */
  epochMs(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, periodMs: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** The process's clock: `process.hrtime` and Node's timers. */
export function realClock(): LoadClock {
  const base = process.hrtime.bigint();
  return {
    nowUs: () => Number(process.hrtime.bigint() - base) / 1000,
    epochMs: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    setInterval: (callback, periodMs) => setInterval(callback, periodMs),
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  };
}
