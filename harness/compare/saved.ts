/**
 * `harness compare`'s core: two saved bench reports (parsed JSON) in, one {@link Comparison} out. The two runs
 * ran one after the other, so each side is resampled on its own (`independent` mode): the interval covers the
 * sampling noise within each run, never the drift between runs. Pure; the command reads the files.
 */
import { UsageError, type UsageErrorCode } from '../errors.js';
import {
  type CompareStatistic,
  DEFAULT_BLOCK_SECONDS,
  DEFAULT_CONFIDENCE,
  DEFAULT_RESAMPLES,
  differenceInterval,
  type PairingMode,
  type TimedSamples,
} from './interval.js';
import { mulberry32 } from './random.js';
import { DEFAULT_MAX_REGRESSION, formatMaxRegression, type MaxRegression } from './tolerance.js';
import { judgeMetric, type MetricComparison, overallVerdict, type Verdict } from './verdict.js';

/** The JSON schema of `harness compare --format json` (and of the interleaved comparison's object). */
export const COMPARE_SCHEMA = 'rda-compare/1';

/** Seed of the bootstrap unless `--seed` says otherwise: the same two files always give the same table. */
export const DEFAULT_COMPARE_SEED = 1;

/** `sequential`: two saved reports, run one after the other; `interleaved`: one run of `bench --compare`. */
export type ComparisonKind = 'sequential' | 'interleaved';

/** The facts of one side that a reader needs to judge whether the two runs are comparable. */
export interface ComparedSide {
  /** The saved report's path; null for a side of an interleaved run. */
  readonly file: string | null;
  readonly runId: string;
  readonly commit: string;
  readonly target: string;
  readonly region: string | null;
  readonly memorySizeMb: number | null;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly mode: string;
  readonly rateRps: number | null;
  readonly durationSeconds: number;
  /** `int=3,post-records`: the request mix by name and weight. */
  readonly mix: string;
  /** Samples in the report (after thinning). */
  readonly samples: number;
  /** Measured responses before thinning; null when the report keeps them all. */
  readonly thinnedFrom: number | null;
}

/** How the intervals were computed, so a reader (or a re-run) can reproduce them. */
export interface ComparisonSettings {
  readonly pairing: PairingMode;
  readonly confidence: number;
  readonly blockSeconds: number;
  readonly resamples: number;
  readonly seed: number;
  /** The tolerances as `--max-regression` takes them, e.g. `p50=+2ms,p99=+10%`. */
  readonly maxRegression: string;
}

/** A whole comparison: what `harness compare` prints and writes, and what `--format json` serialises. */
export interface Comparison {
  readonly schema: typeof COMPARE_SCHEMA;
  readonly kind: ComparisonKind;
  readonly base: ComparedSide;
  readonly head: ComparedSide;
  readonly verdict: Verdict;
  /** Why the overall verdict is not simply that of the judged rows (e.g. different targets); may be empty. */
  readonly reasons: readonly string[];
  /** Differences between the two runs' setups that make the comparison doubtful. */
  readonly warnings: readonly string[];
  readonly settings: ComparisonSettings;
  readonly metrics: readonly MetricComparison[];
}

/** A bench report's fields that a comparison reads, checked by {@link parseSavedReport}. */
export interface SavedReport {
  readonly file: string;
  readonly schema: string;
  /** How the run ended: `verdict` when it finished, else `interrupted` or `error` with the phase. */
  readonly outcome: { readonly kind: string; readonly phase?: string } | null;
  readonly run: {
    readonly runId: string;
    readonly commit: string;
    readonly target: string;
    readonly region: string | null;
    readonly memorySizeMb: number | null;
    readonly startedAt: string;
    readonly endedAt: string;
    readonly mode: string;
    readonly rateRps: number | null;
    readonly durationSeconds: number;
    readonly mix: readonly {
      readonly name: string;
      readonly weight: number;
      readonly method: string;
      readonly path: string;
    }[];
  };
  readonly samples: {
    readonly atSeconds: readonly number[];
    readonly latencyMs: readonly number[];
    readonly lambdaMs: readonly (number | null)[];
    readonly handlerMs: readonly (number | null)[];
    readonly thinnedFrom: number | null;
  };
}

export interface SavedComparisonOptions {
  /** @default DEFAULT_MAX_REGRESSION */
  readonly maxRegression?: MaxRegression;
  /** @default DEFAULT_COMPARE_SEED */
  readonly seed?: number;
  /** Bootstrap replicates per metric. @default DEFAULT_RESAMPLES */
  readonly resamples?: number;
}

/** One row of the table: which column of the samples, which statistic, and whether a tolerance may judge it. */
export interface ComparedMetric {
  readonly metric: string;
  readonly column: 'latencyMs' | 'lambdaMs' | 'handlerMs';
  readonly statistic: CompareStatistic;
  /** Only client latency is judged: Lambda's and the handler's durations are shown for diagnosis. */
  readonly judged: boolean;
}

