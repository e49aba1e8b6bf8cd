/**
 * How long and how much each figure measures, full or `--quick`. Full follows docs/measurement.md#interleaved-rounds
 * (10-s runs after a 2-s warm-up, 1M samples, 100k and 1M events); quick keeps the whole suite under 60 s
 * on a 2-core machine and says nothing reliable, it proves the command works. Pure.
 */

/** Settings of every phase of one run. */
export interface SuitePlan {
  readonly rounds: number;
  /** Keep-alive connections of every closed- and open-loop load (autocannon `-c 10`, docs/measurement.md#autocannon-for-the-closed-loop-peak-only). */
  readonly connections: number;
  /** G1/G4 (emulator.ts). */
  readonly emulator: { readonly durationSeconds: number; readonly warmupSeconds: number; readonly coldStarts: number };
  /** G3: open loop at half the emulator's peak; `probeSeconds` of closed loop warm the environments, and as much again finds the peak when G1 did not run. */
  readonly latency: { readonly warmupSeconds: number; readonly durationSeconds: number; readonly probeSeconds: number };
  /** G5: closed loop, logging vs silent emulator. */
  readonly capture: { readonly warmupSeconds: number; readonly durationSeconds: number };
  /** G7: stalling server at a constant rate (docs/measurement.md#coordinated-omission), then harness generator vs autocannon. */
  readonly honesty: {
    readonly rateRps: number;
    readonly stallMs: number;
    readonly periodMs: number;
    readonly warmupSeconds: number;
    readonly durationSeconds: number;
    readonly generatorSeconds: number;
    /** Issue 17: the open loop's CPU per request against autocannon `-R` at this rate... */
    readonly generatorRateRps: number;
    /** ...and the rates it must sustain against the bare server on one core, or say it could not. */
    readonly sustainRps: readonly number[];
  };
  /** G8 (bench.ts). */
  readonly report: { readonly samples: number; readonly runSeconds: number };
  /** G9 (insights.ts). */
  readonly insights: { readonly sizes: readonly number[] };
  readonly handler: { readonly coldImports: number; readonly invocations: number };
  /** `npm run bench -- --duration N` plus extra flags. */
  readonly overhead: { readonly durationSeconds: number; readonly extraArgs: readonly string[] };
  /** `cli` (startup.ts): interleaved rounds of four short processes, never fewer than 3 (issue 17). */
  readonly startup: { readonly rounds: number };
}

/** Interleaved rounds per figure: 3 as docs/measurement.md#interleaved-rounds asks; 2 in quick runs, to stay under 60 s. */
export const DEFAULT_ROUNDS = { full: 3, quick: 2 } as const;

/** The plan for `--quick` or a full run, with `rounds` interleaved rounds per figure (default {@link DEFAULT_ROUNDS}). */
export function planSuite(
  quick: boolean,
  rounds: number = quick ? DEFAULT_ROUNDS.quick : DEFAULT_ROUNDS.full,
): SuitePlan {
  const honesty = { rateRps: 2000, stallMs: 100, periodMs: 1000, generatorRateRps: 1000, sustainRps: [2000, 4000] };
  if (quick) {
    return {
      rounds,
      connections: 10,
      // Warm-ups of 1 s: ten environments cold-start on one core at the first closed-loop load.
      emulator: { durationSeconds: 1, warmupSeconds: 1, coldStarts: 3 },
      // The closed-loop probe has already started the environments; the open-loop warm-up only opens connections.
      latency: { warmupSeconds: 0.25, durationSeconds: 1, probeSeconds: 1 },
      capture: { warmupSeconds: 1, durationSeconds: 1 },
      // One whole period per round: the stalled share of a window is exact only over whole periods.
      honesty: { ...honesty, warmupSeconds: 0.25, durationSeconds: 1, generatorSeconds: 0.5 },
      report: { samples: 200_000, runSeconds: 12 },
      insights: { sizes: [100_000] },
      handler: { coldImports: 5, invocations: 10_000 },
      // Without warm-up, so that the quick run stays under a minute; the full run keeps the default 2 s.
      overhead: { durationSeconds: 2, extraArgs: ['--warmup', '0'] },
      // A round is four processes of well under a second each on an idle machine.
      startup: { rounds: Math.max(3, rounds) },
    };
  }
  return {
    rounds,
    connections: 10,
    emulator: { durationSeconds: 10, warmupSeconds: 2, coldStarts: 15 },
    latency: { warmupSeconds: 2, durationSeconds: 10, probeSeconds: 3 },
    capture: { warmupSeconds: 2, durationSeconds: 10 },
    honesty: { ...honesty, warmupSeconds: 1, durationSeconds: 10, generatorSeconds: 10 },
    report: { samples: 1_000_000, runSeconds: 60 },
    insights: { sizes: [100_000, 1_000_000] },
    handler: { coldImports: 15, invocations: 50_000 },
    overhead: { durationSeconds: 10, extraArgs: [] },
    startup: { rounds: Math.max(9, rounds) },
  };
}

/**
 * Seconds of load and waiting the plan asks for (G1, G3, G5, G7 and the bench run), before any start-up,
 * synthesis or offline work: what `--quick` must keep well under its 60 s.
 */
export function plannedLoadSeconds(plan: SuitePlan): number {
  const r = plan.rounds;
  // emulator.ts warms and measures three servers: bare, in-process handler, emulator.
  const g1 = 3 * plan.emulator.warmupSeconds + 3 * r * plan.emulator.durationSeconds;
  const g3 = 2 * plan.latency.probeSeconds + 2 * r * (plan.latency.warmupSeconds + plan.latency.durationSeconds);
  const g5 = 2 * plan.capture.warmupSeconds + 2 * r * plan.capture.durationSeconds;
  const h = plan.honesty;
  // Stalling server; warm-up run; peak vs autocannon; autocannon -R vs open loop; the sustain rates.
  const openLoop = h.warmupSeconds + h.generatorSeconds;
  const g7 =
    r * (h.warmupSeconds + h.durationSeconds) +
    Math.min(1, h.generatorSeconds) +
    2 * r * h.generatorSeconds +
    r * (h.generatorSeconds + openLoop) +
    r * h.sustainRps.length * openLoop;
  return g1 + g3 + g5 + g7 + plan.overhead.durationSeconds;
}
