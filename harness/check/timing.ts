/**
 * Whether a run's latencies are the API's or this machine's: a warm-up backlog that drained into the
 * measured phase, or a machine (locally) or load generator (on AWS) too busy to time requests honestly.
 * Each finding is a {@link LatencyDoubt}: a missed latency SLO it covers is `inconclusive` with its reason,
 * never `fail` (a met SLO stays met: both only ever add latency). Pure functions over plain data.
 */
import type { MachineSample } from '../load/machine.js';
import type { WarmupSettle } from '../load/open-loop.js';
import { Phase, type RequestLog } from '../load/records.js';
import type { GeneratorStrain } from '../load/schedule.js';
import { summarize } from '../stats/summary.js';
import type { LatencyDoubt, LatencyScope } from './slo.js';

/**
 * Host CPU busy over all cores, percent. At 90 % average the cores are at 100 % much of the time and a
 * runnable thread queues for one (an M/M/1 queue at 90 % load waits 9 service times on average): locally
 * the generator, the emulator and the function all wait, and that wait lands in client latency.
 */
export const HOST_CPU_BUSY_LIMIT_PERCENT = 90;
/**
 * This process's CPU, percent of one core. The event loop is one thread: above 90 % of a core it is nearly
 * never idle, so response callbacks wait their turn and each wait counts as latency.
 */
export const PROCESS_CPU_LIMIT_PERCENT = 90;
/**
 * Event-loop delay p99 beyond its sampling interval, ms. A response callback can run this late, adding the
 * delay to the latency it measures; 20 ms is a fifth of the default 100 ms p99 SLO, more than an idle
 * loop's few ms of jitter.
 */
export const EVENT_LOOP_DELAY_P99_LIMIT_MS = 20;
/**
 * Send lag p99 (due time → hand-over to the pool), ms. The generator handing 1 % of requests 20 ms late
 * is the same starved event loop seen from the schedule's side (the lag itself counts in latency).
 */
export const SEND_LAG_P99_LIMIT_MS = 20;
/**
 * Pool wait p99 (hand-over to the pool → a connection starts writing), ms. A generator too slow to read its
 * responses collapses here: 1–2 s of "latency" against a bare server while its send lag stays near 20 ms.
 * Same bound as the send lag: 1 % of requests held 20 ms by the generator.
 */
export const POOL_WAIT_P99_LIMIT_MS = 20;
/** A generator queue "grows" when its p99 over the second half of the measured phase is this many times the first half's. */
export const QUEUE_GROWTH_FACTOR = 2;

/** A start-of-run request is "slow" above max(this × the reference p99, reference p99 + {@link BACKLOG_SLOW_MIN_EXCESS_MS}). */
export const BACKLOG_SLOW_FACTOR = 2;
/** Absolute floor of "slow", ms: keeps sub-millisecond local latencies from flagging a 1 ms wobble. */
export const BACKLOG_SLOW_MIN_EXCESS_MS = 10;
/** Fewer responses than this in the reference half and no backlog is judged. */
export const BACKLOG_MIN_REFERENCE = 20;

/** Latency scopes timed by the client (all, warm, cold): what a backlog or a slow generator distorts. */
export const CLIENT_LATENCY_SCOPES: readonly LatencyScope[] = ['all', 'warm', 'cold'];
/** Every latency scope: on a saturated local machine the emulated Lambda's Duration and Init wait for CPU too. */
export const ALL_LATENCY_SCOPES: readonly LatencyScope[] = ['all', 'warm', 'cold', 'lambda', 'init'];

/** Slow requests at the very start of the measured phase: the signature of a queue draining into it. */
export interface StartBacklog {
  readonly detected: boolean;
  /** Consecutive slow responses from the first measured request on. */
  readonly leadingSlowRequests: number;
  /** Due time of the last of them, s after the measured start. */
  readonly leadingSlowSeconds: number;
  readonly firstLatencyMs: number;
  /** p99 of the second half of the measured phase, the settled reference, ms. */
  readonly referenceP99Ms: number;
  /** What counted as slow, ms. */
  readonly slowMs: number;
}

