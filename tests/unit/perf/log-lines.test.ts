import { describe, expect, it } from 'vitest';
import { captureRatio, countCapture } from '../../../harness/perf/log-lines.js';

// Lines as the emulator's log store holds them: one JSON event per line, the message without its newline.
const event = (message: string) => JSON.stringify({ timestamp: 1, ingestionTime: 2, message });
const report = (id: string) =>
  event(
    `REPORT RequestId: ${id}\tDuration: 1.20 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 60 MB\t`,
  );
const handlerLine = (id: string) =>
  event(JSON.stringify({ level: 'info', awsRequestId: id, status: 200, msg: 'request' }));

describe('countCapture', () => {
  it('matches every REPORT line with the handler line of the same request, across streams', () => {
    // Prepare
    const streamA = [
      event('START RequestId: a Version: $LATEST'),
      handlerLine('a'),
      event('END RequestId: a'),
      report('a'),
    ].join('\n');
    const streamB = [handlerLine('b'), report('b'), ''].join('\n');
    // Act
    const count = countCapture([streamA, streamB]);
    // Assess
    expect(count).toEqual({ reports: 2, handlerLines: 2, missing: 0, duplicates: 0 });
    expect(captureRatio(count, 2)).toBe(1);
  });

  it('counts a REPORT without its handler line as missing and a repeated handler line as a duplicate', () => {
    const text = [handlerLine('a'), report('a'), report('b'), handlerLine('c'), handlerLine('c'), report('c')].join(
      '\n',
    );
    const count = countCapture([text]);
    expect(count).toEqual({ reports: 3, handlerLines: 3, missing: 1, duplicates: 1 });
    expect(captureRatio(count, 3)).toBeCloseTo(2 / 3, 12);
  });

  it('ignores other JSON lines, console lines and platform lines', () => {
    const text = [
      event(JSON.stringify({ level: 'info', msg: 'cold start' })),
      event('2026-01-01T00:00:00.000Z\tabc\tINFO\thello'),
      event('{not json'),
      event('INIT_START Runtime Version: nodejs:24.v1'),
    ].join('\n');
    expect(countCapture([text])).toEqual({ reports: 0, handlerLines: 0, missing: 0, duplicates: 0 });
  });

  it('charges a response the store has no invocation for as lost', () => {
    // 5 responses reached the client but only 4 invocations were logged.
    const text = ['a', 'b', 'c', 'd'].flatMap((id) => [handlerLine(id), report(id)]).join('\n');
    expect(captureRatio(countCapture([text]), 5)).toBe(0.8);
    expect(captureRatio(countCapture([]), 0)).toBeNaN();
  });
});
