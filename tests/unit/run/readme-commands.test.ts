import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import yargs from 'yargs';
import { benchBuilder } from '../../../harness/commands/bench.js';
import { commands } from '../../../harness/commands/index.js';
import { resolveMix } from '../../../harness/load/mix.js';
import { type BenchArgs, parseBenchOptions } from '../../../harness/options.js';

const README = readFileSync(path.join(import.meta.dirname, '../../../README.md'), 'utf8');

/** The `sh` code blocks of the README, as lines with `\` continuations joined. */
function shellLines(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

type Token = { word: string } | { operator: string };

/** POSIX-ish word splitting: single and double quotes, `#` comments, and the operators < > | ; & as tokens. */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end === -1) throw new Error(`unclosed quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== null) tokens.push({ word });
      word = null;
    } else if (c === '#' && word === null) {
      break;
    } else if ('<>|;&'.includes(c)) {
      if (word !== null) tokens.push({ word });
      word = null;
      const op = line[i + 1] === c ? c + c : c;
      tokens.push({ operator: op });
      i += op.length - 1;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) tokens.push({ word });
  return tokens;
}

/** Commands joined by `&&`, each as its words; any other operator stays in the list for the test to see. */
function commandsOf(line: string): Token[][] {
  const out: Token[][] = [[]];
  for (const token of tokenize(line)) {
    if ('operator' in token && token.operator === '&&') out.push([]);
    else out.at(-1)!.push(token);
  }
  return out;
}

const words = (tokens: Token[]) => tokens.map((t) => ('word' in t ? t.word : t.operator));

describe('README commands', () => {
  const harnessLines = shellLines().filter((l) => /npm run (bench|harness)\b/.test(l));

  it('finds the examples (the test reads the README it guards)', () => {
    expect(harnessLines.length).toBeGreaterThan(10);
  });

  it('has no unquoted < > | ; in any npm run bench or harness command (a shell would redirect or pipe)', () => {
    for (const line of harnessLines) {
      for (const command of commandsOf(line)) {
        const operators = command.filter((t) => 'operator' in t);
        expect(operators, line).toEqual([]);
      }
    }
  });

  it('parses every npm run bench example into valid options', async () => {
    // Prepare: the files the examples create with echo
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-readme-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const line of shellLines()) {
      const echo = /^echo '(.*)' > (\S+)$/.exec(line);
      if (echo) writeFileSync(path.join(dir, echo[2]!), echo[1]!);
    }
    const benchCommands = harnessLines
      .flatMap(commandsOf)
      .map(words)
      .filter((w) => w[0] === 'npm' && w[2] === 'bench');
    expect(benchCommands.length).toBeGreaterThan(5);

    for (const argv of benchCommands) {
      const flags = (argv.includes('--') ? argv.slice(argv.indexOf('--') + 1) : []).map((word, i, all) =>
        all[i - 1] === '--config' ? path.join(dir, word) : word,
      );

      // Act
      const args = (await benchBuilder(yargs(flags)).exitProcess(false).parseAsync()) as BenchArgs;
      const options = parseBenchOptions(args, {
        now: new Date(),
        env: {},
        readFile: (file) => readFileSync(path.join(dir, file), 'utf8'),
      });

      // Assess
      expect(options.runId, argv.join(' ')).toBeTruthy();
    }
  });

  it('uses only commands and flags the harness knows in every npm run harness example', async () => {
    const harnessCommands = harnessLines
      .flatMap(commandsOf)
      .map(words)
      .filter((w) => w.includes('harness') && w.includes('--'));
    expect(harnessCommands.length).toBeGreaterThanOrEqual(5);
    for (const argv of harnessCommands) {
      // Prepare: the real builders, with handlers that only record which command ran
      let ran: string | undefined;
      let parser = yargs(argv.slice(argv.indexOf('--') + 1))
        .strict()
        .exitProcess(false)
        .fail((message, error) => {
          throw error ?? new Error(message);
        });
      for (const command of commands)
        parser = parser.command(command.command, command.describe, command.builder, () => {
          ran = command.command;
        });

      // Act
      await parser.parseAsync();

      // Assess
      expect(ran, argv.join(' ')).toBeDefined();
    }
  });

  it('shows a mix file that the harness accepts', () => {
    const json = /### Request mix[\s\S]*?```json\n([\s\S]*?)```/.exec(README)?.[1];
    expect(json).toBeDefined();
    const mix = resolveMix('mix.json', () => json!);
    expect(mix.map((entry) => entry.name)).toEqual(['dice', 'csv-ints', 'records', 'unknown-type']);
  });
});
