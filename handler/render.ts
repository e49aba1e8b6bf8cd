import type { Value } from './generators.js';

/** The media types the API can answer with; JSON is the fallback (there is no 406). */
export type MediaType = 'application/json' | 'text/plain' | 'text/csv';

/** Content-Type header value of each media type; every body is UTF-8. */
export const CONTENT_TYPES: Readonly<Record<MediaType, string>> = {
  'application/json': 'application/json; charset=utf-8',
  'text/plain': 'text/plain; charset=utf-8',
  'text/csv': 'text/csv; charset=utf-8',
};

// Server preference when the client rates several equally.
const OFFERS: readonly MediaType[] = ['application/json', 'text/plain', 'text/csv'];
// Accept headers are short; parsing at most 32 ranges bounds the work whatever a client sends.
const MAX_MEDIA_RANGES = 32;

/**
 * Picks the response media type from an Accept header (RFC 9110 §12.5.1: the most specific matching
 * range sets an offer's q; the highest q wins, ties go to JSON, then plain text, then CSV). Anything
 * unsupported or malformed gives JSON.
 */
export function negotiate(accept: string | undefined): MediaType {
  if (accept === undefined || accept.trim() === '') return 'application/json';
  const ranges: { type: string; subtype: string; q: number }[] = [];
  for (const part of accept.split(',', MAX_MEDIA_RANGES)) {
    const [mediaRange, ...parameters] = part.split(';');
    const [type, subtype, extra] = mediaRange!.trim().toLowerCase().split('/');
    if (!type || !subtype || extra !== undefined) continue;
    let q = 1;
    for (const parameter of parameters) {
      const [key, value] = parameter.split('=').map((text) => text.trim());
      if (key!.toLowerCase() !== 'q') continue;
      q = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(value ?? '') ? Number(value) : -1;
    }
    if (q >= 0) ranges.push({ type, subtype, q });
  }
  let best: MediaType = 'application/json';
  let bestQ = 0;
  for (const offer of OFFERS) {
    const [offerType, offerSubtype] = offer.split('/');
    let specificity = -1;
    let q = 0;
    for (const range of ranges) {
      const rank =
        range.type === offerType && range.subtype === offerSubtype
          ? 2
          : range.type === offerType && range.subtype === '*'
            ? 1
            : range.type === '*' && range.subtype === '*'
              ? 0
              : -1;
      if (rank > specificity) {
        specificity = rank;
        q = range.q;
      }
    }
    if (q > bestQ) {
      best = offer;
      bestQ = q;
    }
  }
  return best;
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF, with quotes doubled. */
export function csvField(value: Value): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A rendered body and its Content-Type. */
export interface Rendered {
  readonly contentType: string;
  readonly body: string;
}

/** The envelope of a 200: `type` is the type name, or `records` for POST. */
export interface DataEnvelope {
  readonly type: string;
  readonly count: number;
  readonly seed: string | null;
  readonly data: readonly Value[] | readonly Readonly<Record<string, Value>>[];
}

/** Renders a list of values: JSON envelope, one value per line, or one CSV column without a header. */
export function renderValues(media: MediaType, envelope: DataEnvelope & { data: readonly Value[] }): Rendered {
  if (media === 'text/plain') {
    return { contentType: CONTENT_TYPES[media], body: `${envelope.data.map(String).join('\n')}\n` };
  }
  if (media === 'text/csv') {
    return { contentType: CONTENT_TYPES[media], body: `${envelope.data.map(csvField).join('\r\n')}\r\n` };
  }
  return { contentType: CONTENT_TYPES[media], body: JSON.stringify(envelope) };
}

/** Renders records: JSON envelope, one JSON object per line, or CSV with a header row of field names. */
export function renderRecords(
  media: MediaType,
  fields: readonly string[],
  envelope: DataEnvelope & { data: readonly Readonly<Record<string, Value>>[] },
): Rendered {
  if (media === 'text/plain') {
    return {
      contentType: CONTENT_TYPES[media],
      body: `${envelope.data.map((record) => JSON.stringify(record)).join('\n')}\n`,
    };
  }
  if (media === 'text/csv') {
    const lines = [fields.join(',')];
    for (const record of envelope.data) lines.push(fields.map((field) => csvField(record[field]!)).join(','));
    return { contentType: CONTENT_TYPES[media], body: `${lines.join('\r\n')}\r\n` };
  }
  return { contentType: CONTENT_TYPES[media], body: JSON.stringify(envelope) };
}
