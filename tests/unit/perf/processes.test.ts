import { describe, expect, it } from 'vitest';
import { choosePlacement, descendantsOf } from '../../../harness/perf/processes.js';

describe('choosePlacement', () => {
  it('pins servers to CPU 0 and the generator to CPU 1 when there are two CPUs and taskset', () => {
    const placement = choosePlacement(2, true);
    expect(placement).toMatchObject({ pinned: true, serverCpus: '0', generatorCpus: '1', allCpus: '0-1' });
    expect(placement.description).toContain('taskset');
  });

  it('does not pin, and says why, without taskset or with one CPU', () => {
    expect(choosePlacement(4, false)).toMatchObject({ pinned: false, allCpus: '0-3' });
    expect(choosePlacement(4, false).description).toContain('`taskset` not found');
    expect(choosePlacement(1, true).description).toContain('only 1 CPU');
  });
});

describe('descendantsOf', () => {
  it('finds children and grandchildren, deepest first, and nothing outside the tree', () => {
    // Prepare: 10 → 11 → 13, 10 → 12; 20 is someone else's.
    const parents = new Map([
      [11, 10],
      [12, 10],
      [13, 11],
      [20, 1],
      [10, 1],
    ]);
    // Act
    const found = descendantsOf(10, parents);
    // Assess
    expect([...found].sort((a, b) => a - b)).toEqual([11, 12, 13]);
    expect(found.indexOf(13)).toBeLessThan(found.indexOf(11));
  });

  it('survives a cycle in a stale /proc snapshot', () => {
    expect(
      descendantsOf(
        1,
        new Map([
          [2, 1],
          [3, 2],
          [1, 3],
        ]),
      ),
    ).toEqual([3, 2]);
  });
});
