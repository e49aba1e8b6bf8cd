/**
 * Errors the stack code throws on purpose. Codes are PascalCase and stable; messages are lowercase,
 * quote the wrong value and say what to change. `stack/` imports nothing of `harness/`, so the
 * harness maps these to its own usage errors (exit code 2).
 */
import type { ContextKey } from './config.js';

/** A context value that cannot be used; `key` and `value` say which, the message says what is allowed. */
export class StackConfigError extends Error {
  readonly code = 'InvalidStackContext';

  constructor(
    readonly key: ContextKey,
    readonly value: unknown,
    allowed: string,
  ) {
    super(`context '${key}' is ${quote(value)}: ${allowed} (set it with -c ${key}=<value>)`);
    this.name = 'StackConfigError';
  }
}

/** An entry of `savedQueries` (stack/log-queries.ts) that cannot become an `AWS::Logs::QueryDefinition`. */
export class SavedQueryError extends Error {
  readonly code = 'InvalidSavedQuery';

  constructor(
    readonly queryName: string,
    message: string,
  ) {
    super(message);
    this.name = 'SavedQueryError';
  }
}

function quote(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return `'${JSON.stringify(value)}'`;
  } catch {
    return `'${String(value)}'`;
  }
}
