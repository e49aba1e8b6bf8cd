/**
 * Whether anything besides this suite used the machine while a figure was measured. A figure from a busy
 * machine measures the neighbours as much as the code (a bare server losing its core reads as a fast
 * emulator), so such rows are not judged: `flagBusyRows` makes them inconclusive and says why.
 *
 * Linux only: the machine's CPU time from /proc/stat, the suite's own (this process, the children it
 * waited for, and every live descendant) from /proc/<pid>/stat; both in clock ticks. Elsewhere nothing is
 * flagged and rows say so in no way (`sampleCpu` returns undefined).
 */
import fs from 'node:fs';
import type { PerfRow } from './model.js';

/** CPU the rest of the machine may use during a figure before its rows are not judged, in cores. */
export const BUSY_OTHERS_CORES = 0.25;

// USER_HZ: /proc reports CPU time in these ticks on every Linux architecture node runs on.
const TICKS_PER_SECOND = 100;

/** CPU time at one instant: the whole machine's busy ticks and the suite's own. */
export interface CpuSample {
  readonly atMs: number;
  /** user + nice + system + irq + softirq + steal, all CPUs (steal is a neighbour VM's use). */
  readonly machineBusyTicks: number;
  /** This process (and the children it waited for) plus every live descendant. */
  readonly suiteTicks: number;
}

/** Cores the rest of the machine used on average between two samples (never below 0). */
export function othersCores(before: CpuSample, after: CpuSample): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (!(seconds > 0)) return 0;
  const machine = after.machineBusyTicks - before.machineBusyTicks;
  const suite = after.suiteTicks - before.suiteTicks;
  return Math.max(0, (machine - suite) / TICKS_PER_SECOND / seconds);
}

/**
 * Rows measured while the rest of the machine used more than {@link BUSY_OTHERS_CORES}: a judged row becomes
 * inconclusive, every row records the share. Rows measured on a quiet machine are returned as they were.
 */
export function flagBusyRows(rows: readonly PerfRow[], otherCores: number, cpus: number): PerfRow[] {
  return rows.map((row) => {
    const flagged: PerfRow = { ...row, othersCores: otherCores };
    if (otherCores <= BUSY_OTHERS_CORES) return flagged;
    const busy =
      `machine busy: other processes used ${otherCores.toFixed(2)} of ${cpus} cores on average while this ` +
      `figure ran (more than ${BUSY_OTHERS_CORES}), so it measured them too`;
    const judged = row.status === 'met' || row.status === 'not met';
    return {
      ...flagged,
      status: judged ? 'inconclusive' : row.status,
      note: judged
        ? `${busy}; not judged${row.note ? `. ${row.note}` : ''}`
        : `${busy}${row.note ? `. ${row.note}` : ''}`,
    };
  });
}

/** A sample of the real machine, or undefined where /proc is not there. */
export function sampleCpu(nowMs: number = performance.now()): CpuSample | undefined {
  const stat = read('/proc/stat');
  if (stat === undefined) return undefined;
  const line = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/);
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line.slice(1).map(Number);
  const machineBusyTicks = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return { atMs: nowMs, machineBusyTicks, suiteTicks: treeTicks(process.pid) };
}

/** utime + stime + cutime + cstime of `root` and of every live process descending from it. */
function treeTicks(root: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(read(`/proc/${name}/stat`));
    if (!fields) continue;
    // Fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    parents.set(Number(name), Number(fields[1]));
    ticks.set(Number(name), Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
  }
  let total = 0;
  for (const [pid, own] of ticks) {
    for (let at: number | undefined = pid, hops = 0; at !== undefined && at > 0 && hops < 64; hops++) {
      if (at === root) {
        total += own;
        break;
      }
      at = parents.get(at);
    }
  }
  return total;
}

/** The fields of a /proc/<pid>/stat line after `(command)`, which may itself contain spaces. */
function statFields(line: string | undefined): string[] | undefined {
  if (!line) return undefined;
  const close = line.lastIndexOf(')');
  return close === -1 ? undefined : line.slice(close + 2).split(' ');
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
