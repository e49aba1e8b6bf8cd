// What the Node.js runtime interface client (RIC) of each Lambda runtime gives a function: the context object,
// the `awslambda` global, the request id of lines logged outside an invocation, and what a streaming handler
// returns through a buffered Invoke. Plain JavaScript, loaded by runtime-worker.mjs under bare `node` 20/22/24.
// Facts and sources: README, "The runtime interface of each runtime".
import { Writable } from 'node:stream';

/**
 * How the RIC of a Node.js major behaves. nodejs24.x runs the rewritten client; nodejs22.x and older run
 * aws-lambda-ric 3.x with its callback-era context.
 */
export function runtimeInterface(major) {
  const rewritten = major >= 24;
  return {
    /** 3.x builds the context on the callback object: callbackWaitsForEmptyEventLoop, succeed, fail, done. */
    callbackContext: !rewritten,
    /** 3.x ignores what a non-promise handler returns; the rewritten client awaits it and answers with it. */
    syncReturnIsResult: rewritten,
    /** The rewritten client's context carries the invocation's trace header as `xRayTraceId`. */
    xRayTraceId: rewritten,
    /** Request id of a console line outside any invocation: 3.x prints `undefined`, the new client `-`. */
    idleRequestId: rewritten ? '-' : 'undefined',
    /** How a handler that cannot load is logged: the new client says `Init Error`. */
    initErrorLabel: rewritten ? 'Init Error' : 'Uncaught Exception',
  };
}

/**
 * The context one invocation's handler receives, fields in the order the RIC assigns them.
 * `callbackFields` is the 3.x callback object (getter/setter and succeed/fail/done), used as the base there.
 */
export function invocationContext(ri, invoke, env, callbackFields) {
  const deadlineMs = invoke.deadlineMs;
  const header = {
    clientContext: undefined,
    identity: undefined,
    invokedFunctionArn: invoke.invokedFunctionArn,
    awsRequestId: invoke.awsRequestId,
    tenantId: undefined,
  };
  if (ri.xRayTraceId) header.xRayTraceId = invoke.traceId;
  // Not clamped at 0, as in both clients.
  header.getRemainingTimeInMillis = () => deadlineMs - Date.now();
  const environment = {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
  if (ri.callbackContext) return Object.assign(callbackFields, environment, header);
  return Object.assign(header, {
    functionName: environment.functionName,
    functionVersion: environment.functionVersion,
    memoryLimitInMB: environment.memoryLimitInMB,
    logGroupName: environment.logGroupName,
    logStreamName: environment.logStreamName,
  });
}

// The marks `awslambda.streamifyResponse` puts on a handler (the same Symbol.for keys as the RIC).
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER_BYTES = 8;

/** True when the handler was wrapped by `awslambda.streamifyResponse`. */
export function isStreamingHandler(handler) {
  return handler[HANDLER_STREAMING] === STREAM_RESPONSE;
}

/** The response stream a streaming handler writes to; here it only collects the bytes. */
export class ResponseStream extends Writable {
  constructor(options) {
    super(options);
    this.chunks = [];
    this.contentType = 'application/octet-stream';
    this.onBeforeFirstWrite = undefined;
  }

  setContentType(contentType) {
    this.contentType = contentType;
  }

  _write(chunk, encoding, callback) {
    if (this.onBeforeFirstWrite) {
      const hook = this.onBeforeFirstWrite;
      this.onBeforeFirstWrite = undefined;
      hook((data) => this.chunks.push(Buffer.from(data)));
    }
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
    callback();
  }

  /** Everything written, prelude included. */
  bytes() {
    return Buffer.concat(this.chunks);
  }
}

/** `awslambda.HttpResponseStream`: a JSON prelude and 8 NUL bytes before the first body byte. */
export const HttpResponseStream = {
  from(stream, prelude) {
    stream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream.onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return stream;
  },
};

/** The `awslambda` global both clients define before loading the handler. */
export function awslambdaGlobal() {
  return {
    streamifyResponse(handler, options) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HANDLER_HIGHWATERMARK] = Number.parseInt(String(options.highWaterMark), 10);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

// Stands for streamed bytes that are not one JSON document: the emulator's gateway parses the payload as
// JSON, so this (not JSON) gets the malformed-response 502 that the bytes themselves would get.
export const NOT_JSON_PAYLOAD = 'streamed bytes that are not a JSON document';

/**
 * What a buffered Invoke returns for a streaming handler: the streamed bytes are the payload, as the JSON
 * text the worker's result frame carries (one line); `undefined` when they pass `maxBytes`.
 */
export function bufferedStreamPayload(bytes, maxBytes) {
  if (bytes.length > maxBytes) return undefined;
  try {
    return JSON.stringify(JSON.parse(bytes.toString('utf8')));
  } catch {
    return NOT_JSON_PAYLOAD;
  }
}
