import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guardedWriter } from '../../harness/cli.js';
import { InfraError, signalExitCode } from '../../harness/errors.js';
import {
  ECHO_WINDOW_MS,
  installStopHandlers,
  PARENT_POLL_INTERVAL_MS,
  StopPolicy,
  type StopProcess,
} from '../../harness/signals.js';

/** A process double: signals are emitted by hand, the parent pid can change, exit is recorded. */
class FakeProcess extends EventEmitter implements StopProcess {
  ppid = 4242;
  exits: number[] = [];
  exit(code: number): never {
    this.exits.push(code);
    return undefined as never;
  }
}

function setUp() {
  let nowMs = 0;
  let tick: (() => void) | undefined;
  const proc = new FakeProcess();
  const controller = new AbortController();
  const said: string[] = [];
  const handlers = installStopHandlers({
    controller,
    say: (line) => said.push(line),
    cleanupHint: () => 'npm run harness -- destroy --run-id demo',
    exitCode: signalExitCode,
    proc,
    nowMs: () => nowMs,
    every: (intervalMs, fn) => {
      expect(intervalMs).toBe(PARENT_POLL_INTERVAL_MS);
      tick = fn;
      return () => {
        tick = undefined;
      };
    },
  });
  return {
    proc,
    controller,
    said,
    handlers,
    advance: (ms: number) => {
      nowMs += ms;
    },
    poll: () => tick?.(),
  };
}

describe('StopPolicy', () => {
  it('takes the first signal as a stop, its echo within the window as nothing, a later one as exit-now', () => {
    let now = 0;
    const policy = new StopPolicy(() => now);

    expect(policy.decide('SIGINT')).toBe('stop');
    now += 5; // npm relaying the terminal's SIGINT
    expect(policy.decide('SIGINT')).toBe('echo');
    now += ECHO_WINDOW_MS;
    expect(policy.decide('SIGINT')).toBe('exit-now');
    expect(policy.received).toBe('SIGINT');
  });

  it('takes a different signal as a deliberate second request, even at once (SIGINT then a runner SIGTERM)', () => {
    const policy = new StopPolicy(() => 0);

    expect(policy.decide('SIGINT')).toBe('stop');
    expect(policy.decide('SIGTERM')).toBe('exit-now');
  });
});

describe('installStopHandlers', () => {
  it('aborts once with the signal name when Ctrl-C reaches the process twice (group + npm relay)', () => {
    const t = setUp();

    t.proc.emit('SIGINT', 'SIGINT');
    t.advance(3);
    t.proc.emit('SIGINT', 'SIGINT');

    expect(t.controller.signal.reason).toBe('SIGINT');
    expect(t.said).toEqual([
      'received SIGINT: stopping and cleaning up (press Ctrl-C or send SIGINT again to exit at once)',
    ]);
    expect(t.proc.exits).toEqual([]);
  });

  it('exits at once on a deliberate second press, with the first signal code and the cleanup command', () => {
    const t = setUp();

    t.proc.emit('SIGTERM', 'SIGTERM');
    t.advance(ECHO_WINDOW_MS + 1);
    t.proc.emit('SIGTERM', 'SIGTERM');

    expect(t.proc.exits).toEqual([143]);
    expect(t.said.slice(1)).toEqual([
      'received SIGTERM again: exiting now without waiting for cleanup',
      'to finish the cleanup, run: npm run harness -- destroy --run-id demo',
    ]);
  });

  it('treats a parent that went away as SIGHUP, once', () => {
    const t = setUp();
    t.poll();
    expect(t.controller.signal.aborted).toBe(false);

    t.proc.ppid = 1; // npm was killed: we were re-parented to init (or a subreaper)
    t.poll();
    t.poll();

    expect(t.controller.signal.reason).toBe('SIGHUP');
    expect(t.said).toEqual(['parent process 4242 is gone: stopping and cleaning up as on SIGHUP']);
    expect(t.handlers.received()).toBe('SIGHUP');
  });

  it('does not count the lost parent when a signal already stopped the run (the terminal closed: SIGHUP, then npm died)', () => {
    const t = setUp();
    t.proc.emit('SIGHUP', 'SIGHUP');

    t.proc.ppid = 1;
    t.poll();

    expect(t.said).toHaveLength(1);
    expect(t.proc.exits).toEqual([]);
  });

  it('aborts with the error on a crash, so cleanup still runs; a later Ctrl-C does not re-abort', () => {
    const t = setUp();
    const error = new InfraError('Unexpected', 'unexpected error: write EIO');

    t.handlers.crash(error);
    t.proc.emit('SIGINT', 'SIGINT');

    expect(t.controller.signal.reason).toBe(error);
    expect(t.said[0]).toBe('error [Unexpected]: unexpected error: write EIO; stopping and cleaning up');
  });

  it('removes its listeners and stops watching on dispose', () => {
    const t = setUp();

    t.handlers.dispose();

    expect(t.proc.listenerCount('SIGINT') + t.proc.listenerCount('SIGTERM') + t.proc.listenerCount('SIGHUP')).toBe(0);
    t.proc.ppid = 1;
    t.poll();
    expect(t.controller.signal.aborted).toBe(false);
  });
});

describe('guardedWriter', () => {
  it('never throws and never leaves an error event unhandled when the reader has gone (EPIPE, EIO)', () => {
    // Prepare
    const stream = new PassThrough();
    const write = guardedWriter(stream);
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));

    // Act
    write('first');
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    write('second');

    // Assess: the line before the failure arrived; after it, lines are dropped quietly
    expect(chunks.join('')).toBe('first\n');
  });
});
