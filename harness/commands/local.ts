import { ExitCode, UsageError } from '../errors.js';
import { LocalTarget } from '../target/local-target.js';
import type { Command } from './command.js';

interface LocalArgs {
  port: number;
  logDir?: string;
  keepLogs: boolean;
  runId: string;
  cdkOut?: string;
}

/**
 * `local`: runs the API on the embedded emulator (API Gateway + Lambda + CloudWatch Logs) in the
 * foreground, for trying it by hand; Ctrl-C stops it and ends every execution environment.
 *
 * @example
 * npm run harness -- local --port 3000 --keep-logs
 * # listening http://127.0.0.1:3000/bench/
 * # logs /tmp/rda-logs-local-Ab12Cd
 */
export const localCommand: Command<LocalArgs> = {
  command: 'local',
  describe: 'run the API locally (emulated API Gateway, Lambda and CloudWatch Logs) until Ctrl-C',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 0, desc: 'port on 127.0.0.1 (0 picks a free one)' })
      .option('log-dir', { type: 'string', desc: 'where the log store is written (default: a new temporary directory)' })
      .option('keep-logs', { type: 'boolean', default: false, desc: 'leave the log store on disk after stopping' })
      .option('run-id', { type: 'string', default: 'local', desc: 'run id the stack is synthesized with (names the function)' })
      .option('cdk-out', { type: 'string', desc: 'run this synthesized assembly instead of synthesizing one' }),
  async run(args, ctx) {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) {
      throw new UsageError('InvalidPort', `--port '${args.port}' is not a port: give a whole number from 0 to 65535`);
    }
    const target = new LocalTarget({
      port: args.port,
      logDir: args.logDir,
      keepLogs: args.keepLogs,
      cdkOutDir: args.cdkOut,
    });
    const deployment = await target.deploy({ runId: args.runId, signal: ctx.signal, log: ctx.err });
    try {
      ctx.out(`listening ${deployment.baseUrl}`);
      ctx.out(`logs ${deployment.logDir}`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      const report = await deployment.destroy();
      for (const check of report.checks) ctx.err(`stopped: ${check}`);
      for (const leftover of report.leftovers) ctx.err(`left over: ${leftover}`);
    }
    return ExitCode.Pass;
  },
};
