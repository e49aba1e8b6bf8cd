/** Commands printed for a user to paste quote every word: a hostile value stays one argument and never runs. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harnessCommand, shellCommand, shellQuote } from '../../harness/shell-quote.js';
import { cleanupCommand as awsCleanupCommand } from '../../harness/target/aws/config.js';
import { LocalTarget } from '../../harness/target/local/local-target.js';

const HOSTILE = "/tmp/x'; touch pwned; '";

/** Characters a shell gives meaning to, so the property meets them often; any other code point besides. */
const SHELL_SPECIALS = [...'\'"\\$`;&|<>(){}[]*?~!#=% \t\n^'];

/** Strings without NUL (no shell argument holds one), rich in shell metacharacters. */
function wordArb(maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(fc.constantFrom(...SHELL_SPECIALS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
  return fc.string({ unit, maxLength }).filter((s) => !s.includes('\0'));
}

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-shell-quote-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

/** The arguments `sh` hands to `npm` when it runs `command` (npm is a function here that prints them). */
function argvOf(command: string): string[] {
  const out = execFileSync('sh', ['-c', `npm() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${command}`], {
    cwd,
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it.each([
    ['/tmp/abc-123', '/tmp/abc-123'],
    ['eu-west-1', 'eu-west-1'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$(touch pwned)', "'$(touch pwned)'"],
    ['~', "'~'"],
    ['A=1', "'A=1'"],
    [HOSTILE, "'/tmp/x'\\''; touch pwned; '\\'''"],
  ])('quotes %j as %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });

  it('gives back exactly the string through sh, for any string without NUL', () => {
    fc.assert(
      fc.property(wordArb(40), (s) => {
        const printed = execFileSync('sh', ['-c', `printf %s ${shellQuote(s)}`], { cwd, encoding: 'utf8' });
        expect(printed).toBe(s);
      }),
      { numRuns: 150 },
    );
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('keeps every word of a command one argument, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(wordArb(12), { maxLength: 5 }), (words) => {
        expect(argvOf(shellCommand(['npm', ...words]))).toEqual(words);
      }),
      { numRuns: 100 },
    );
  });

  it('an rm -rf line for a hostile log dir removes that path only and runs nothing else', () => {
    const logDir = path.join(cwd, "x'; touch pwned; '");
    fs.mkdirSync(logDir);
    fs.writeFileSync(path.join(logDir, 'stream.ndjson'), '{}\n');
    execFileSync('sh', ['-c', shellCommand(['rm', '-rf', logDir])], { cwd });
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});

describe('printed cleanup commands', () => {
  it('harnessCommand prefixes npm run harness --', () => {
    expect(harnessCommand(['destroy', '--run-id', 'demo'])).toBe('npm run harness -- destroy --run-id demo');
  });

  it("the local target's cleanup command keeps a hostile run id one argument and creates no file", () => {
    const command = new LocalTarget({ logDir: HOSTILE }).cleanupCommand(HOSTILE);
    expect(argvOf(command)).toEqual(['run', 'harness', '--', 'destroy', '--run-id', HOSTILE]);
    expect(fs.existsSync(path.join(cwd, 'pwned'))).toBe(false);
  });

  it("the AWS target's cleanup command quotes the run id and the region", () => {
    const command = awsCleanupCommand('$(touch pwned)', "eu-west-1'; touch pwned; '");
    expect(argvOf(command)).toEqual([
      'run',
      'harness',
      '--',
      'destroy',
      '--run-id',
      '$(touch pwned)',
      '--region',
      "eu-west-1'; touch pwned; '",
    ]);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});
