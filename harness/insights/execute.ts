import type { Accumulator } from './aggregates.js';
import type { CompiledQuery, Evaluator, SortPlanKey, StatsPlan, Step } from './compile.js';
import { PatternSink } from './pattern.js';
import { EventRow, MapRow, type Row } from './rows.js';
import { naturalCompare, renderValue, Timestamp, type Value, valueKey } from './values.js';

/** A result row: field name to string value, `@ptr` on event rows (docs/aws-behaviour.md#insights-api). */
export type ResultRow = Record<string, string>;

/** What a finished run returns before statistics are added. */
export interface RunOutput {
  readonly fields: readonly string[];
  readonly rows: ResultRow[];
  /** Events that passed the filters of the event stage (before stats, sort, dedup and limits). */
  readonly recordsMatched: number;
}

interface Sink {
  add(row: Row): void;
  finish(): Row[];
}

// With no sort, results come newest first (CWL_QuerySyntax-Dedup: "the default descending sort order using @timestamp").
const IMPLICIT_ORDER: readonly SortPlanKey[] = [
  { value: (row) => new Timestamp((row as EventRow).timestamp), descending: true },
];

/**
 * Runs a compiled query over events pushed one at a time, keeping memory bounded by the result: leading
 * filters and computations run per event; the first stats keeps one accumulator set per group; a sort
 * followed (possibly after computations) by a limit keeps only that many rows in a heap. What follows the
 * first stats/sort/dedup runs over the (already small) rows in memory.
 *
 * @example
 * const run = new QueryRun(compileQuery(parseQuery(q)), 10_000);
 * for (const event of events) run.push(event);
 * const { fields, rows } = run.finish();
 */
export class QueryRun {
  private readonly eventSteps: Step[];
  private readonly sink: Sink;
  private readonly rest: Step[];
  private matched = 0;

  constructor(
    private readonly compiled: CompiledQuery,
    private readonly limit: number,
  ) {
    const steps = compiled.steps;
    let i = 0;
    while (i < steps.length && ['map', 'filter', 'unnest'].includes(steps[i]!.kind)) i++;
    this.eventSteps = steps.slice(0, i);
    const head = steps[i];
    if (head === undefined) {
      this.sink = new TopKSink(IMPLICIT_ORDER, limit);
      this.rest = [];
    } else if (head.kind === 'stats') {
      this.sink = new StatsSink(head.plan);
      this.rest = steps.slice(i + 1);
    } else if (head.kind === 'pattern') {
      this.sink = new PatternSink(head.input);
      this.rest = steps.slice(i + 1);
    } else if (head.kind === 'sort') {
      const next = steps[i + 1];
      if (next?.kind === 'dedup') {
        this.sink = new DedupSink(head.keys, next.keys);
        this.rest = steps.slice(i + 2);
      } else {
        this.sink = new TopKSink(head.keys, rowsKeptAfterSort(steps, i + 1, limit));
        this.rest = steps.slice(i + 1);
      }
    } else if (head.kind === 'limit') {
      this.sink = new TopKSink(IMPLICIT_ORDER, head.count);
      this.rest = steps.slice(i + 1);
    } else {
      this.sink = new DedupSink(IMPLICIT_ORDER, (head as Step & { kind: 'dedup' }).keys);
      this.rest = steps.slice(i + 1);
    }
  }

  /** Feeds one event through the event stage. */
  push(row: EventRow): void {
    this.runEventSteps(row, 0);
  }

  // The event stage from step `from` on; `unnest` fans a row out into rows that each run the rest.
  private runEventSteps(row: Row, from: number): void {
    const steps = this.eventSteps;
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.kind === 'filter') {
        if (!step.test(row)) return;
      } else if (step.kind === 'map') {
        step.apply(row);
      } else if (step.kind === 'unnest') {
        for (const item of step.expand(row)) this.runEventSteps(item, i + 1);
        return;
      }
    }
    this.matched++;
    this.sink.add(row);
  }

  /** Runs the rest of the pipeline and renders the rows as strings. */
  finish(): RunOutput {
    let rows = this.sink.finish();
    for (const step of this.rest) rows = applyStep(rows, step);
    if (rows.length > this.limit) rows = rows.slice(0, this.limit);
    const fields = this.compiled.columns;
    const out = rows.map((row) => {
      const result: ResultRow = {};
      for (const field of fields) {
        const text = renderValue(row.get(field));
        if (text !== null) result[field] = text;
      }
      if (row instanceof EventRow) result['@ptr'] = row.ptr();
      return result;
    });
    return { fields, rows: out, recordsMatched: this.matched };
  }
}