/** The rows of every comparison, in table order. */
export const COMPARED_METRICS: readonly ComparedMetric[] = [
  { metric: 'latency p50', column: 'latencyMs', statistic: 'p50', judged: true },
  { metric: 'latency p90', column: 'latencyMs', statistic: 'p90', judged: true },
  { metric: 'latency p99', column: 'latencyMs', statistic: 'p99', judged: true },
  { metric: 'lambda p50', column: 'lambdaMs', statistic: 'p50', judged: false },
  { metric: 'lambda p99', column: 'lambdaMs', statistic: 'p99', judged: false },
  { metric: 'handler p50', column: 'handlerMs', statistic: 'p50', judged: false },
  { metric: 'handler p99', column: 'handlerMs', statistic: 'p99', judged: false },
];

// One place for the codes, so a dedicated code per problem is a one-line change here.
const CODES = {
  empty: 'ReportFileEmpty',
  notJson: 'ReportFileInvalid',
  notReport: 'ReportFileInvalid',
  oldVersion: 'ReportVersionUnsupported',
  noSamples: 'ReportHasNoSamples',
} as const satisfies Record<string, UsageErrorCode>;

const SCHEMA_PATTERN = /^rda-bench-report\/(\d+)$/;
const RERUN = 'run `npm run bench` again with this version of the harness and compare its report';

/**
 * Parses and checks the text of a saved bench report. Throws UsageError naming `file` and what to do when it is
 * empty, not JSON, not a bench report, a version-1 report (no samples) or the report of a run without load.
 */
