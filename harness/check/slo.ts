/**
 * Service level objectives: parsing (`p99<=100ms`), evaluation against measured metrics, and the run's
 * verdict. Pure functions over plain data; a missed SLO is data (`fail`), never an exception.
 */
import { UsageError } from '../errors.js';

/** Latency statistics, in autocannon's vocabulary so SLOs, results and reports share one set of keys. */
export const LATENCY_STATS = ['p50', 'p90', 'p95', 'p99', 'p99_9', 'max', 'mean'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

/**
 * Which requests a latency statistic is over: client latency of `all`, `warm` or `cold` measured requests,
 * Lambda's REPORT `Duration` (`lambda`), or the `Init Duration` of cold starts (`init`).
 */
export const LATENCY_SCOPES = ['all', 'warm', 'cold', 'lambda', 'init'] as const;
export type LatencyScope = (typeof LATENCY_SCOPES)[number];

/** A bare statistic (`p99`) means `warm.p99`: the issue's targets are warm latencies. */
export const DEFAULT_LATENCY_SCOPE: LatencyScope = 'warm';

/** Metrics that are not latencies, with their unit. */
export const OTHER_METRICS = {
  errors: { unit: '%', describe: 'share of measured requests that failed' },
  coverage: { unit: '%', describe: 'share of expected requests whose log line and REPORT were found' },
  cold_starts: { unit: '', describe: 'cold starts among measured requests' },
} as const;
export type OtherMetric = keyof typeof OTHER_METRICS;

export type Comparator = '<=' | '<' | '>=' | '>';

/** A bound a measured value must meet: the comparison of an SLO, or one side of a `harness perf` goal. */
export interface Threshold {
  readonly comparator: Comparator;
  readonly threshold: number;
}

/** One objective, e.g. `warm.p99 <= 100 ms`. Latency thresholds are in milliseconds, shares in percent. */
export interface Slo extends Threshold {
  /** As the user wrote it. */
  readonly text: string;
  /** Canonical metric key: `warm.p99`, `errors`, `coverage`, `cold_starts`. */
  readonly metric: string;
  readonly comparator: Comparator;
  readonly threshold: number;
  /** `ms`, `%` or '' (a count). */
  readonly unit: 'ms' | '%' | '';
}

const SLO_PATTERN = /^\s*([A-Za-z][A-Za-z0-9_.]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-zµ%]*)\s*$/;
const LATENCY_UNITS_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 };

/** Every metric name an SLO may use, for error messages and `--help`. */
export function validMetricsText(): string {
  return (
    `${LATENCY_STATS.join(', ')} (warm requests; prefix ${LATENCY_SCOPES.map((s) => `${s}.`).join(', ')} ` +
    `e.g. all.p99), ${Object.keys(OTHER_METRICS).join(', ')}`
  );
}

/** Parses `p99<=100ms`, `all.p99_9<1s`, `errors<=0.1%`, `coverage>=100%`, `cold_starts<=5`; throws UsageError. */
export function parseSlo(text: string): Slo {
  const match = SLO_PATTERN.exec(text);
  if (!match) {
    const hint = /^[^<>]*=/.test(text)
      ? `'=' is not a comparison: write ${text.replace('=', '<=')}`
      : 'write <metric><comparison><threshold>, e.g. p99<=100ms or errors<=0.1%';
    throw new UsageError('InvalidSlo', `slo '${text}' cannot be read: ${hint}`);
  }
  const [, rawMetric, comparator, rawValue, rawUnit] = match as unknown as [string, string, Comparator, string, string];
  const metric = canonicalMetric(rawMetric);
  if (metric === undefined) {
    throw new UsageError(
      'UnknownSloMetric',
      `slo '${text}' names unknown metric '${rawMetric}': valid metrics are ${validMetricsText()}`,
    );
  }
  const value = Number(rawValue);
  if (metric in OTHER_METRICS) {
    const unit = OTHER_METRICS[metric as OtherMetric].unit;
    if (rawUnit !== unit) {
      const example = unit === '%' ? `${metric}${comparator}${rawValue}%` : `${metric}${comparator}${rawValue}`;
      throw new UsageError(
        'InvalidSloUnit',
        `slo '${text}': ${metric} is ${unit === '%' ? 'a percentage' : 'a count without unit'}: write ${example}`,
      );
    }
    if (unit === '%' && value > 100) {
      throw new UsageError('InvalidSlo', `slo '${text}': a percentage cannot exceed 100%`);
    }
    return { text, metric, comparator, threshold: value, unit };
  }
  const factor = LATENCY_UNITS_MS[rawUnit];
  if (factor === undefined) {
    throw new UsageError(
      'InvalidSloUnit',
      `slo '${text}': ${metric} is a latency: give a unit, ms, s or us (e.g. ${rawMetric}${comparator}${rawValue}ms)`,
    );
  }
  return { text, metric, comparator, threshold: value * factor, unit: 'ms' };
}

