/**
 * The largest message, in UTF-8 bytes, one CloudWatch Logs event can hold: 1 MB per event, in a PutLogEvents
 * batch of at most 1,048,576 bytes where each event costs its message bytes plus 26, so one event alone
 * leaves 1,048,576 - 26 bytes for its message. The sources, and what the emulator and `logs import` do with
 * a longer message: docs/aws-behaviour.md#log-event-size.
 */
export const MAX_EVENT_BYTES = 1_048_576 - 26;

/** A message after {@link truncateMessage}: `truncated` is true when bytes were cut off. */
export interface TruncateResult {
  readonly message: string;
  readonly truncated: boolean;
}

/**
 * Cuts `message` to the longest prefix whose UTF-8 encoding fits in `maxBytes`, ending on a whole
 * character: a surrogate pair is kept or dropped as one, so the cut never leaves a lone surrogate or a
 * partial UTF-8 sequence. A lone surrogate already in the input counts 3 bytes (it is encoded as U+FFFD),
 * as `Buffer.byteLength` counts it. Linear in the message's length; a message that fits is returned as is.
 */
export function truncateMessage(message: string, maxBytes: number = MAX_EVENT_BYTES): TruncateResult {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes (a pair of them 4), so a short message needs no count.
  if (message.length * 3 <= maxBytes || Buffer.byteLength(message, 'utf8') <= maxBytes) {
    return { message, truncated: false };
  }
  let bytes = 0;
  let i = 0;
  while (i < message.length) {
    const unit = message.charCodeAt(i);
    let size = 3;
    let units = 1;
    if (unit < 0x80) size = 1;
    else if (unit < 0x800) size = 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(message.charCodeAt(i + 1))) {
      size = 4;
      units = 2;
    }
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return { message: message.slice(0, i), truncated: true };
}

function isLowSurrogate(unit: number): boolean {
  // charCodeAt past the end is NaN, which fails both comparisons.
  return unit >= 0xdc00 && unit <= 0xdfff;
}