/**
 * Finds a backlog at measured t = 0: the first measured requests are slow against the second half of the
 * phase, and they (not slow requests elsewhere) set the run's p99. Undefined when there are too few
 * responses to tell.
 */
export function detectStartBacklog(
  log: RequestLog,
  measuredStartUs: number,
  measuredSeconds: number,
): StartBacklog | undefined {
  const due: number[] = [];
  const latency: number[] = [];
  for (let i = 0; i < log.count; i++) {
    const ms = log.latencyUs[i]! / 1000;
    if (log.phase[i] !== Phase.Measured || log.status[i] === 0 || !Number.isFinite(ms)) continue;
    due.push((log.dueUs[i]! - measuredStartUs) / 1e6);
    latency.push(ms);
  }
  const halfSeconds = measuredSeconds / 2;
  const reference = summarize(latency.filter((_, k) => due[k]! >= halfSeconds));
  if (reference.n < BACKLOG_MIN_REFERENCE) return undefined;
  const slowMs = Math.max(reference.p99 * BACKLOG_SLOW_FACTOR, reference.p99 + BACKLOG_SLOW_MIN_EXCESS_MS);
  let leading = 0;
  while (leading < latency.length && latency[leading]! > slowMs) leading++;
  const slowTotal = latency.filter((ms) => ms > slowMs).length;
  const allP99 = summarize(latency).p99;
  return {
    detected: leading > 0 && allP99 > slowMs && leading * 2 >= slowTotal,
    leadingSlowRequests: leading,
    leadingSlowSeconds: leading > 0 ? due[leading - 1]! : 0,
    firstLatencyMs: latency[0] ?? Number.NaN,
    referenceP99Ms: reference.p99,
    slowMs,
  };
}

/** Whether the machine (local) or the generator (AWS) was the bottleneck, and which signals said so. */
export interface MachineAssessment {
  readonly saturated: boolean;
  /** One phrase per signal over its limit, e.g. `host CPU 97% of 2 cores (limit 90%)`. */
  readonly signals: readonly string[];
}

/**
 * Judges the machine figures. Locally every signal counts (the API runs on this machine); on AWS only the
 * generator's own (event-loop delay, send lag, process CPU, and from `strain` a growing due-but-unsent
 * backlog or a connection-pool wait past its limit): a busy host matters there only through them.
 */
export function assessMachine(
  machine: MachineSample | undefined,
  sendLagP99Ms: number | undefined,
  target: 'local' | 'aws',
  strain?: GeneratorStrain,
): MachineAssessment {
  const signals: string[] = [];
  if (machine) {
    if (
      target === 'local' &&
      machine.hostCpuPercent !== null &&
      machine.hostCpuPercent >= HOST_CPU_BUSY_LIMIT_PERCENT
    ) {
      signals.push(
        `host CPU ${machine.hostCpuPercent.toFixed(0)}% of ${machine.cores} cores (limit ${HOST_CPU_BUSY_LIMIT_PERCENT}%)`,
      );
    }
    if (machine.processCpuPercent >= PROCESS_CPU_LIMIT_PERCENT) {
      signals.push(
        `harness process CPU ${machine.processCpuPercent.toFixed(0)}% of one core (limit ${PROCESS_CPU_LIMIT_PERCENT}%)`,
      );
    }
    if (machine.eventLoopDelayP99Ms >= EVENT_LOOP_DELAY_P99_LIMIT_MS) {
      signals.push(
        `event-loop delay p99 ${machine.eventLoopDelayP99Ms.toFixed(1)} ms (limit ${EVENT_LOOP_DELAY_P99_LIMIT_MS} ms)`,
      );
    }
  }
  const lag = strain ? queueTrend(strain.sendLagP99Us, SEND_LAG_P99_LIMIT_MS) : undefined;
  if (lag?.growing) {
    signals.push(`due-but-unsent backlog growing: send lag p99 ${lag.phrase}`);
  } else if (sendLagP99Ms !== undefined && sendLagP99Ms >= SEND_LAG_P99_LIMIT_MS) {
    signals.push(`send lag p99 ${sendLagP99Ms.toFixed(1)} ms (limit ${SEND_LAG_P99_LIMIT_MS} ms)`);
  }
  // Requests queued for the generator's own connections wait in a queue no population of independent
  // clients would form: the run measured the generator's pool (too slow to read its responses, or too few
  // connections for the rate), whether that queue grew during the phase or was already standing.
  if (strain) {
    const wait = queueTrend(strain.poolWaitHalvesP99Us, POOL_WAIT_P99_LIMIT_MS);
    const waitP99Ms = Math.max(strain.poolWaitP99Us, strain.poolWaitHalvesP99Us[1]) / 1000;
    const cause = 'the generator could not carry the rate (too slow to read its responses, or too few --connections)';
    if (wait.growing) signals.push(`connection-pool wait growing: p99 ${wait.phrase}; ${cause}`);
    else if (waitP99Ms >= POOL_WAIT_P99_LIMIT_MS) {
      signals.push(
        `connection-pool wait p99 ${waitP99Ms.toFixed(1)} ms (limit ${POOL_WAIT_P99_LIMIT_MS} ms); ${cause}`,
      );
    }
  }
  return { saturated: signals.length > 0, signals };
}