// How many rows a sort must keep: the next limit when only computations come between, the final limit
// when nothing follows, and all of them when a filter, dedup or stats could still drop or merge rows.
function rowsKeptAfterSort(steps: readonly Step[], from: number, finalLimit: number): number {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind === 'map') continue;
    if (step.kind === 'limit') return Math.min(step.count, finalLimit);
    return Number.POSITIVE_INFINITY;
  }
  return finalLimit;
}

interface Entry {
  readonly row: Row;
  readonly keys: Value[];
  readonly seq: number;
}

function entryOf(row: Row, keys: readonly SortPlanKey[], seq: number): Entry {
  const values = new Array<Value>(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = keys[i]!.value(row);
  return { row, keys: values, seq };
}

/**
 * Sort order of entries: each key in the CWL_QuerySyntax-Sort order (descending is the reverse), missing
 * values last either way (choice: the docs do not say), then scan order, reversed when the first key
 * descends, so an implicit newest-first sort puts a REPORT line before the END line of the same millisecond.
 */
function compareEntries(keys: readonly SortPlanKey[]): (a: Entry, b: Entry) => number {
  return (a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.keys[i]!;
      const y = b.keys[i]!;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? 1 : -1;
      }
      const order = naturalCompare(x, y);
      if (order !== 0) return keys[i]!.descending ? -order : order;
    }
    const order = a.seq - b.seq;
    return keys[0]?.descending ? -order : order;
  };
}

/** Keeps the first `k` entries in sort order in a heap whose root is the worst kept one. */
class TopKSink implements Sink {
  private readonly heap: Entry[] = [];
  private readonly compare: (a: Entry, b: Entry) => number;
  private seq = 0;

  constructor(
    private readonly keys: readonly SortPlanKey[],
    private readonly k: number,
  ) {
    this.compare = compareEntries(keys);
  }

  add(row: Row): void {
    const seq = row instanceof EventRow ? row.seq : this.seq++;
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push(entryOf(row, this.keys, seq));
      this.siftUp(heap.length - 1);
      return;
    }
    if (this.k === 0) return;
    const entry = entryOf(row, this.keys, seq);
    if (this.compare(entry, heap[0]!) < 0) {
      heap[0] = entry;
      this.siftDown(0);
    }
  }

  finish(): Row[] {
    return this.heap.sort(this.compare).map((e) => e.row);
  }

  // Max-heap on `compare`: a parent sorts after (is worse than) its children.
  private siftUp(index: number): void {
    const heap = this.heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(heap[i]!, heap[parent]!) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && this.compare(heap[left]!, heap[worst]!) > 0) worst = left;
      if (right < heap.length && this.compare(heap[right]!, heap[worst]!) > 0) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  }
}

/**
 * `dedup`: the first row in sort order for each combination of values; rows with a missing value in any
 * of the fields are all kept ("Null values are not considered duplicates", CWL_QuerySyntax-Dedup).
 */
class DedupSink implements Sink {
  private readonly best = new Map<string, Entry>();
  private readonly kept: Entry[] = [];
  private readonly compare: (a: Entry, b: Entry) => number;
  private seq = 0;

  constructor(
    private readonly keys: readonly SortPlanKey[],
    private readonly dedupKeys: readonly Evaluator[],
  ) {
    this.compare = compareEntries(keys);
  }

