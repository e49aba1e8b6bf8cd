/**
 * Client errors of the random-data API. Each maps to one HTTP status and one JSON body
 * `{"error":{"code","message","param"?}}`; anything that is not an `HttpError` becomes a generic 500.
 */

/** PascalCase codes a client can see in `error.code`. */
export type ErrorCode =
  | 'InvalidParameter'
  | 'UnknownType'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError';

/** The statuses a client can get; 500 only ever comes from a bug, with a generic body. */
export type ErrorStatus = 400 | 404 | 405 | 413 | 415 | 500;

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly param?: string };
}

/** An error whose message is safe to show the client (middy's `expose` rule: only 4xx are exposed). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: ErrorStatus,
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    /** Extra response headers, e.g. `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toJSON(): ErrorBody {
    return this.param === undefined
      ? { error: { code: this.code, message: this.message } }
      : { error: { code: this.code, message: this.message, param: this.param } };
  }
}

/** 400: a parameter is missing, malformed or out of range; `param` names it (POST: `fields.age.max`). */
export function invalidParameter(param: string, message: string): HttpError {
  return new HttpError(400, 'InvalidParameter', message, param);
}

/** The body every unexpected failure gets: it says nothing about the failure (the log has the stack). */
export const INTERNAL_ERROR_BODY: ErrorBody = {
  error: { code: 'InternalError', message: 'internal error' },
};

/** Longest slice of a client's value quoted back in a message, so no error body grows with the input. */
const QUOTE_MAX_CHARS = 40;

/**
 * Quotes a value for an error message, the one quoting of the repository (the stack's context errors use
 * it too): in single quotes, JSON-escaped so a quote or a newline in the value cannot end or break the
 * message, cut to `maxChars` (40 by default, so no error body grows with a client's input).
 */
export function quote(value: unknown, maxChars: number = QUOTE_MAX_CHARS): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = typeof value;
    }
  }
  if (text.length > maxChars) text = `${text.slice(0, maxChars)}…`;
  return `'${JSON.stringify(text).slice(1, -1)}'`;
}
