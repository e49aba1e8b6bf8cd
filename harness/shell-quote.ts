/**
 * Quoting for commands the harness prints for a user to paste (cleanup hints, the manifest's `cleanupCommand`,
 * the report's destroy line): every word goes through {@link shellQuote}, so a value holding spaces, quotes,
 * `;` or `$(...)` reaches the command as one argument and never runs as shell code.
 */

/** Characters that mean nothing to a POSIX shell in any position of a word (not `=`, which makes a first word an assignment, nor `~`). */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * One word for a POSIX shell (sh, bash, zsh): as is when it holds only safe characters (`/tmp/abc-123`),
 * else wrapped in single quotes with each `'` written as `'\''`. The empty string is `''`.
 *
 * @example
 * shellQuote("/tmp/x'; touch pwned; '") // => '/tmp/x'\''; touch pwned; '\'''
 */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** A command line of `words`, each quoted by {@link shellQuote}, joined by spaces. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/**
 * `npm run harness -- <args>`, quoted: the form of every harness command printed for a user to paste.
 *
 * @example
 * harnessCommand(['destroy', '--run-id', 'demo']) // => npm run harness -- destroy --run-id demo
 */
export function harnessCommand(args: readonly string[]): string {
  return shellCommand(['npm', 'run', 'harness', '--', ...args]);
}