  add(row: Row): void {
    const entry = entryOf(row, this.keys, row instanceof EventRow ? row.seq : this.seq++);
    const key = dedupKey(row, this.dedupKeys);
    if (key === null) {
      this.kept.push(entry);
      return;
    }
    const current = this.best.get(key);
    if (current === undefined || this.compare(entry, current) < 0) this.best.set(key, entry);
  }

  finish(): Row[] {
    return [...this.best.values(), ...this.kept].sort(this.compare).map((e) => e.row);
  }
}

function dedupKey(row: Row, keys: readonly Evaluator[]): string | null {
  let key = '';
  for (const evaluate of keys) {
    const value = evaluate(row);
    if (value === null) return null;
    key += `${valueKey(value)}\u0001`;
  }
  return key;
}

interface Group {
  readonly by: Value[];
  readonly accumulators: Accumulator[];
}

/** `stats`: one set of accumulators per distinct combination of `by` values. */
class StatsSink implements Sink {
  private readonly groups = new Map<string | number, Group>();

  constructor(private readonly plan: StatsPlan) {}

  add(row: Row): void {
    const plan = this.plan;
    let key: string | number = '';
    let byValues: Value[] | null = null;
    if (plan.by.length === 1) {
      const value = plan.by[0]!.value(row);
      key = valueKey(value);
      byValues = [value];
    } else if (plan.by.length > 1) {
      byValues = plan.by.map((b) => b.value(row));
      key = byValues
        .map((v) => {
          const k = valueKey(v);
          return typeof k === 'number' ? `t${k}` : k;
        })
        .join('\u0001');
    }
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { by: byValues ?? [], accumulators: plan.aggregates.map((a) => a.create()) };
      this.groups.set(key, group);
    }
    const timestamp = row instanceof EventRow ? row.timestamp : 0;
    const seq = row instanceof EventRow ? row.seq : 0;
    const aggregates = plan.aggregates;
    for (let i = 0; i < aggregates.length; i++) {
      const arg = aggregates[i]!.arg;
      group.accumulators[i]!.add(arg === null ? true : arg(row), timestamp, seq);
    }
  }

  /**
   * One row per group: the `by` fields, then each stats item. Choice: rows come ordered by the `by` values,
   * ascending in sort order (the docs do not say what order unsorted stats rows have).
   */
  finish(): Row[] {
    const plan = this.plan;
    const groups = [...this.groups.values()];
    groups.sort((a, b) => {
      for (let i = 0; i < a.by.length; i++) {
        const x = a.by[i]!;
        const y = b.by[i]!;
        if (x === null || y === null) {
          if (x === y) continue;
          return x === null ? 1 : -1;
        }
        const order = naturalCompare(x, y);
        if (order !== 0) return order;
      }
      return 0;
    });
    return groups.map((group) => {
      const row = new MapRow();
      plan.by.forEach((b, i) => {
        row.set(b.name, group.by[i]!);
      });
      const results = group.accumulators.map((a) => a.result());
      for (const item of plan.items) row.set(item.name, item.value(results));
      return row;
    });
  }
}

/** Runs one step over rows already in memory (after the first stats, sort or dedup). */
function applyStep(rows: Row[], step: Step): Row[] {
  switch (step.kind) {
    case 'map':
      for (const row of rows) step.apply(row);
      return rows;
    case 'filter':
      return rows.filter((row) => step.test(row));
    case 'sort': {
      const compare = compareEntries(step.keys);
      return rows
        .map((row, index) => entryOf(row, step.keys, index))
        .sort(compare)
        .map((e) => e.row);
    }
    case 'limit':
      return rows.slice(0, step.count);
    case 'dedup': {
      const seen = new Set<string>();
      return rows.filter((row) => {
        const key = dedupKey(row, step.keys);
        if (key === null) return true;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    case 'stats': {
      const sink = new StatsSink(step.plan);
      for (const row of rows) sink.add(row);
      return sink.finish();
    }
    case 'unnest':
      return rows.flatMap((row) => step.expand(row));
    case 'pattern': {
      const sink = new PatternSink(step.input);
      for (const row of rows) sink.add(row);
      return sink.finish();
    }
  }
}
