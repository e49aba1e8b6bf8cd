import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { commandNamed, commands } from '../../../harness/commands/index.js';

describe('the command list', () => {
  it('names the command argv runs by its first word that is not a flag', () => {
    expect(commandNamed(['query', '--log-dir', 'x', 'stats count(*)'])?.command).toBe('query [query]');
    expect(commandNamed(['--help', 'logs', 'import', 'f.json'])?.command).toBe('logs <action> <file>');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['quer'])).toBeUndefined();
  });

  it('gives every command a synchronous builder once loaded, as yargs expects', async () => {
    for (const entry of commands) {
      // Act
      await entry.load();
      const built = entry.builder(yargs([]));

      // Assess
      expect(built, entry.command).not.toBeInstanceOf(Promise);
    }
  });
});
