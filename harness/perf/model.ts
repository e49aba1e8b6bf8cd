/**
 * The data of one `npm run perf`: a row per figure with its absolute values, its comparison with an
 * interleaved baseline, the goal and the verdict. Plain data: rendering and JSON both start from here.
 */
import type { Threshold } from '../check/slo.js';
import type { Spread } from '../stats/spread.js';

/** The figure groups `--only` can select, in the order the table lists them (docs/measurement.md#perf-goals). */
export const FIGURE_IDS = ['G1', 'G3', 'G4', 'G5', 'G7', 'G8', 'G9', 'handler', 'overhead', 'cli'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/**
 * What a goal asks of a row's comparison value: bounds it must all meet, judged by the SLO threshold check
 * (check/slo.ts), e.g. `[{ comparator: '>=', threshold: 0.35 }]`; verdict.ts writes them (atLeast, atMost, between).
 */
export type Goal = readonly Threshold[];

/**
 * - met / not met: the median comparison against the goal;
 * - generator-limited: the load generator used ≥ 90 % of a core in some round, so the number is the
 *   generator's limit, not the server's (docs/measurement.md#generator-saturation), and is not judged;
 * - inconclusive: the conditions the figure assumes did not hold (e.g. the server could not sustain the
 *   open-loop rate, so queueing, not the thing measured, sets the latency, or other processes used the
 *   machine while it ran); the note says which;
 * - info: a figure without a goal;
 * - error: the measurement failed (the note says why); the suite goes on.
 */
export type RowStatus = 'met' | 'not met' | 'generator-limited' | 'inconclusive' | 'info' | 'error';

/** An absolute figure: what it is, its unit and its spread over rounds. */
export interface Measure {
  readonly label: string;
  readonly unit: string;
  readonly spread: Spread;
}

/** One line of the result table. */
export interface PerfRow {
  readonly id: FigureId;
  /** What is compared with what, e.g. `emulator throughput / bare node:http`. */
  readonly name: string;
  readonly candidate?: Measure;
  readonly baseline?: Measure;
  /** The value judged against the goal: a per-round ratio (unit `×`) or a difference (`ms`, `s`). */
  readonly comparison?: { readonly unit: string; readonly spread: Spread };
  readonly goal?: Goal;
  /** Highest share of one core the load generator used in any round; absent when no generator ran. */
  readonly generatorCpuMax?: number;
  readonly status: RowStatus;
  /**
   * Cores the rest of the machine used on average while the figure ran (machine-share.ts); above 0.25 the row
   * is not judged. Absent where /proc is not available.
   */
  readonly othersCores?: number;
  /** Context: method, what limits it, why it is not judged. */
  readonly note?: string;
  /** Set when the row holds a part of the project against a peer: it is a line of the peer table (peers.ts). */
  readonly peer?: PeerTag;
}

/** What part of the project a row measures, and the peer it is held against. */
export interface PeerTag {
  readonly part: string;
  readonly peer: string;
}

/** Where and how the suite ran. */
export interface PerfMeta {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallSeconds: number;
  readonly quick: boolean;
  readonly rounds: number;
  readonly selected: readonly FigureId[];
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  /** 1-minute load average at the start and the end: above the CPU count means a shared, noisy machine. */
  readonly loadAverage: readonly [number, number];
  /** How servers and generators were placed on CPUs, in words. */
  readonly pinning: string;
  readonly commit: string | undefined;
}

/** Everything one run produced. */
export interface PerfReport {
  readonly meta: PerfMeta;
  readonly rows: readonly PerfRow[];
}
