/**
 * How the process learns that it must stop, as signals are really delivered (docs/failure-model.md):
 * one Ctrl-C reaches the harness twice (from the terminal to the whole process group, and relayed by
 * `npm run`), a supervisor may signal only the top process, and a parent that dies leaves us orphaned.
 * The policy is pure (an injected clock); {@link installStopHandlers} wires it to the process.
 */
import type { HarnessError } from './errors.js';

/** The signals that stop a run in order: first one = orderly shutdown, a deliberate second = exit now. */
export const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const satisfies readonly NodeJS.Signals[];

/**
 * A repeat of the first signal within this window is the same press echoed by a wrapper (npm relays the
 * SIGINT the terminal already sent to the group within a few ms; `timeout` signals the group and npm relays
 * it). 1 s is far above the relay delay seen on a loaded 2-core machine and below a deliberate second press.
 */
export const ECHO_WINDOW_MS = 1_000;

/** How often the harness checks that its parent is still there. */
export const PARENT_POLL_INTERVAL_MS = 500;

/** What one delivered signal means. */
export type SignalDecision = 'stop' | 'echo' | 'exit-now';

/**
 * Decides what each delivered signal means: the first stops the run in order, the same signal again within
 * {@link ECHO_WINDOW_MS} is its echo, anything later (or a different signal) is a deliberate second request.
 */
export class StopPolicy {
  private first: { readonly signal: NodeJS.Signals; readonly atMs: number } | undefined;

  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  /** The first signal received, if any. */
  get received(): NodeJS.Signals | undefined {
    return this.first?.signal;
  }

  decide(signal: NodeJS.Signals): SignalDecision {
    const now = this.nowMs();
    if (!this.first) {
      this.first = { signal, atMs: now };
      return 'stop';
    }
    if (signal === this.first.signal && now - this.first.atMs < ECHO_WINDOW_MS) return 'echo';
    return 'exit-now';
  }
}

/** The process as seen by the stop handlers; tests pass a fake. */
export interface StopProcess {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  readonly ppid: number;
  exit(code: number): never;
}

export interface StopHandlersOptions {
  /** Aborted with the signal's name on the first stop request. */
  readonly controller: AbortController;
  /** Where the handlers say what they do; must never throw. */
  readonly say: (line: string) => void;
  /** The command that finishes the cleanup by hand, printed on exit-now. */
  readonly cleanupHint: () => string | undefined;
  /** Exit code for a signal. */
  readonly exitCode: (signal: NodeJS.Signals) => number;
  /** @default process */
  readonly proc?: StopProcess;
  /** @default performance.now */
  readonly nowMs?: () => number;
  /** @default setInterval (unref'd) */
  readonly every?: (intervalMs: number, tick: () => void) => () => void;
}

/** What {@link installStopHandlers} returns: the signal that stopped the run, and how to remove the handlers. */
export interface StopHandlers {
  readonly received: () => NodeJS.Signals | undefined;
  /** Aborts the run because of an error that escaped every handler, so its cleanup still runs. */
  readonly crash: (error: HarnessError) => void;
  readonly dispose: () => void;
}

/**
 * Wires SIGINT/SIGTERM/SIGHUP and the parent watch to `controller`. A parent that went away (a supervisor
 * killed `npm`, the terminal closed) counts as SIGHUP, the signal a closing terminal sends.
 */
export function installStopHandlers(options: StopHandlersOptions): StopHandlers {
  const proc = options.proc ?? (process as unknown as StopProcess);
  const policy = new StopPolicy(options.nowMs);
  const { controller, say } = options;
  const onSignal = (signal: NodeJS.Signals) => {
    const decision = policy.decide(signal);
    if (decision === 'echo') return;
    if (decision === 'exit-now') {
      say(`received ${signal} again: exiting now without waiting for cleanup`);
      const hint = options.cleanupHint();
      if (hint) say(`to finish the cleanup, run: ${hint}`);
      proc.exit(options.exitCode(policy.received ?? signal));
      return;
    }
    if (controller.signal.aborted) return; // a crash already stopped the run
    say(`received ${signal}: stopping and cleaning up (press Ctrl-C or send ${signal} again to exit at once)`);
    controller.abort(signal);
  };
  for (const signal of HANDLED_SIGNALS) proc.on(signal, onSignal);

  const parentPid = proc.ppid;
  const every = options.every ?? everyUnref;
  const stopWatching = every(PARENT_POLL_INTERVAL_MS, () => {
    if (proc.ppid === parentPid) return;
    stopWatching();
    if (policy.received || controller.signal.aborted) return;
    policy.decide('SIGHUP');
    say(`parent process ${parentPid} is gone: stopping and cleaning up as on SIGHUP`);
    controller.abort('SIGHUP');
  });

  return {
    received: () => policy.received,
    crash(error) {
      if (controller.signal.aborted) return;
      say(`error [${error.code}]: ${error.message}; stopping and cleaning up`);
      controller.abort(error);
    },
    dispose() {
      stopWatching();
      for (const signal of HANDLED_SIGNALS) proc.off(signal, onSignal);
    },
  };
}

function everyUnref(intervalMs: number, tick: () => void): () => void {
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