function canonicalMetric(raw: string): string | undefined {
  const name = raw.toLowerCase();
  if (name in OTHER_METRICS) return name;
  const parts = name.split('.');
  const [scope, stat] = parts.length === 1 ? [DEFAULT_LATENCY_SCOPE, parts[0]!] : parts;
  if (parts.length > 2 || scope === undefined || stat === undefined) return undefined;
  if (!(LATENCY_SCOPES as readonly string[]).includes(scope)) return undefined;
  if (!(LATENCY_STATS as readonly string[]).includes(stat)) return undefined;
  return `${scope}.${stat}`;
}

/** True when the SLO judges a latency (these need open-model measurements). */
export function sloUsesLatency(slo: Slo): boolean {
  return slo.unit === 'ms';
}

/** A measured value and how many samples stand behind it. */
export interface MetricValue {
  readonly value: number;
  readonly n: number;
  /**
   * True when the value could still change: e.g. coverage when the logs deadline passed with ids missing
   * (ingestion may simply be late). A failing provisional value makes its SLO inconclusive, not failed.
   */
  readonly provisional?: boolean;
}

/** Metric key to value; a missing key means nothing was measured. */
export type Metrics = Readonly<Record<string, MetricValue | undefined>>;

export type SloStatus = 'pass' | 'fail' | 'inconclusive' | 'not-judged';

export interface SloResult {
  readonly slo: Slo;
  readonly status: SloStatus;
  readonly value: number | undefined;
  readonly n: number;
  /** Headroom in the SLO's unit: positive when met, negative when missed. */
  readonly margin: number | undefined;
  readonly note?: string;
}

/** Why a missed latency SLO may be this machine's or the generator's doing rather than the API's. */
export interface LatencyDoubt {
  readonly code: 'WarmupBacklog' | 'StartBacklog' | 'MachineSaturated' | 'GeneratorSaturated' | 'LocalEnvironmentCap';
  /** One sentence for the report and the SLO's note. */
  readonly reason: string;
  /** The latency scopes it may have inflated. */
  readonly scopes: readonly LatencyScope[];
}

/** What `evaluateSlos` needs beyond the metrics. */
export interface EvaluationContext {
  /** Latency SLOs are not judged on closed-loop (service time) measurements. */
  readonly closedLoop: boolean;
  /** A missed latency SLO in a doubted scope is inconclusive with the doubt's reason. @default none */
  readonly doubts?: readonly LatencyDoubt[];
}

/** Metrics whose value does not depend on when the generator sent or timed requests. */
export const TIMING_INDEPENDENT_METRICS: readonly string[] = ['errors', 'coverage'];

/** True when the SLO's value does not depend on the generator's timing (errors, coverage). */
export function sloIndependentOfTiming(slo: Slo): boolean {
  return TIMING_INDEPENDENT_METRICS.includes(slo.metric);
}

/** The latency scope of a latency SLO (`warm` of `warm.p99`); undefined for other metrics. */
export function sloScope(slo: Slo): LatencyScope | undefined {
  if (!sloUsesLatency(slo)) return undefined;
  return slo.metric.split('.')[0] as LatencyScope;
}

/** Judges each SLO against the metrics. */
export function evaluateSlos(slos: readonly Slo[], metrics: Metrics, context: EvaluationContext): SloResult[] {
  return slos.map((slo) => {
    const measured = metrics[slo.metric];
    if (context.closedLoop && sloUsesLatency(slo)) {
      return {
        slo,
        status: 'not-judged',
        value: measured?.value,
        n: measured?.n ?? 0,
        margin: undefined,
        note: 'closed-loop latencies are service times, not evidence for a latency SLO',
      };
    }
    if (measured === undefined || measured.n === 0 || !Number.isFinite(measured.value)) {
      return { slo, status: 'inconclusive', value: undefined, n: 0, margin: undefined, note: 'no samples' };
    }
    const met = meetsThresholds(measured.value, [slo]);
    const margin = slo.comparator.startsWith('<') ? slo.threshold - measured.value : measured.value - slo.threshold;
    if (met) return { slo, status: 'pass', value: measured.value, n: measured.n, margin };
    const scope = sloScope(slo);
    const doubts = scope === undefined ? [] : (context.doubts ?? []).filter((d) => d.scopes.includes(scope));
    if (doubts.length > 0) {
      return {
        slo,
        status: 'inconclusive',
        value: measured.value,
        n: measured.n,
        margin,
        note: doubts.map((d) => d.reason).join('; '),
      };
    }
    if (measured.provisional) {
      return {
        slo,
        status: 'inconclusive',
        value: measured.value,
        n: measured.n,
        margin,
        note: 'not reached before the deadline; late data may still change it',
      };
    }
    return { slo, status: 'fail', value: measured.value, n: measured.n, margin };
  });
}

