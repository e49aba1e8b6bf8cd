/**
 * How busy this machine was while measuring: the generator's event-loop delay, this process's CPU, the
 * host's CPU over all cores and its load average. The figures are process- and host-level: locally the
 * emulator's gateway runs in this process and its Lambda runtimes are child processes, whose CPU shows in
 * the host figure (not attributed per child). Judged by check/timing.ts; this file only measures.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Machine figures over one measured phase. */
export interface MachineSample {
  /** Length of the sampled window. */
  readonly seconds: number;
  /** Cores this process may use (`os.availableParallelism()`). */
  readonly cores: number;
  /** Busy share of all the host's cores, 0–100 (`os.cpus()` times); null when the OS gives none. */
  readonly hostCpuPercent: number | null;
  /** CPU of this process (generator, and locally the emulator's gateway) as % of one core; may exceed 100. */
  readonly processCpuPercent: number;
  /** 1-minute load average at the end of the window; null where the OS has none (Windows reports 0). */
  readonly loadAverage1m: number | null;
  /** Event-loop delay beyond the sampling interval: how late timers and response callbacks ran, p99 and max. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}

/** A running measurement; `stop()` ends it and returns the figures. */
export interface MachineProbe {
  stop(): MachineSample;
}

/** Starts a probe. */
export type StartMachineProbe = () => MachineProbe;

// Fine enough to see a 20 ms stall, coarse enough to cost nothing (100 wake-ups a second).
const EVENT_LOOP_RESOLUTION_MS = 10;

/** Starts measuring this machine now. */
export const startMachineProbe: StartMachineProbe = () => {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  histogram.enable();
  const cpuStart = process.cpuUsage();
  const hostStart = hostTimes();
  const wallStart = performance.now();
  return {
    stop() {
      histogram.disable();
      const seconds = (performance.now() - wallStart) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const hostEnd = hostTimes();
      const hostTotal = hostEnd.total - hostStart.total;
      // The histogram records the interval between wake-ups, which includes the resolution itself.
      const excessMs = (ns: number) => (histogram.count === 0 ? 0 : Math.max(0, ns / 1e6 - EVENT_LOOP_RESOLUTION_MS));
      const load = os.loadavg()[0] ?? 0;
      return {
        seconds,
        cores: os.availableParallelism(),
        hostCpuPercent: hostTotal > 0 ? ((hostEnd.busy - hostStart.busy) / hostTotal) * 100 : null,
        processCpuPercent: seconds > 0 ? ((cpu.user + cpu.system) / 1e6 / seconds) * 100 : 0,
        loadAverage1m: process.platform === 'win32' ? null : load,
        eventLoopDelayP99Ms: excessMs(histogram.percentile(99)),
        eventLoopDelayMaxMs: excessMs(histogram.max),
      };
    },
  };
};

function hostTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}
