/**
 * The project against its peers, side by side: one line per part that has a peer, in the shape issue 17 asked
 * for (part, peer, ratio now, goal), taken from the table rows that measure it. Pure.
 */
import type { FigureId, Goal, PerfRow, RowStatus } from './model.js';

/** One line of the peer table. */
export interface PeerLine {
  readonly part: string;
  readonly peer: string;
  /** The row's comparison (its median and min–max over rounds); absent when the peer did not run. */
  readonly comparison?: PerfRow['comparison'];
  readonly goal?: Goal;
  /** Why there is no comparison. */
  readonly missing?: string;
  readonly status: RowStatus | 'not measured';
  /** 1-based index of the row in the main table, whose note has the method and, when not met, the cause. */
  readonly row?: number;
}

/**
 * Peers the suite does not run, with the reason. serverless-offline is a Serverless Framework plugin: it starts
 * only inside `serverless` (v4 asks for a login or licence key before it runs a command, v3 is no longer
 * maintained), a dependency tree far larger than the one comparison row it would feed.
 */
export const UNMEASURED_PEERS: readonly (PeerLine & { readonly id: FigureId })[] = [
  {
    id: 'G1',
    part: 'emulator, closed-loop rps, real handler',
    peer: 'serverless-offline 13',
    missing: 'not run here: it needs the Serverless Framework (v4 requires a login or licence key) installed beside it',
    status: 'not measured',
  },
];

/** The peer table's lines: every tagged row in table order, then the selected figures' peers that did not run. */
export function peerLines(rows: readonly PerfRow[], selected: readonly FigureId[]): PeerLine[] {
  const lines: PeerLine[] = [];
  rows.forEach((row, index) => {
    if (!row.peer) return;
    lines.push({
      part: row.peer.part,
      peer: row.peer.peer,
      ...(row.comparison ? { comparison: row.comparison } : {}),
      ...(row.goal ? { goal: row.goal } : {}),
      status: row.status,
      row: index + 1,
    });
  });
  for (const { id, ...line } of UNMEASURED_PEERS) if (selected.includes(id)) lines.push(line);
  return lines;
}
