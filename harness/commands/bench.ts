import { UsageError } from '../errors.js';
import type { Command } from './command.js';

/** `bench`: deploy, load, check, correlate, report, destroy. */
export const benchCommand: Command = {
  command: 'bench',
  describe: 'deploy an ephemeral stack, load it, check latency SLOs, correlate with logs, report, destroy',
  builder: (y) => y,
  async run() {
    throw new UsageError('NotBuiltYet', 'the bench pipeline is not built yet: see issue "npm run bench"');
  },
};