/**
 * True when `value` meets every bound (bounds as SLOs write them, `<=` inclusive); never for NaN or an
 * infinity, which mean nothing was measured. The one threshold check behind SLO verdicts and `harness perf` goals.
 */
export function meetsThresholds(value: number, bounds: readonly Threshold[]): boolean {
  return Number.isFinite(value) && bounds.every((bound) => compare(value, bound.comparator, bound.threshold));
}

function compare(value: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
  }
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** Below this many measured responses a percentile says too little to judge. */
export const MIN_SAMPLES = 20;

/** A run whose sent or achieved rate is below this share of the target did not test what was asked. */
export const MIN_RATE_RATIO = 0.95;

/** Facts about the load that decide whether its measurements can be trusted. */
export interface LoadFacts {
  /** Measured requests that got a response (any status). */
  readonly responses: number;
  /** Requests handed to the connection pool per second / target rate (undefined in peak mode). */
  readonly sentRatio: number | undefined;
  /** Responses per second over the measured window / target rate (undefined in peak mode). */
  readonly achievedRatio: number | undefined;
  /**
   * Faults of the deployment itself during the run (e.g. log events the local store could not write): a
   * coverage miss is then not the API's, and no run with one passes. @default none
   */
  readonly deploymentFaults?: readonly string[];
}

export interface VerdictResult {
  readonly verdict: Verdict;
  /** Why, one sentence each, most important first. */
  readonly reasons: readonly string[];
}

/**
 * The verdict, in this order:
 * 1. fail when an SLO that does not depend on the generator's timing (errors, coverage) failed: a refused
 *    or broken request is a fact however late it was sent;
 * 2. inconclusive when the generator could not keep the schedule (its own lag would pollute latency),
 *    or when fewer than {@link MIN_SAMPLES} responses were measured;
 * 3. fail when any other SLO failed;
 * 4. inconclusive when any SLO is inconclusive, the achieved rate is below 95 % of the target, or the
 *    deployment reported a fault (a coverage miss is then inconclusive too, not a failure);
 * 5. pass.
 */
export function decideVerdict(results: readonly SloResult[], load: LoadFacts): VerdictResult {
  const missed = (r: SloResult) => `SLO ${r.slo.text} missed`;
  const untrusted: string[] = [];
  if (load.sentRatio !== undefined && load.sentRatio < MIN_RATE_RATIO) {
    untrusted.push(
      `the load generator sent only ${percent(load.sentRatio)} of the target rate (needs ${percent(MIN_RATE_RATIO)})`,
    );
  }
  if (load.responses < MIN_SAMPLES) {
    untrusted.push(`only ${load.responses} measured responses (at least ${MIN_SAMPLES} are needed)`);
  }
  const faults = load.deploymentFaults ?? [];
  // Lost log lines look exactly like requests the API never logged: with a fault, a coverage miss proves nothing.
  const explained = (r: SloResult) => faults.length > 0 && r.slo.metric === 'coverage';
  const failed = results.filter((r) => r.status === 'fail' && !explained(r));
  const factsFailed = failed.filter((r) => sloIndependentOfTiming(r.slo));
  if (factsFailed.length > 0) {
    // The other failures are listed only when the load can be trusted to have measured them.
    const others =
      untrusted.length > 0
        ? untrusted.map((u) => `other SLOs not judged: ${u}`)
        : failed.filter((r) => !factsFailed.includes(r)).map(missed);
    return { verdict: 'fail', reasons: [...factsFailed.map(missed), ...others] };
  }
  if (untrusted.length > 0) return { verdict: 'inconclusive', reasons: untrusted };

  if (failed.length > 0) return { verdict: 'fail', reasons: failed.map(missed) };

  const open: string[] = [
    ...faults.map((fault) => `the deployment had a fault, so the run cannot pass: ${fault}`),
    ...results
      .filter((r) => r.status === 'fail' && explained(r))
      .map((r) => `SLO ${r.slo.text} missed, but not judged: the deployment had a fault`),
    ...results
      .filter((r) => r.status === 'inconclusive')
      .map((r) => `SLO ${r.slo.text} could not be judged: ${r.note ?? 'no data'}`),
  ];
  if (load.achievedRatio !== undefined && load.achievedRatio < MIN_RATE_RATIO) {
    open.push(`achieved rate was ${percent(load.achievedRatio)} of the target (needs ${percent(MIN_RATE_RATIO)})`);
  }
  if (open.length > 0) return { verdict: 'inconclusive', reasons: open };
  return { verdict: 'pass', reasons: ['every judged SLO was met'] };
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
