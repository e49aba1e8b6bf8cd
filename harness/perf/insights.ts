/**
 * Benchmark of the local Logs Insights engine (docs/measurement.md#perf-goals G9, #reference-figures): events per second and peak memory of
 * two queries over generated Lambda logs, against a bare stream-parse-and-filter loop over the same files
 * and against DuckDB (1 thread) running the same queries as SQL over the same NDJSON files (issue 17's peer),
 * in the same process and run, interleaved (each round rotates who goes first), median of per-round ratios.
 *
 * Run by `harness perf --only G9` (suite.ts); the plan (plan.ts) sets the sizes and rounds.
 */
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { listLogStreams, queryLogStore, streamFilePath } from '../insights/index.js';
import { nearestRank } from '../stats/percentile.js';
import { median } from '../stats/spread.js';
import type { InsightsResult } from '../target/target.js';

/** What to run. */
export interface InsightsBenchmarkOptions {
  /** Rounds per size and query; each round runs engine and bare loop once. @default 3 */
  readonly rounds?: number;
  /** Event counts to generate. @default [100000, 1000000] */
  readonly sizes?: readonly number[];
  /** Progress lines. @default stderr */
  readonly log?: (line: string) => void;
}

/** One query at one size. */
export interface InsightsBenchmarkCase {
  readonly events: number;
  readonly query: string;
  readonly rounds: number;
  readonly engineMedianMs: number;
  readonly bareMedianMs: number;
  /** Median of per-round engine/bare wall-time ratios: the G9 metric (goal ≤ 1.5 here, ≤ 1.0 in G9). */
  readonly ratio: number;
  /**
   * The same with CPU time (user + system of the process): steadier than wall time on a shared machine,
   * where a run may get only part of a core.
   */
  readonly cpuRatio?: number;
  readonly engineCpuMedianMs?: number;
  readonly bareCpuMedianMs?: number;
  readonly engineEventsPerSecond: number;
  readonly bareEventsPerSecond: number;
  /** Peak RSS and heap seen while each side ran (MiB). */
  readonly enginePeakRssMiB: number;
  readonly enginePeakHeapMiB: number;
  readonly barePeakRssMiB: number;
  readonly barePeakHeapMiB: number;
  /** The engine's rows matched what the bare loop computed. */
  readonly resultsAgree: boolean;
  /** The same query in DuckDB, in the same rounds; absent in reports made before it was measured. */
  readonly duckdb?: InsightsPeerCase;
}

/** DuckDB (1 thread) over the same files, timed in the same rounds as the engine. */
export interface InsightsPeerCase {
  /** e.g. `DuckDB v1.5.0, 1 thread`. */
  readonly label: string;
  /** The SQL that stands for the Insights query (file list elided). */
  readonly sql: string;
  /** Per round, in round order: DuckDB's and the engine's wall and CPU times (ms). */
  readonly roundsMs: readonly number[];
  readonly cpuRoundsMs: readonly number[];
  readonly engineRoundsMs: readonly number[];
  readonly engineCpuRoundsMs: readonly number[];
  readonly peakRssMiB: number;
  /** DuckDB's rows matched the engine's: same row count, same groups, same values. */
  readonly resultsAgree: boolean;
  /** Why DuckDB did not run (not installed, an SQL error); the round lists are then empty. */
  readonly error?: string;
}

export interface InsightsBenchmarkReport {
  readonly node: string;
  readonly cases: readonly InsightsBenchmarkCase[];
}

const GROUP = '/aws/lambda/bench-fn';
const STREAMS = 4;
const T0 = Date.UTC(2025, 0, 1);
// ~10,000 events per minute, as in the baseline of docs/measurement.md#reference-figures: 4 events (START, pino, END, REPORT) per invocation, 24 ms apart.
const INVOCATION_SPACING_MS = 24;
const PATHS = ['/random/int', '/random/uuid', '/random/words', '/random/bytes', '/health'];

