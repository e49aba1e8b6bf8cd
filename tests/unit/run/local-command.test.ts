import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.js';

// `local` synthesizes like `bench`: its -c and --max-environments are checked before anything starts.

async function usage(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { env: {}, out: () => {}, err: (line) => err.push(line) });
  return { code, err: err.join('\n') };
}

describe('local command flags', () => {
  it.each([
    [['local', '-c', 'memorySizeMb'], "error [InvalidContextFlag]: -c 'memorySizeMb' is not key=value"],
    [['local', '--context', 'timeoutSeconds=0'], "error [InvalidStackContext]: context 'timeoutSeconds' is '0'"],
    [['local', '--max-environments', '0'], "error [OutOfRange]: --max-environments '0' is out of range"],
  ])('%j exits 2 with a message naming the problem', async (argv, message) => {
    const { code, err } = await usage(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
