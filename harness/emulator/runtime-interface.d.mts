// Types for runtime-interface.mjs (plain JavaScript so the worker starts under bare `node`).
import { Writable } from 'node:stream';

export interface RuntimeInterface {
  readonly callbackContext: boolean;
  readonly syncReturnIsResult: boolean;
  readonly xRayTraceId: boolean;
  readonly idleRequestId: '-' | 'undefined';
  readonly initErrorLabel: 'Init Error' | 'Uncaught Exception';
}

export interface InvokeFields {
  readonly deadlineMs: number;
  readonly awsRequestId: string;
  readonly traceId: string;
  readonly invokedFunctionArn: string;
}

export function runtimeInterface(major: number): RuntimeInterface;
export function invocationContext(
  ri: RuntimeInterface,
  invoke: InvokeFields,
  env: Record<string, string | undefined>,
  callbackFields?: object,
): Record<string, unknown>;
export function isStreamingHandler(handler: object): boolean;
export class ResponseStream extends Writable {
  contentType: string;
  setContentType(contentType: string): void;
  bytes(): Buffer;
}
export const HttpResponseStream: {
  from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream;
};
export function awslambdaGlobal(): {
  streamifyResponse<T extends object>(handler: T, options?: { highWaterMark?: number }): T;
  HttpResponseStream: typeof HttpResponseStream;
};
export const NOT_JSON_PAYLOAD: string;
export function bufferedStreamPayload(bytes: Buffer, maxBytes: number): string | undefined;
