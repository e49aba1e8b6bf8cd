/**
 * Progress per phase: a live, rewritten line on a terminal; plain lines in CI and tests (one when a phase
 * starts and ends, and a load line every 5 s). The plain lines are stable: `phase <name>: started`,
 * `phase <name>: done in 1.234 s`, `phase <name>: interrupted`.
 */

/** Where a run reports what it is doing. */
export interface Progress {
  phaseStarted(phase: string): void;
  phaseEnded(phase: string, outcome: string, durationMs: number): void;
  /** A line worth keeping (deploy events, warnings). */
  info(line: string): void;
  /** A warning; the same text again is not printed again. */
  warn(line: string): void;
  /** A status that replaces the previous one (load rate, latency). */
  live(text: string): void;
}

export interface ProgressOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly isTty: boolean;
  /** Writes without a newline (the live line on a TTY). @default process.stdout.write */
  readonly write?: (text: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Plain mode prints a live status at most this often. */
const PLAIN_LIVE_INTERVAL_MS = 5_000;

/** Progress for a terminal (live line) or for logs (plain lines). */
export function createProgress(output: ProgressOutput): Progress {
  const now = output.now ?? Date.now;
  const write = output.write ?? ((text: string) => process.stdout.write(text));
  let liveShown = false;
  let lastPlainLive = 0;
  // A warning that recurs (per request, per round) would bury the output: print each text once.
  const warned = new Set<string>();
  const clearLive = () => {
    if (output.isTty && liveShown) {
      write('\r\x1b[2K');
      liveShown = false;
    }
  };
  return {
    phaseStarted(phase) {
      clearLive();
      output.out(`phase ${phase}: started`);
      lastPlainLive = now();
    },
    phaseEnded(phase, outcome, durationMs) {
      clearLive();
      output.out(`phase ${phase}: ${outcome === 'done' ? 'done' : outcome} in ${(durationMs / 1000).toFixed(3)} s`);
    },
    info(line) {
      clearLive();
      output.out(line);
    },
    warn(line) {
      if (warned.has(line)) return;
      warned.add(line);
      clearLive();
      output.err(`warning: ${line}`);
    },
    live(text) {
      if (output.isTty) {
        write(`\r\x1b[2K${text}`);
        liveShown = true;
        return;
      }
      if (now() - lastPlainLive >= PLAIN_LIVE_INTERVAL_MS) {
        lastPlainLive = now();
        output.out(text);
      }
    },
  };
}

/** Progress that prints nothing (tests). */
export const silentProgress: Progress = {
  phaseStarted() {},
  phaseEnded() {},
  info() {},
  warn() {},
  live() {},
};
