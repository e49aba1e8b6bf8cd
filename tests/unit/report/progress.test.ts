import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../harness/report/progress.js';

function sink(isTty: boolean, clock = { ms: 0 }) {
  const out: string[] = [];
  const err: string[] = [];
  const written: string[] = [];
  const progress = createProgress({
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTty,
    write: (t) => written.push(t),
    now: () => clock.ms,
  });
  return { progress, out, err, written, clock };
}

describe('progress', () => {
  it('prints plain, stable phase lines and a live status at most every 5 s when not on a terminal', () => {
    const { progress, out, written, clock } = sink(false);
    progress.phaseStarted('load');
    progress.live('load 1/20 s');
    clock.ms = 4_999;
    progress.live('load 4/20 s');
    clock.ms = 5_000;
    progress.live('load 5/20 s');
    progress.phaseEnded('load', 'done', 20_123.4);
    progress.phaseEnded('correlate', 'interrupted', 50);
    expect(out).toEqual([
      'phase load: started',
      'load 5/20 s',
      'phase load: done in 20.123 s',
      'phase correlate: interrupted in 0.050 s',
    ]);
    expect(written).toEqual([]);
  });

  it('rewrites one live line on a terminal and clears it before the next plain line', () => {
    const { progress, out, written, err } = sink(true);
    progress.live('a');
    progress.live('b');
    progress.warn('slow');
    expect(written).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kb', '\r\x1b[2K']);
    expect(err).toEqual(['warning: slow']);
    expect(out).toEqual([]);
  });

  it('prints a warning once however often it is given', () => {
    // Prepare
    const { progress, err } = sink(false);

    // Act
    for (let i = 0; i < 8; i++) progress.warn('stage throttle raised');
    progress.warn('something else');

    // Assess
    expect(err).toEqual(['warning: stage throttle raised', 'warning: something else']);
  });
});
