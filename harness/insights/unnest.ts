import { EventRow, MapRow, type Row } from './rows.js';
import { jsonMember, Structure, type Value } from './values.js';

/**
 * `unnest field into name` (CWL_QuerySyntax-Unnest, docs/aws-behaviour.md#insights-unnest): a LIST (jsonParse of a
 * JSON array) gives one row per item, each a copy of the row with the item under `name`; an empty list gives no
 * row. Any other value (a map, a string, a number) counts as a one-item list: the row stays, with the value under
 * `name`. Choice (the docs are silent): a missing field also keeps the row, with `name` missing.
 */
export function unnestRow(row: Row, value: Value, name: string): Row[] {
  if (!(value instanceof Structure) || !value.isList) {
    row.set(name, value);
    return [row];
  }
  const items = value.json as readonly unknown[];
  return items.map((item) => {
    const copy = cloneRow(row);
    copy.set(name, jsonMember(item));
    return copy;
  });
}

/** A copy of a row whose fields can be set without touching the original. */
function cloneRow(row: Row): Row {
  if (row instanceof EventRow) {
    const copy = new EventRow(row.stream, row.seq, row.lineNo, row.timestamp, row.ingestionTime, row.message);
    if (row.computed !== null) copy.computed = new Map(row.computed);
    return copy;
  }
  if (row instanceof MapRow) return new MapRow(new Map(row.values));
  return row;
}
