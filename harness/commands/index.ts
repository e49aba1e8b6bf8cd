import { benchCommand } from './bench.js';
import type { Command } from './command.js';
import { deployCommand } from './deploy.js';
import { destroyCommand } from './destroy.js';
import { localCommand } from './local.js';
import { logsCommand } from './logs.js';
import { perfCommand } from './perf.js';
import { prCommentCommand } from './pr-comment.js';
import { prRunIdCommand } from './pr-run-id.js';
import { prStacksCommand } from './pr-stacks.js';
import { queryCommand } from './query.js';
import { sweepCommand } from './sweep.js';

/** Every subcommand of `npm run harness`, in the order `--help` lists them. */
// biome-ignore lint/suspicious/noExplicitAny: each command types its own arguments
export const commands: Command<any>[] = [
  benchCommand,
  prCommentCommand,
  prRunIdCommand,
  prStacksCommand,
  deployCommand,
  destroyCommand,
  sweepCommand,
  queryCommand,
  logsCommand,
  localCommand,
  perfCommand,
];
