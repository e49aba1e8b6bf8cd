import { describe, expect, it } from 'vitest';
import {
  awslambdaGlobal,
  bufferedStreamPayload,
  invocationContext,
  isStreamingHandler,
  NOT_JSON_PAYLOAD,
  ResponseStream,
  runtimeInterface,
} from '../../../harness/emulator/runtime-interface.mjs';

// harness/emulator/README.md, "The runtime interface of each runtime".

const ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'fn',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
  AWS_LAMBDA_LOG_STREAM_NAME: 'stream',
};
const INVOKE = {
  deadlineMs: 1_000,
  awsRequestId: 'id-1',
  traceId: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fn',
};

describe('runtimeInterface', () => {
  it('gives nodejs24.x and later the rewritten client, older majors the 3.x client', () => {
    expect(runtimeInterface(24)).toEqual({
      callbackContext: false,
      syncReturnIsResult: true,
      xRayTraceId: true,
      idleRequestId: '-',
      initErrorLabel: 'Init Error',
    });
    expect(runtimeInterface(26).callbackContext).toBe(false);
    expect(runtimeInterface(22)).toEqual({
      callbackContext: true,
      syncReturnIsResult: false,
      xRayTraceId: false,
      idleRequestId: 'undefined',
      initErrorLabel: 'Uncaught Exception',
    });
  });
});

describe('invocationContext', () => {
  it('on nodejs24.x carries xRayTraceId and the remaining time unclamped', () => {
    const context = invocationContext(runtimeInterface(24), INVOKE, ENV);
    expect(context).toMatchObject({
      awsRequestId: 'id-1',
      xRayTraceId: INVOKE.traceId,
      functionName: 'fn',
      memoryLimitInMB: '256',
      logStreamName: 'stream',
    });
    expect('tenantId' in context).toBe(true);
    // The deadline (1 s after the epoch) is long past: both clients return a negative number.
    expect((context.getRemainingTimeInMillis as () => number)()).toBeLessThan(0);
  });

  it('on nodejs22.x extends the callback fields, keeping their accessors', () => {
    let waits = true;
    const fields = {
      get callbackWaitsForEmptyEventLoop() {
        return waits;
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waits = value;
      },
    };
    const context = invocationContext(runtimeInterface(22), INVOKE, ENV, fields);
    expect(context).toBe(fields);
    expect(Object.keys(context)[1]).toBe('functionVersion');
    expect('xRayTraceId' in context).toBe(false);
    context.callbackWaitsForEmptyEventLoop = false;
    expect(waits).toBe(false);
  });
});

describe('the awslambda global', () => {
  it('marks a handler as streaming, with its highWaterMark', () => {
    const handler = async () => {};
    const global = awslambdaGlobal();
    expect(isStreamingHandler(handler)).toBe(false);
    expect(global.streamifyResponse(handler, { highWaterMark: 1024 })).toBe(handler);
    expect(isStreamingHandler(handler)).toBe(true);
    expect(
      (handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark')],
    ).toBe(1024);
  });

  it('HttpResponseStream.from writes the JSON prelude and 8 NUL bytes before the first body byte', async () => {
    const stream = new ResponseStream();
    const wrapped = awslambdaGlobal().HttpResponseStream.from(stream, { statusCode: 201 });
    expect(stream.contentType).toBe('application/vnd.awslambda.http-integration-response');
    wrapped.write('a');
    wrapped.end('b');
    await new Promise((resolve) => stream.once('finish', resolve));
    expect(stream.bytes()).toEqual(
      Buffer.concat([Buffer.from('{"statusCode":201}'), Buffer.alloc(8), Buffer.from('ab')]),
    );
  });
});

describe('bufferedStreamPayload', () => {
  it('passes a streamed JSON document on as one line of JSON', () => {
    expect(bufferedStreamPayload(Buffer.from('{\n "statusCode": 200\n}'), 100)).toBe('{"statusCode":200}');
  });

  it('marks bytes that are not one JSON document (a prelude with its NUL delimiter) as such', () => {
    const prelude = Buffer.concat([Buffer.from('{"statusCode":200}'), Buffer.alloc(8), Buffer.from('body')]);
    expect(bufferedStreamPayload(prelude, 100)).toBe(NOT_JSON_PAYLOAD);
    expect(() => JSON.parse(NOT_JSON_PAYLOAD)).toThrow();
  });

  it('refuses more bytes than a buffered response may hold', () => {
    expect(bufferedStreamPayload(Buffer.from('"12345"'), 7)).toBe('"12345"');
    expect(bufferedStreamPayload(Buffer.from('"123456"'), 7)).toBeUndefined();
  });
});