const QUERIES = [
  {
    name: 'report-stats',
    query: 'filter @type = "REPORT" | stats avg(@duration), pct(@duration, 99) by bin(1m)',
    bare: bareReportStats,
    check: checkReportStats,
    sql: reportStatsSql,
    fromSql: reportStatsFromSql,
  },
  {
    name: 'json-filter',
    query: 'filter status >= 500 | stats count(*) by path',
    bare: bareStatusByPath,
    check: checkStatusByPath,
    sql: statusByPathSql,
    fromSql: statusByPathFromSql,
  },
] as const;

/** Runs the benchmark and returns the figures; prints progress through `log`. */
export async function runInsightsBenchmark(options: InsightsBenchmarkOptions = {}): Promise<InsightsBenchmarkReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rounds = options.rounds ?? 3;
  const sizes = options.sizes ?? [100_000, 1_000_000];
  const cases: InsightsBenchmarkCase[] = [];
  const duckdb = await openDuckDb().catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
  try {
    for (const size of sizes) {
      const dir = mkdtempSync(path.join(tmpdir(), 'insights-bench-'));
      try {
        const started = performance.now();
        const bytes = generateStore(dir, size);
        log(
          `generated ${size} events (${(bytes / 1048576).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        const files = (await listLogStreams(dir, GROUP)).map((s) => s.file);
        const startTimeMs = T0;
        const endTimeMs = T0 + size * INVOCATION_SPACING_MS;
        for (const q of QUERIES) {
          const engineMs: number[] = [];
          const bareMs: number[] = [];
          const ratios: number[] = [];
          const engineCpu: number[] = [];
          const bareCpu: number[] = [];
          const cpuRatios: number[] = [];
          const duckMs: number[] = [];
          const duckCpu: number[] = [];
          const enginePeak = { rss: 0, heap: 0 };
          const barePeak = { rss: 0, heap: 0 };
          const duckPeak = { rss: 0, heap: 0 };
          let agree = true;
          let duckAgree = true;
          let duckError = duckdb instanceof Error ? duckdb.message : undefined;
          const sql = q.sql(files, startTimeMs, endTimeMs);
          for (let round = 0; round < rounds; round++) {
            let engine: { ms: number; cpuMs: number; value: InsightsResult } | undefined;
            let bare: { ms: number; cpuMs: number; value: unknown } | undefined;
            let duck: { ms: number; cpuMs: number; value: unknown } | undefined;
            const sides = {
              engine: async () => {
                engine = await measure(enginePeak, () =>
                  queryLogStore({ logDir: dir, logGroupNames: [GROUP], queryString: q.query, startTimeMs, endTimeMs }),
                );
              },
              bare: async () => {
                bare = await measure<unknown>(barePeak, () => q.bare(files));
              },
              duckdb: async () => {
                if (duckError !== undefined || duckdb instanceof Error) return;
                try {
                  duck = await measure<unknown>(duckPeak, async () => q.fromSql(await duckdb.rows(sql)));
                } catch (error) {
                  duckError = error instanceof Error ? error.message : String(error);
                }
              },
            };
            // Rotate who goes first so warm-up and page cache favour none of the three.
            const order = (['engine', 'bare', 'duckdb'] as const).map((_, i, all) => all[(i + round) % all.length]!);
            for (const side of order) await sides[side]();
            if (engine === undefined || bare === undefined) throw new Error('a benchmark side did not run');
            engineMs.push(engine.ms);
            bareMs.push(bare.ms);
            ratios.push(engine.ms / bare.ms);
            engineCpu.push(engine.cpuMs);
            bareCpu.push(bare.cpuMs);
            cpuRatios.push(engine.cpuMs / bare.cpuMs);
            if (!q.check(engine.value.rows, bare.value as never)) agree = false;
            if (duck !== undefined) {
              duckMs.push(duck.ms);
              duckCpu.push(duck.cpuMs);
              if (!q.check(engine.value.rows, duck.value as never)) duckAgree = false;
            }
            // figures.ts parses this line's start (`<name> <events> round <r>: engine X ms, bare Y ms`).
            log(
              `  ${q.name} ${size} round ${round + 1}: engine ${engine.ms.toFixed(0)} ms, bare ${bare.ms.toFixed(0)} ms, ` +
                `ratio ${(engine.ms / bare.ms).toFixed(2)}; cpu engine ${engine.cpuMs.toFixed(0)} ms, bare ${bare.cpuMs.toFixed(0)} ms` +
                (duck === undefined
                  ? `; duckdb ${duckError ?? 'not run'}`
                  : `; duckdb ${duck.ms.toFixed(0)} ms, cpu ${duck.cpuMs.toFixed(0)} ms`),
            );
          }
          const engineMedianMs = median(engineMs);
          const bareMedianMs = median(bareMs);
          cases.push({
            events: size,
            query: q.query,
            rounds,
            engineMedianMs: round1(engineMedianMs),
            bareMedianMs: round1(bareMedianMs),
            ratio: Number(median(ratios).toFixed(3)),
            cpuRatio: Number(median(cpuRatios).toFixed(3)),
            engineCpuMedianMs: round1(median(engineCpu)),
            bareCpuMedianMs: round1(median(bareCpu)),
            engineEventsPerSecond: Math.round(size / (engineMedianMs / 1000)),
            bareEventsPerSecond: Math.round(size / (bareMedianMs / 1000)),
            enginePeakRssMiB: mib(enginePeak.rss),
            enginePeakHeapMiB: mib(enginePeak.heap),
            barePeakRssMiB: mib(barePeak.rss),
            barePeakHeapMiB: mib(barePeak.heap),
            resultsAgree: agree,
            duckdb: {
              label: duckdb instanceof Error ? 'DuckDB, 1 thread' : `DuckDB ${duckdb.version}, 1 thread`,
              sql: q.sql(['<files>'], startTimeMs, endTimeMs),
              // A round DuckDB failed in leaves its lists short: keep none rather than mispair rounds.
              roundsMs: duckError === undefined ? duckMs : [],
              cpuRoundsMs: duckError === undefined ? duckCpu : [],
              engineRoundsMs: engineMs,
              engineCpuRoundsMs: engineCpu,
              peakRssMiB: mib(duckPeak.rss),
              resultsAgree: duckError === undefined && duckAgree,
              ...(duckError === undefined ? {} : { error: duckError }),
            },
          });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    if (!(duckdb instanceof Error)) duckdb.close();
  }
  return { node: process.version, cases };
}

/** DuckDB in this process, limited to one thread (the peer), or a rejection when it cannot start. */
async function openDuckDb(): Promise<{
  readonly version: string;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}> {
  // A devDependency, loaded only here: the rest of the suite runs without it.
  const { DuckDBInstance, version } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  return {
    version: version(),
    rows: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs `work`, timing it (wall and CPU) and sampling memory every 10 ms; keeps the peaks in `peak`. */
async function measure<T>(
  peak: { rss: number; heap: number },
  work: () => Promise<T>,
): Promise<{ ms: number; cpuMs: number; value: T }> {
  const sample = () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heap = Math.max(peak.heap, usage.heapUsed);
  };
  const timer = setInterval(sample, 10);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const value = await work();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    sample();
    return { ms, cpuMs: (used.user + used.system) / 1000, value };
  } finally {
    clearInterval(timer);
  }
}

function uuid(n: number, salt: number): string {
  const hex = (n * 2654435761 + salt).toString(16).padStart(12, '0').slice(-12);
  return `${(salt + n).toString(16).padStart(8, '0').slice(-8)}-${hex.slice(0, 4)}-4${hex.slice(4, 7)}-8${hex.slice(7, 10)}-${hex}`;
}

/** Writes `count` generated Lambda events (START, pino line, END, REPORT per invocation) in the emulator's exact line format across 4 streams of `/aws/lambda/bench-fn`; returns the bytes written. */
export function generateStore(dir: string, count: number): number {
  const streams = Array.from(
    { length: STREAMS },
    (_, i) => `2025/01/01/[$LATEST]${(i + 1).toString(16).padStart(32, 'a')}`,
  );
  mkdirSync(path.dirname(streamFilePath(dir, GROUP, streams[0]!)), { recursive: true });
  const fds = streams.map((s) => openSync(streamFilePath(dir, GROUP, s), 'w'));
  const buffers: string[][] = streams.map(() => []);
  const cold = new Set<number>();
  let bytes = 0;
  const flush = (i: number) => {
    const text = buffers[i]!.join('');
    bytes += Buffer.byteLength(text);
    writeSync(fds[i]!, text);
    buffers[i] = [];
  };
  const line = (stream: number, timestamp: number, message: string) => {
    buffers[stream]!.push(
      `{"timestamp":${timestamp},"ingestionTime":${timestamp + 2000},"message":${JSON.stringify(message)}}\n`,
    );
    if (buffers[stream]!.length >= 5000) flush(stream);
  };
  let random = 42;
  const next = () => {
    // xorshift: deterministic data, so every run measures the same bytes.
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) / 4294967296;
  };
  const invocations = Math.ceil(count / 4);
  let written = 0;
  for (let i = 0; i < invocations && written < count; i++) {
    const stream = i % STREAMS;
    const ts = T0 + i * INVOCATION_SPACING_MS;
    const requestId = uuid(i, 0x1000);
    const durationMs = Number((1 + next() ** 3 * 40).toFixed(2));
    const status = i % 97 === 0 ? 500 : i % 13 === 0 ? 404 : 200;
    const events: [number, string][] = [
      [ts, `START RequestId: ${requestId} Version: $LATEST`],
      [
        ts + 1,
        JSON.stringify({
          level: status >= 500 ? 'error' : 'info',
          time: ts + 1,
          awsRequestId: requestId,
          correlationId: uuid(i, 0x2000),
          apiRequestId: uuid(i, 0x3000),
          coldStart: !cold.has(stream),
          method: 'GET',
          path: PATHS[i % PATHS.length],
          status,
          durationMs,
          msg: 'request done',
        }),
      ],
      [ts + 2, `END RequestId: ${requestId}`],
      [
        ts + 2,
        `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t` +
          (cold.has(stream) ? '' : 'Init Duration: 145.69 ms\t'),
      ],
    ];
    cold.add(stream);
    for (const [timestamp, message] of events) {
      if (written++ >= count) break;
      line(stream, timestamp, message);
    }
  }
  for (let i = 0; i < STREAMS; i++) {
    flush(i);
    closeSync(fds[i]!);
  }
  return bytes;
}

/** Reads every line of every file with readline, as a straightforward script would. */
async function forEachLine(files: readonly string[], onLine: (line: string) => void): Promise<void> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) onLine(line);
  }
}

interface BinStats {
  readonly durations: number[];
  sum: number;
}

// Bare loop for `filter @type = "REPORT" | stats avg(@duration), pct(@duration, 99) by bin(1m)`.
async function bareReportStats(files: readonly string[]): Promise<Map<number, { avg: number; p99: number }>> {
  const bins = new Map<number, BinStats>();
  await forEachLine(files, (line) => {
    const event = JSON.parse(line) as { timestamp: number; message: string };
    if (!event.message.startsWith('REPORT RequestId: ')) return;
    const match = /\tDuration: ([\d.]+) ms/.exec(event.message);
    if (!match) return;
    const bin = Math.floor(event.timestamp / 60_000) * 60_000;
    let stats = bins.get(bin);
    if (!stats) bins.set(bin, (stats = { durations: [], sum: 0 }));
    const duration = Number(match[1]);
    stats.durations.push(duration);
    stats.sum += duration;
  });
  const out = new Map<number, { avg: number; p99: number }>();
  for (const [bin, stats] of bins) {
    const sorted = Float64Array.from(stats.durations).sort();
    out.set(bin, { avg: stats.sum / sorted.length, p99: nearestRank(sorted, sorted.length, 0.99) });
  }
  return out;
}

function checkReportStats(
  rows: readonly Record<string, string>[],
  bare: Map<number, { avg: number; p99: number }>,
): boolean {
  if (rows.length !== bare.size) return false;
  return rows.every((row) => {
    const expected = bare.get(Date.parse(`${row['bin(1m)']!.replace(' ', 'T')}Z`));
    return (
      expected !== undefined &&
      Math.abs(Number(row['avg(@duration)']) - expected.avg) <= 1e-9 * Math.max(1, expected.avg) &&
      Number(row['pct(@duration, 99)']) === expected.p99
    );
  });
}

/** `read_ndjson` over the store files with just the columns the queries read, typed as the store writes them. */
function ndjsonSource(files: readonly string[]): string {
  const list = files.map((file) => `'${file.replaceAll("'", "''")}'`).join(', ');
  return `read_ndjson([${list}], columns = {"timestamp": 'BIGINT', message: 'VARCHAR'})`;
}

/**
 * The REPORT query in SQL: `@type = "REPORT"` is the message's first words, `@duration` the number after
 * `\tDuration: ` as discovery reads it (harness/insights/discovery.ts), `bin(1m)` a 1-minute time_bucket and
 * pct(…, 99) the nearest rank, which is what quantile_disc picks.
 */
function reportStatsSql(files: readonly string[], startTimeMs: number, endTimeMs: number): string {
  return `SELECT epoch_ms(time_bucket(INTERVAL '1 minute', epoch_ms("timestamp"))) AS bin_ms,
  avg(duration_ms) AS avg_ms, quantile_disc(duration_ms, 0.99) AS p99_ms
FROM (
  SELECT "timestamp",
    TRY_CAST(regexp_extract(message, '\\tDuration: ([0-9]+(?:\\.[0-9]+)?) ms', 1) AS DOUBLE) AS duration_ms
  FROM ${ndjsonSource(files)}
  WHERE "timestamp" BETWEEN ${startTimeMs} AND ${endTimeMs} AND starts_with(message, 'REPORT RequestId: ')
)
WHERE duration_ms IS NOT NULL
GROUP BY bin_ms`;
}

function reportStatsFromSql(rows: readonly Record<string, unknown>[]): Map<number, { avg: number; p99: number }> {
  return new Map(rows.map((row) => [Number(row.bin_ms), { avg: Number(row.avg_ms), p99: Number(row.p99_ms) }]));
}

/** The JSON query in SQL: the message's JSON object (pino lines start with it), a numeric status ≥ 500, by path. */
function statusByPathSql(files: readonly string[], startTimeMs: number, endTimeMs: number): string {
  return `SELECT json_extract_string(message, '$.path') AS path, count(*) AS n
FROM ${ndjsonSource(files)}
WHERE "timestamp" BETWEEN ${startTimeMs} AND ${endTimeMs} AND starts_with(message, '{')
  AND json_type(message, '$.status') IN ('UBIGINT', 'BIGINT', 'DOUBLE')
  AND CAST(json_extract(message, '$.status') AS DOUBLE) >= 500
GROUP BY path`;
}

function statusByPathFromSql(rows: readonly Record<string, unknown>[]): Map<string, number> {
  return new Map(rows.map((row) => [String(row.path), Number(row.n)]));
}

// Bare loop for `filter status >= 500 | stats count(*) by path`.
async function bareStatusByPath(files: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await forEachLine(files, (line) => {
    const event = JSON.parse(line) as { message: string };
    if (!event.message.startsWith('{')) return;
    const body = JSON.parse(event.message) as { status?: unknown; path?: string };
    if (typeof body.status === 'number' && body.status >= 500 && body.path !== undefined) {
      counts.set(body.path, (counts.get(body.path) ?? 0) + 1);
    }
  });
  return counts;
}

function checkStatusByPath(rows: readonly Record<string, string>[], bare: Map<string, number>): boolean {
  return rows.length === bare.size && rows.every((row) => bare.get(row.path!) === Number(row['count(*)']));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mib = (bytes: number) => Math.round(bytes / 1048576);
