/**
 * Counting what the emulator's log store captured (G5 "lines captured = lines emitted"): every invocation
 * leaves one REPORT line, and the handler writes exactly one JSON line per request with its
 * `awsRequestId`, so each REPORT must have exactly one handler line. Pure: store text in, counts out.
 */

/** What a log store holds, joined by Lambda request id. */
export interface CaptureCount {
  /** REPORT lines: one per invocation. */
  readonly reports: number;
  /** Handler JSON lines (`"msg":"request"`), duplicates included. */
  readonly handlerLines: number;
  /** REPORT lines whose request has no handler line: lost lines. */
  readonly missing: number;
  /** Handler lines beyond the first for the same request. */
  readonly duplicates: number;
}

const REPORT_PREFIX = 'REPORT RequestId: ';

/** Counts over the NDJSON text of every stream file (`{"timestamp","ingestionTime","message"}` per line). */
export function countCapture(streamTexts: Iterable<string>): CaptureCount {
  const reported = new Set<string>();
  const logged = new Map<string, number>();
  let reports = 0;
  let handlerLines = 0;
  for (const text of streamTexts) {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const message = (JSON.parse(line) as { message?: unknown }).message;
      if (typeof message !== 'string') continue;
      if (message.startsWith(REPORT_PREFIX)) {
        reports++;
        reported.add(message.slice(REPORT_PREFIX.length).split('\t', 1)[0]!.trim());
      } else if (message.startsWith('{')) {
        let parsed: { msg?: unknown; awsRequestId?: unknown };
        try {
          parsed = JSON.parse(message);
        } catch {
          continue;
        }
        if (parsed.msg !== 'request' || typeof parsed.awsRequestId !== 'string') continue;
        handlerLines++;
        logged.set(parsed.awsRequestId, (logged.get(parsed.awsRequestId) ?? 0) + 1);
      }
    }
  }
  let missing = 0;
  for (const id of reported) if (!logged.has(id)) missing++;
  let duplicates = 0;
  for (const count of logged.values()) duplicates += count - 1;
  return { reports, handlerLines, missing, duplicates };
}

/**
 * Lines captured / lines emitted: invocations whose handler line is in the store, over invocations (REPORT
 * lines, and at least the responses the client received). 1 when nothing was lost; duplicates are counted
 * apart, in {@link CaptureCount.duplicates}.
 */
export function captureRatio(count: CaptureCount, responses: number): number {
  const emitted = Math.max(count.reports, responses);
  return emitted === 0 ? Number.NaN : (count.reports - count.missing) / emitted;
}
