/**
 * Saved bench reports for comparison tests: the report fixture's run with its samples replaced by a seeded
 * synthetic load, so a shift injected into head is known exactly.
 */
import { mulberry32 } from '../../../harness/compare/random.js';
import type { RunReport } from '../../../harness/report/model.js';
import type { SamplesView } from '../../../harness/report/samples.js';
import { fixtureReport } from '../report/fixture.js';

export interface SyntheticLoad {
  readonly seed: number;
  /** @default 60 */
  readonly seconds?: number;
  /** @default 50 */
  readonly perSecond?: number;
  /** Added to every latency, Lambda and handler duration. @default 0 */
  readonly shiftMs?: number;
}

/**
 * `perSecond` responses in each of `seconds` seconds: client latency 20 ms plus exponential noise (mean 3 ms),
 * Lambda's Duration 5 ms plus noise (mean 1 ms; every 10th request not correlated: null), the handler's 2 ms
 * plus noise (mean 0.5 ms); all shifted by `shiftMs`.
 */
export function syntheticSamples(load: SyntheticLoad): SamplesView {
  const random = mulberry32(load.seed);
  const exponential = (meanMs: number) => -Math.log(1 - random()) * meanMs;
  const seconds = load.seconds ?? 60;
  const perSecond = load.perSecond ?? 50;
  const shift = load.shiftMs ?? 0;
  const atSeconds: number[] = [];
  const latencyMs: number[] = [];
  const lambdaMs: number[] = [];
  const handlerMs: number[] = [];
  for (let i = 0; i < seconds * perSecond; i++) {
    atSeconds.push(1 + i / perSecond);
    latencyMs.push(20 + exponential(3) + shift);
    // Every tenth not correlated: NaN in memory, null once written as JSON, as in a real report.
    lambdaMs.push(i % 10 === 9 ? Number.NaN : 5 + exponential(1) + shift);
    handlerMs.push(2 + exponential(0.5) + shift);
  }
  return { atSeconds, latencyMs, lambdaMs, handlerMs, thinnedFrom: null };
}

const FIXTURE = fixtureReport();

/** The fixture report with synthetic samples and, optionally, other run facts. */
export function syntheticReport(load: SyntheticLoad, run: Partial<RunReport['run']> = {}): RunReport {
  const report = structuredClone(FIXTURE) as { -readonly [K in keyof RunReport]: RunReport[K] };
  report.samples = syntheticSamples(load);
  report.run = { ...report.run, ...run };
  return report;
}