/**
 * A generator queue grows when its second-half p99 is over the limit and {@link QUEUE_GROWTH_FACTOR} times
 * its first-half p99: a backlog building up, not a steady delay.
 */
function queueTrend(halvesUs: readonly [number, number], limitMs: number): { growing: boolean; phrase: string } {
  const [firstMs, secondMs] = [halvesUs[0] / 1000, halvesUs[1] / 1000];
  return {
    growing: secondMs >= limitMs && secondMs >= firstMs * QUEUE_GROWTH_FACTOR,
    phrase: `${firstMs.toFixed(1)} ms in the first half of the run, ${secondMs.toFixed(1)} ms in the second (limit ${limitMs} ms)`,
  };
}

/** Everything {@link latencyDoubts} weighs. */
export interface TimingFacts {
  readonly target: 'local' | 'aws';
  readonly warmupSettle: WarmupSettle | undefined;
  readonly startBacklog: StartBacklog | undefined;
  readonly machine: MachineAssessment;
}

/** The reasons to doubt a missed latency SLO, most specific first. */
export function latencyDoubts(facts: TimingFacts): LatencyDoubt[] {
  const doubts: LatencyDoubt[] = [];
  const settle = facts.warmupSettle;
  if (settle && settle.inFlightAtStart > 0) {
    doubts.push({
      code: 'WarmupBacklog',
      reason:
        `warm-up backlog: ${settle.inFlightAtStart} warm-up request${settle.inFlightAtStart === 1 ? ' was' : 's were'} ` +
        `still in flight when measuring began (after waiting ${(settle.waitedMs / 1000).toFixed(1)} s, the bound)`,
      scopes: CLIENT_LATENCY_SCOPES,
    });
  }
  const backlog = facts.startBacklog;
  if (backlog?.detected) {
    doubts.push({
      code: 'StartBacklog',
      reason:
        `backlog at the start: the first ${backlog.leadingSlowRequests} measured request${backlog.leadingSlowRequests === 1 ? '' : 's'} ` +
        `(${backlog.leadingSlowSeconds.toFixed(2)} s) took over ${backlog.slowMs.toFixed(1)} ms against a p99 of ` +
        `${backlog.referenceP99Ms.toFixed(1)} ms later on, and set the run's p99`,
      scopes: CLIENT_LATENCY_SCOPES,
    });
  }
  if (facts.machine.saturated) {
    const signals = facts.machine.signals.join('; ');
    doubts.push(
      facts.target === 'local'
        ? {
            code: 'MachineSaturated',
            reason: `machine saturated (${signals}): local latencies measured this machine's queueing, not the API`,
            scopes: ALL_LATENCY_SCOPES,
          }
        : { code: 'GeneratorSaturated', reason: `generator saturated (${signals})`, scopes: CLIENT_LATENCY_SCOPES },
    );
  }
  return doubts;
}