export function parseSavedReport(file: string, text: string): SavedReport {
  if (text.trim() === '') throw new UsageError(CODES.empty, `'${file}' is empty: give the .json of a bench report`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      CODES.notJson,
      `'${file}' is not JSON (${(error as Error).message}): give the .json of a bench report, not its .md or .html`,
      { cause: error },
    );
  }
  const schema = isObject(data) && typeof data.schema === 'string' ? data.schema : undefined;
  const version = schema === undefined ? undefined : SCHEMA_PATTERN.exec(schema)?.[1];
  if (!isObject(data) || version === undefined) {
    throw new UsageError(
      CODES.notReport,
      `'${file}' is not a bench report (no schema 'rda-bench-report/…'): give a .json that \`npm run bench\` wrote in reports/`,
    );
  }
  if (Number(version) < 2) {
    throw new UsageError(
      CODES.oldVersion,
      `'${file}' is a ${schema} report: it has no samples, and an interval needs them; ${RERUN}`,
    );
  }
  if (data.samples === null || data.samples === undefined) {
    throw new UsageError(
      CODES.noSamples,
      `'${file}' is the report of a run with no load (no samples; it ended before or during deploy): ` +
        'compare two runs that finished their load',
    );
  }
  const { run, samples } = data;
  if (!isObject(run) || !samplesShapeOk(samples)) {
    throw new UsageError(CODES.notReport, `'${file}' says ${schema} but its run or samples are malformed: ${RERUN}`);
  }
  const outcome = isObject(data.outcome) && typeof data.outcome.kind === 'string' ? data.outcome : null;
  return {
    file,
    schema: schema as string,
    outcome: outcome as SavedReport['outcome'],
    run: run as unknown as SavedReport['run'],
    samples,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function samplesShapeOk(samples: unknown): samples is SavedReport['samples'] {
  if (!isObject(samples)) return false;
  const columns = [samples.atSeconds, samples.latencyMs, samples.lambdaMs, samples.handlerMs];
  if (!columns.every(Array.isArray)) return false;
  const length = (samples.atSeconds as unknown[]).length;
  return columns.every((column) => (column as unknown[]).length === length);
}

/** Compares two checked saved reports: `base` ran first (or is the reference), `head` is the candidate. */
export function compareSavedReports(
  base: SavedReport,
  head: SavedReport,
  options: SavedComparisonOptions = {},
): Comparison {
  const maxRegression = options.maxRegression ?? DEFAULT_MAX_REGRESSION;
  const seed = options.seed ?? DEFAULT_COMPARE_SEED;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  // Sequential runs share no time axis: each side's blocks are resampled on their own.
  const metrics = compareMetrics(base.samples, head.samples, {
    pairing: 'independent',
    maxRegression,
    seed,
    resamples,
  });
  const { warnings, blocking } = setupDifferences(base.run, head.run);
  for (const [label, report] of [
    ['base', base],
    ['head', head],
  ] as const) {
    const outcome = report.outcome;
    if (outcome !== null && outcome.kind !== 'verdict') {
      warnings.push(
        `the ${label} run did not finish (${outcome.kind}${outcome.phase ? ` during ${outcome.phase}` : ''}): ` +
          'its samples may cover only part of its load',
      );
    }
  }
  const judged = overallVerdict(metrics);
  // A regression between a local run and an AWS run (or two different mixes) says nothing about the change.
  const verdict = blocking.length > 0 ? 'inconclusive' : judged;
  const reasons = blocking.map((difference) => `${difference}: they measured different things, so no verdict`);
  return {
    schema: COMPARE_SCHEMA,
    kind: 'sequential',
    base: side(base),
    head: side(head),
    verdict,
    reasons,
    warnings,
    settings: {
      pairing: 'independent',
      confidence: DEFAULT_CONFIDENCE,
      blockSeconds: DEFAULT_BLOCK_SECONDS,
      resamples,
      seed,
      maxRegression: formatMaxRegression(maxRegression),
    },
    metrics,
  };
}

/** One side's samples as the report's `samples` holds them (see harness/report/samples.ts). */
export type SampleColumns = Pick<SavedReport['samples'], 'atSeconds' | 'latencyMs' | 'lambdaMs' | 'handlerMs'>;

export interface CompareMetricsOptions {
  /** `independent` for two saved runs, `paired` for the two sides of one interleaved run. */
  readonly pairing: PairingMode;
  readonly maxRegression: MaxRegression;
  readonly seed: number;
  readonly resamples: number;
}

/**
 * Every row of {@link COMPARED_METRICS}: the interval of head − base and its verdict. The one place the rows are
 * made, for saved reports and for an interleaved run alike.
 */
export function compareMetrics(
  base: SampleColumns,
  head: SampleColumns,
  options: CompareMetricsOptions,
): MetricComparison[] {
  // One seeded source, drawn in table order: the same samples and seed give the same table.
  const random = mulberry32(options.seed);
  return COMPARED_METRICS.map((spec) => {
    const interval = differenceInterval(timed(base, spec.column), timed(head, spec.column), {
      statistic: spec.statistic,
      mode: options.pairing,
      random,
      resamples: options.resamples,
    });
    return judgeMetric(spec.metric, interval, spec.judged ? options.maxRegression[spec.statistic] : undefined);
  });
}

/** One column on its time axis; a null (not correlated) becomes NaN, which the interval leaves out. */
function timed(samples: SampleColumns, column: ComparedMetric['column']): TimedSamples {
  const values: readonly (number | null)[] = samples[column];
  return {
    atSeconds: samples.atSeconds,
    values: Float64Array.from(values, (v) => (typeof v === 'number' ? v : Number.NaN)),
  };
}

/** `int=3,post-records`. */
export function formatMix(mix: SavedReport['run']['mix']): string {
  return mix.map((entry) => (entry.weight === 1 ? entry.name : `${entry.name}=${entry.weight}`)).join(',');
}

function side(report: SavedReport): ComparedSide {
  const run = report.run;
  return {
    file: report.file,
    runId: run.runId,
    commit: run.commit,
    target: run.target,
    region: run.region ?? null,
    memorySizeMb: run.memorySizeMb ?? null,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    mode: run.mode,
    rateRps: run.rateRps ?? null,
    durationSeconds: run.durationSeconds,
    mix: formatMix(run.mix ?? []),
    samples: report.samples.latencyMs.length,
    thinnedFrom: report.samples.thinnedFrom ?? null,
  };
}

/**
 * What differs between the two runs' setups. Every difference is a warning; a different target or mix also
 * blocks a verdict (the runs measured different things), while rate, mode, region and memory only cast doubt.
 */
function setupDifferences(
  base: SavedReport['run'],
  head: SavedReport['run'],
): { warnings: string[]; blocking: string[] } {
  const warnings: string[] = [];
  const blocking: string[] = [];
  const check = (what: string, a: unknown, b: unknown, blocks: boolean) => {
    const shown = (value: unknown) => (value === null || value === undefined ? 'unknown' : String(value));
    if (JSON.stringify(a ?? null) === JSON.stringify(b ?? null)) return;
    const warning = `the runs differ in ${what}: base ${shown(a)}, head ${shown(b)}`;
    warnings.push(warning);
    if (blocks) blocking.push(warning);
  };
  check('target', base.target, head.target, true);
  check('mix', formatMix(base.mix ?? []), formatMix(head.mix ?? []), true);
  // Same names and weights but other requests behind a name is a different mix too.
  if (formatMix(base.mix ?? []) === formatMix(head.mix ?? [])) {
    check('mix requests', requests(base), requests(head), true);
  }
  check('mode', base.mode, head.mode, false);
  check('rate (req/s)', base.rateRps, head.rateRps, false);
  check('region', base.region, head.region, false);
  check('memory size (MB)', base.memorySizeMb, head.memorySizeMb, false);
  return { warnings, blocking };
}

function requests(run: SavedReport['run']): string {
  return (run.mix ?? []).map((entry) => `${entry.method} ${entry.path}`).join(', ');
}
