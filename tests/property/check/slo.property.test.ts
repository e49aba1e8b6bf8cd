import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Comparator,
  decideVerdict,
  evaluateSlos,
  type LoadFacts,
  type Metrics,
  parseSlo,
  type Slo,
  type Verdict,
} from '../../../harness/check/slo.js';

const METRICS = ['warm.p50', 'warm.p99', 'all.p99_9', 'errors', 'coverage', 'cold_starts'] as const;
const rank: Record<Verdict, number> = { fail: 0, inconclusive: 1, pass: 2 };

const sloArb = fc.record({
  metric: fc.constantFrom(...METRICS),
  comparator: fc.constantFrom<Comparator>('<=', '<', '>=', '>'),
  threshold: fc.double({ min: 0, max: 1000, noNaN: true }),
});
const metricsArb = fc.dictionary(
  fc.constantFrom(...METRICS),
  fc.record({
    value: fc.double({ min: 0, max: 1000, noNaN: true }),
    n: fc.integer({ min: 0, max: 10_000 }),
    provisional: fc.boolean(),
  }),
) as fc.Arbitrary<Metrics>;
const loadArb = fc.record({
  responses: fc.integer({ min: 0, max: 10_000 }),
  sentRatio: fc.option(fc.double({ min: 0, max: 1.2, noNaN: true }), { nil: undefined }),
  achievedRatio: fc.option(fc.double({ min: 0, max: 1.2, noNaN: true }), { nil: undefined }),
}) as fc.Arbitrary<LoadFacts>;

function toSlo(s: { metric: string; comparator: Comparator; threshold: number }): Slo {
  const unit = s.metric === 'errors' || s.metric === 'coverage' ? '%' : s.metric === 'cold_starts' ? '' : 'ms';
  return {
    text: `${s.metric}${s.comparator}${s.threshold}${unit}`,
    metric: s.metric,
    comparator: s.comparator,
    threshold: s.threshold,
    unit,
  };
}

/** Moves every threshold by `delta` in the direction that makes its SLO easier to meet. */
function relax(slo: Slo, delta: number): Slo {
  return {
    ...slo,
    threshold: slo.comparator.startsWith('<') ? slo.threshold + delta : Math.max(0, slo.threshold - delta),
  };
}

describe('SLO evaluation (properties)', () => {
  it('is monotone in thresholds: relaxing a threshold never turns a met SLO into a missed one', () => {
    fc.assert(
      fc.property(
        fc.array(sloArb, { minLength: 1, maxLength: 6 }),
        metricsArb,
        fc.double({ min: 0, max: 500, noNaN: true }),
        (raw, metrics, delta) => {
          const slos = raw.map(toSlo);
          const before = evaluateSlos(slos, metrics, { closedLoop: false });
          const after = evaluateSlos(
            slos.map((s) => relax(s, delta)),
            metrics,
            { closedLoop: false },
          );
          before.forEach((b, i) => {
            if (b.status === 'pass') expect(after[i]!.status).toBe('pass');
            if (after[i]!.status === 'fail') expect(b.status).toBe('fail');
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('makes the verdict monotone in thresholds: relaxing never gives a worse verdict', () => {
    fc.assert(
      fc.property(
        fc.array(sloArb, { minLength: 1, maxLength: 6 }),
        metricsArb,
        loadArb,
        fc.double({ min: 0, max: 500, noNaN: true }),
        (raw, metrics, load, delta) => {
          const slos = raw.map(toSlo);
          const before = decideVerdict(evaluateSlos(slos, metrics, { closedLoop: false }), load).verdict;
          const after = decideVerdict(
            evaluateSlos(
              slos.map((s) => relax(s, delta)),
              metrics,
              { closedLoop: false },
            ),
            load,
          ).verdict;
          expect(rank[after]).toBeGreaterThanOrEqual(rank[before]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives a margin whose sign says whether a non-provisional SLO was met', () => {
    fc.assert(
      fc.property(sloArb, fc.double({ min: 0, max: 1000, noNaN: true }), (raw, value) => {
        const slo = toSlo(raw);
        const [result] = evaluateSlos([slo], { [slo.metric]: { value, n: 10 } }, { closedLoop: false });
        if (result!.status === 'pass') expect(result!.margin).toBeGreaterThanOrEqual(0);
        else expect(result!.margin).toBeLessThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a doubt about timing worsen a verdict: a doubted latency miss is inconclusive, never fail', () => {
    const doubts = [
      { code: 'MachineSaturated', reason: 'machine saturated', scopes: ['all', 'warm', 'cold', 'lambda', 'init'] },
    ] as const;
    fc.assert(
      fc.property(fc.array(sloArb, { minLength: 1, maxLength: 6 }), metricsArb, loadArb, (raw, metrics, load) => {
        const slos = raw.map(toSlo);
        const plain = evaluateSlos(slos, metrics, { closedLoop: false });
        const doubted = evaluateSlos(slos, metrics, { closedLoop: false, doubts });
        doubted.forEach((r, i) => {
          if (r.slo.unit === 'ms') expect(r.status).not.toBe('fail');
          else expect(r.status).toBe(plain[i]!.status);
        });
        expect(rank[decideVerdict(doubted, load).verdict]).toBeGreaterThanOrEqual(
          rank[decideVerdict(plain, load).verdict],
        );
      }),
      { numRuns: 200 },
    );
  });

  it('never passes a run in which an SLO failed', () => {
    fc.assert(
      fc.property(fc.array(sloArb, { minLength: 1, maxLength: 6 }), metricsArb, loadArb, (raw, metrics, load) => {
        const results = evaluateSlos(raw.map(toSlo), metrics, { closedLoop: false });
        const verdict = decideVerdict(results, load).verdict;
        if (results.some((r) => r.status === 'fail' || r.status === 'inconclusive')) expect(verdict).not.toBe('pass');
      }),
      { numRuns: 200 },
    );
  });

  it('parses what it prints: every generated SLO text reads back to the same objective', () => {
    fc.assert(
      fc.property(sloArb, (raw) => {
        const threshold = Math.round(raw.threshold * 100) / 100;
        const slo = toSlo({
          ...raw,
          threshold: raw.metric === 'coverage' || raw.metric === 'errors' ? Math.min(threshold, 100) : threshold,
        });
        const parsed = parseSlo(slo.text);
        expect(parsed).toMatchObject({ metric: slo.metric, comparator: slo.comparator, unit: slo.unit });
        expect(parsed.threshold).toBeCloseTo(slo.threshold, 9);
      }),
      { numRuns: 200 },
    );
  });
});
