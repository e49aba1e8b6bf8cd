import { benchCommand } from './bench.js';
import type { Command } from './command.js';

/** Every subcommand of `npm run harness`, in the order `--help` lists them. */
// biome-ignore lint/suspicious/noExplicitAny: each command types its own arguments
export const commands: Command<any>[] = [benchCommand];
