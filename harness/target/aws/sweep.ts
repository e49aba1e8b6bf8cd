/**
 * The janitor (docs/failure-model.md#expiry-tags-and-the-sweep): finds stacks this tool created whose `rda:expires-at` has
 * passed and destroys them the same verified way a run does. Only stacks named `rda-…` AND tagged
 * `rda:managed-by=<MANAGED_BY>` are ever considered, so a stranger's stack is never touched.
 */
import { isManagedByThisTool, runIdProblem, STACK_PREFIX, TAG_KEYS } from '../../../stack/names.js';
import type { DestroyReport } from '../target.js';
import type { StackInfo } from './cloudformation.js';

/** When a stack is due. */
export interface SweepCriteria {
  readonly nowMs: number;
  /** Also sweep stacks created longer ago than this, whatever their expiry tag says. @default none */
  readonly olderThanMs?: number;
  /** Lifetime assumed for a stack without a valid `rda:expires-at` tag. @default 7200000 (2 h, the deploy default) */
  readonly fallbackTtlMs?: number;
}

/** One of our stacks and what sweep makes of it. */
export interface SweepDecision {
  readonly stack: StackInfo;
  readonly runId: string;
  readonly due: boolean;
  /** Why it is due or not, e.g. `expired 2026-01-01T00:00:00.000Z`. */
  readonly reason: string;
}

const TWO_HOURS_MS = 2 * 3_600_000;

/**
 * Decides about one stack; undefined when it is not ours (wrong prefix, no managed-by tag, or a run-id
 * tag that disagrees with the name: better to leave a stack alone than delete the wrong one).
 */
export function classifyForSweep(stack: StackInfo, criteria: SweepCriteria): SweepDecision | undefined {
  if (!stack.stackName.startsWith(STACK_PREFIX) || !isManagedByThisTool(stack.tags)) return undefined;
  if (stack.status === 'DELETE_COMPLETE') return undefined;
  const runId = stack.stackName.slice(STACK_PREFIX.length);
  const tagged = stack.tags[TAG_KEYS.runId];
  if (runIdProblem(runId) !== null || (tagged !== undefined && tagged !== runId)) return undefined;

  const decide = (due: boolean, reason: string): SweepDecision => ({ stack, runId, due, reason });
  if (stack.terminationProtection) return decide(false, 'termination protection on (set by hand): skipped');

  const createdMs = stack.createdAt?.getTime();
  const olderThanMs = criteria.olderThanMs;
  if (olderThanMs !== undefined && createdMs !== undefined && createdMs <= criteria.nowMs - olderThanMs) {
    return decide(true, `created ${iso(createdMs)}, more than ${formatDuration(olderThanMs)} ago`);
  }
  const expiresMs = Date.parse(stack.tags[TAG_KEYS.expiresAt] ?? '');
  if (Number.isFinite(expiresMs)) {
    return expiresMs <= criteria.nowMs
      ? decide(true, `expired ${iso(expiresMs)}`)
      : decide(false, `expires ${iso(expiresMs)}`);
  }
  const fallbackMs = criteria.fallbackTtlMs ?? TWO_HOURS_MS;
  if (createdMs === undefined) return decide(false, `no valid ${TAG_KEYS.expiresAt} tag and no creation time`);
  return createdMs + fallbackMs <= criteria.nowMs
    ? decide(
        true,
        `no valid ${TAG_KEYS.expiresAt} tag; created ${iso(createdMs)}, more than ${formatDuration(fallbackMs)} ago`,
      )
    : decide(false, `no valid ${TAG_KEYS.expiresAt} tag; created ${iso(createdMs)}`);
}

/** Our stacks among `stacks`, oldest first, each with its decision. */
export function planSweep(stacks: readonly StackInfo[], criteria: SweepCriteria): SweepDecision[] {
  return stacks
    .map((stack) => classifyForSweep(stack, criteria))
    .filter((decision): decision is SweepDecision => decision !== undefined)
    .sort((a, b) => (a.stack.createdAt?.getTime() ?? 0) - (b.stack.createdAt?.getTime() ?? 0));
}

/** One row of the sweep table: the decision and, once destroyed, the report. */
export interface SweepRow {
  readonly decision: SweepDecision;
  /** `would destroy` (dry run), `skip`, or the teardown's outcome. */
  readonly action: string;
  readonly report?: DestroyReport;
}

/** The sweep as a plain-text table, one stack per line, columns aligned. */
export function renderSweepTable(rows: readonly SweepRow[]): string[] {
  if (rows.length === 0) return ['no stacks of this tool found'];
  const header = ['STACK', 'STATUS', 'CREATED', 'EXPIRES-AT', 'DECISION', 'ACTION'];
  const body = rows.map(({ decision, action }) => [
    decision.stack.stackName,
    decision.stack.status,
    decision.stack.createdAt ? decision.stack.createdAt.toISOString() : '-',
    decision.stack.tags[TAG_KEYS.expiresAt] ?? '-',
    decision.reason,
    action,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2h`, `90m`, `45s`: the largest unit that divides the duration exactly. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
