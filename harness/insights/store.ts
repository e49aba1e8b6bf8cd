import path from 'node:path';

/**
 * The on-disk log store shared by the emulator (writer), `logs import` (writer) and the Insights
 * engine (reader): `<dir>/<encodeURIComponent(group)>/<encodeURIComponent(stream)>.ndjson`, one event
 * per line, `{"timestamp": ms, "ingestionTime": ms, "message": "..."}`, message without its trailing newline.
 */
export interface StoredEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** Folder that holds one log group's streams. */
export function groupDirPath(dir: string, logGroupName: string): string {
  return path.join(dir, encodeURIComponent(logGroupName));
}

/** File that holds one log stream's events. */
export function streamFilePath(dir: string, logGroupName: string, logStreamName: string): string {
  return path.join(groupDirPath(dir, logGroupName), `${encodeURIComponent(logStreamName)}.ndjson`);
}
