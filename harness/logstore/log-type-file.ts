import fs from 'node:fs/promises';
import path from 'node:path';
import { groupDirPath } from './store.js';

/**
 * Name of the file, in a log group's folder, that holds the group's log type as `logs import --log-type` set
 * it (one word, e.g. `vpc-flow`). It does not end in `.ndjson`, so readers never take it for a stream, and it
 * lives inside the group's folder, so removing the group (`removeLogGroupDir`) removes it too.
 */
export const LOG_TYPE_FILE = '.log-type';

/** The log type stored with a group, or null when none was (or the group does not exist). */
export async function readLogGroupType(dir: string, logGroupName: string): Promise<string | null> {
  try {
    const text = (await fs.readFile(path.join(groupDirPath(dir, logGroupName), LOG_TYPE_FILE), 'utf8')).trim();
    return text.length > 0 ? text : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return null;
    throw error;
  }
}

/** Stores a group's log type (creating the group's folder), or removes it when `type` is null. */
export async function writeLogGroupType(dir: string, logGroupName: string, type: string | null): Promise<void> {
  const groupDir = groupDirPath(dir, logGroupName);
  const file = path.join(groupDir, LOG_TYPE_FILE);
  if (type === null) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(groupDir, { recursive: true });
  await fs.writeFile(file, `${type}\n`, 'utf8');
}
