import { describe, expect, it } from 'vitest';
import { GOALS, startupRows } from '../../../harness/perf/figures.js';
import { planSuite } from '../../../harness/perf/plan.js';
import {
  childCpuTicks,
  STARTUP_QUERY,
  type StartupRounds,
  type StartupRun,
  startupArgs,
} from '../../../harness/perf/startup.js';

const runs = (wallMs: number[], cpuMs: number[] = wallMs.map((ms) => ms / 2)): StartupRun[] =>
  wallMs.map((ms, i) => ({ wallMs: ms, cpuMs: cpuMs[i]! }));

/** Three rounds: node 100 ms, tsx +250 ms, query and help as given. */
function rounds(queryWallMs: number[], cpuMs?: number[]): StartupRounds {
  return {
    node: runs([100, 110, 90], cpuMs && [40, 40, 40]),
    tsx: runs([350, 360, 340], cpuMs && [300, 300, 300]),
    query: runs(queryWallMs, cpuMs),
    help: runs([500, 510, 490], cpuMs && [400, 400, 400]),
  };
}

describe('startupRows', () => {
  it('judges harness query minus node -e 0, round by round, against 0.3 s', () => {
    // Act
    const [query] = startupRows(rounds([350, 400, 380]), STARTUP_QUERY);

    // Assess: differences 0.25, 0.29, 0.29 s
    expect(query!.id).toBe('cli');
    expect(query!.goal).toEqual(GOALS.cliStartupSeconds);
    expect(query!.comparison!.unit).toBe('s');
    expect(query!.comparison!.spread.median).toBeCloseTo(0.29, 6);
    expect(query!.comparison!.spread.min).toBeCloseTo(0.25, 6);
    expect(query!.baseline!.spread.median).toBeCloseTo(0.1, 6);
    expect(query!.status).toBe('met');
  });

  it('says not met when the median difference is above 0.3 s', () => {
    const [query] = startupRows(rounds([900, 950, 1000]), STARTUP_QUERY);
    expect(query!.comparison!.spread.median).toBeCloseTo(0.84, 6);
    expect(query!.status).toBe('not met');
    expect(query!.peer).toEqual({ part: 'query CLI start-up, empty local store, over node -e 0', peer: 'node -e 0' });
  });

  it('blames tsx only when tsx alone takes more than the goal', () => {
    // Prepare: tsx +0.25 s over node (under the goal), then +0.35 s (over it).
    const under = rounds([900, 950, 1000]);
    const over: StartupRounds = { ...under, tsx: runs([450, 460, 440]) };

    // Act
    const [withinGoal] = startupRows(under, STARTUP_QUERY);
    const [tsxBound] = startupRows(over, STARTUP_QUERY);

    // Assess
    expect(withinGoal!.note).not.toContain('bound by tsx');
    expect(withinGoal!.note).toContain("the rest is the command's own modules");
    expect(tsxBound!.note).toContain('node --import tsx -e 0 alone takes 0.35 s; bound by tsx');
    // A query within the goal needs no explanation.
    expect(startupRows(rounds([350, 400, 380]), STARTUP_QUERY)[0]!.note).not.toMatch(/bound by|the rest is/);
  });

  it('adds the CPU difference, --help and the tsx floor as figures without a goal', () => {
    // Act
    const rows = startupRows(rounds([900, 950, 1000], [700, 700, 760]), STARTUP_QUERY);

    // Assess
    expect(rows.map((r) => [r.name.split(' − ')[0], r.status])).toEqual([
      [`harness query '${STARTUP_QUERY}', empty local store`, 'not met'],
      ['harness query, empty local store', 'info'],
      ['harness --help', 'info'],
      ['node --import tsx -e 0', 'info'],
    ]);
    expect(rows[1]!.comparison!.spread.median).toBeCloseTo(0.66, 6);
    expect(rows[3]!.comparison!.spread.median).toBeCloseTo(0.25, 6);
  });

  it('leaves the CPU row out where CPU time could not be read', () => {
    const rows = startupRows(rounds([900, 950, 1000], [Number.NaN, Number.NaN, Number.NaN]), STARTUP_QUERY);
    expect(rows.map((r) => r.name)).not.toContain('harness query, empty local store − node -e 0, CPU');
    expect(rows).toHaveLength(3);
  });
});

describe('childCpuTicks', () => {
  it('adds cutime and cstime, fields 16 and 17, after a command name with spaces and parentheses', () => {
    // Prepare: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 200 0 0 55 7 123 45 20 0 9 0';

    // Act + Assess
    expect(childCpuTicks(stat)).toBe(168);
  });
});

describe('startupArgs', () => {
  it('runs the CLI through tsx, as npm run harness does, on the store it is given', () => {
    expect(startupArgs('node', '/s')).toEqual(['-e', '0']);
    expect(startupArgs('tsx', '/s')).toEqual(['--import', 'tsx', '-e', '0']);
    const query = startupArgs('query', '/s');
    expect(query.slice(0, 2)).toEqual(['--import', 'tsx']);
    expect(query[2]).toMatch(/harness\/cli\.ts$/);
    expect(query.slice(3)).toEqual(['query', '--log-dir', '/s', STARTUP_QUERY]);
    expect(startupArgs('help', '/s').slice(3)).toEqual(['--help']);
  });
});

describe('the cli figure plan', () => {
  it('measures at least 3 interleaved rounds, quick or full, and more when asked', () => {
    expect(planSuite(true).startup.rounds).toBeGreaterThanOrEqual(3);
    expect(planSuite(false).startup.rounds).toBeGreaterThanOrEqual(3);
    expect(planSuite(false, 15).startup.rounds).toBe(15);
  });
});
