/**
 * Errors the stack code throws on purpose. Codes are PascalCase and stable; messages are lowercase,
 * quote the wrong value and say what to change. `stack/` imports nothing of `harness/`, so the
 * harness maps these to its own usage errors (exit code 2).
 */
import { quote } from '../handler/errors.js';
import type { ContextKey } from './config.js';

/** A context value that cannot be used; `key` and `value` say which, the message says what is allowed. */
export class StackConfigError extends Error {
  readonly code = 'InvalidStackContext';

  constructor(
    readonly key: ContextKey,
    readonly value: unknown,
    allowed: string,
  ) {
    // The whole value: context is the operator's own input, not a client's, and may be long (a creator name).
    super(`context '${key}' is ${quote(value, Number.POSITIVE_INFINITY)}: ${allowed} (set it with -c ${key}=<value>)`);
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
