import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, truncateMessage } from '../../../harness/logstore/event-size.js';

// One CloudWatch event holds at most MAX_EVENT_BYTES of UTF-8 (docs/aws-behaviour.md#log-event-size); a longer
// message is cut on a character boundary, never inside a UTF-8 sequence or a surrogate pair.

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** True when `text` holds a high surrogate not followed by a low one, or a low one not preceded by a high one. */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** `count` copies of `char`, then ASCII padding so the whole is exactly `bytes` long in UTF-8. */
function messageOf(bytes: number, char: string): string {
  const size = utf8Bytes(char);
  const count = Math.floor(bytes / size);
  return char.repeat(count) + 'x'.repeat(bytes - count * size);
}

function expectValidCut(input: string, result: { message: string; truncated: boolean }, maxBytes: number): void {
  expect(utf8Bytes(result.message)).toBeLessThanOrEqual(maxBytes);
  expect(input.startsWith(result.message)).toBe(true);
  expect(hasLoneSurrogate(result.message)).toBe(false);
  // The UTF-8 encoding decodes back to the same text: no sequence was split.
  expect(Buffer.from(result.message, 'utf8').toString('utf8')).toBe(result.message);
}

describe('truncateMessage at the CloudWatch limit', () => {
  it('is 1 MB (1,048,576 bytes) less the 26 bytes PutLogEvents counts for each event', () => {
    expect(MAX_EVENT_BYTES).toBe(1_048_550);
  });

  it.each([
    ['ASCII', 'a'],
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte (surrogate pair)', '𝄞'],
    ['emoji (surrogate pair)', '😀'],
  ])('keeps a %s message at or just under the limit unchanged', (_name, char) => {
    for (const bytes of [MAX_EVENT_BYTES, MAX_EVENT_BYTES - 1]) {
      // Prepare: the character itself, then the padding that fills the message to `bytes`
      const input = `${char}${messageOf(bytes - utf8Bytes(char), char)}`;
      expect(utf8Bytes(input)).toBe(bytes);

      // Act
      const result = truncateMessage(input);

      // Assess
      expect(result).toEqual({ message: input, truncated: false });
    }
  });

  it.each([
    ['ASCII', 'a'],
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte (surrogate pair)', '𝄞'],
    ['emoji (surrogate pair)', '😀'],
  ])('cuts a %s message just over the limit to a whole-character prefix within it', (_name, char) => {
    for (const over of [1, 2, 3]) {
      // Prepare: characters only, so the limit falls inside one whenever its size does not divide it
      const size = utf8Bytes(char);
      const input = char.repeat(Math.ceil((MAX_EVENT_BYTES + over) / size));

      // Act
      const result = truncateMessage(input);

      // Assess
      expect(result.truncated).toBe(true);
      expectValidCut(input, result, MAX_EVENT_BYTES);
      // As long as it can be: one more character would not fit.
      expect(utf8Bytes(result.message)).toBe(Math.floor(MAX_EVENT_BYTES / size) * size);
    }
  });

  it('cuts before a surrogate pair whose second half would cross the limit', () => {
    // Prepare: 'a' then an emoji whose 4 bytes straddle the 6-byte limit
    const input = 'aaaa😀b';

    // Act
    const result = truncateMessage(input, 6);

    // Assess
    expect(result).toEqual({ message: 'aaaa', truncated: true });
  });

  it.each([
    ['2-byte', 'é', 2],
    ['3-byte', '€', 3],
    ['4-byte', '😀', 4],
  ])('never splits a %s character, whatever byte the limit falls on', (_name, char, size) => {
    for (let limit = 0; limit <= 3 * size + 1; limit++) {
      const input = `a${char}${char}${char}`;
      const result = truncateMessage(input, limit);
      expectValidCut(input, result, limit);
      expect(result.truncated).toBe(utf8Bytes(input) > limit);
      // The prefix is the longest whole-character one that fits.
      expect(utf8Bytes(result.message)).toBe(limit === 0 ? 0 : 1 + Math.floor((limit - 1) / size) * size);
    }
  });

  it('mixes every width in one message and still cuts on a character boundary', () => {
    const input = 'aé€😀'.repeat(Math.ceil(MAX_EVENT_BYTES / 10) + 1);
    const result = truncateMessage(input);
    expect(result.truncated).toBe(true);
    expectValidCut(input, result, MAX_EVENT_BYTES);
    expect(MAX_EVENT_BYTES - utf8Bytes(result.message)).toBeLessThan(4);
  });

  it('keeps a short message as it is, including an empty one', () => {
    expect(truncateMessage('')).toEqual({ message: '', truncated: false });
    expect(truncateMessage('START RequestId: 1 Version: $LATEST')).toEqual({
      message: 'START RequestId: 1 Version: $LATEST',
      truncated: false,
    });
  });

  it('counts a lone surrogate already in the input as the 3 bytes of U+FFFD, as Buffer.byteLength does', () => {
    const input = 'a\uD800b';
    expect(truncateMessage(input, 5)).toEqual({ message: input, truncated: false });
    expect(truncateMessage(input, 4)).toEqual({ message: 'a\uD800', truncated: true });
  });
});
