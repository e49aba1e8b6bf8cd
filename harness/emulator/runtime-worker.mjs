// One Lambda execution environment: loads the function's handler and runs one invocation at a time.
// Plain JavaScript so it starts under bare `node` (no TypeScript loader on the cold-start path).
//
// Protocol (see execution-environment.ts, the parent side):
//   stdin (read with a blocking read between invocations: the environment is frozen then, as on Lambda),
//   one line per invocation:  <deadlineEpochMs>\t<awsRequestId>\t<traceHeader>\t<functionArn>\t<eventJson>
//   stdout (fd 1, also fd 2): the function's own log lines, raw, plus control frames that start with
//   "\n\0" so they can never merge with a partial log line:
//     \n\0I<maxRssKb>\n                                    init finished, ready for the first invocation
//     \n\0L<json string>\n                                 one console record that contains newlines
//     \n\0R<durationMs>\t<maxRssKb>\t<0|1>\t<ok|err>\t<json>\n  invocation result, written after every log line of it;
//                                                        1 when the function may have started processes (below)
// Because log lines and the result share one pipe, the parent has every line of invocation N before N's result.
// A line of the function's own output that starts with NUL would read as a frame: it travels as an L frame
// instead, so nothing the function writes through fd 1/2 can forge or break a frame.
//
// Everything the function writes to fd 1 or 2 (fs.writeSync/fs.write on those fds, process.stdout/stderr,
// console) is collected in order and written with the next result frame, or at the end of the current
// event-loop turn, whichever comes first: one write (and one wake-up of the emulator) per invocation
// instead of one per line. Lines are flushed on process exit too; only a function that blocks its event
// loop until it is killed (a timeout) loses the lines it wrote during that turn.
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { Worker } from 'node:worker_threads';
import { guardReadOnly } from './read-only-guard.mjs';
import {
  awslambdaGlobal,
  bufferedStreamPayload,
  invocationContext,
  isStreamingHandler,
  ResponseStream,
  runtimeInterface,
} from './runtime-interface.mjs';

const env = process.env;
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

// --- the watchdog, first of all ---------------------------------------------------------------------------
// If the emulator dies (SIGKILL included) while this thread is blocked (a module init that never returns, a
// handler in a synchronous loop) or busy awaiting a long timer, nothing on this thread would notice. A second
// thread checks every 250 ms that the emulator (its pid is our last argument) is still our parent, and kills
// our process group otherwise (the function's own children too), so no environment outlives the emulator by
// more than a fraction of a second. Started before the handler loads: init is a window too.
const emulatorPid = Number(process.argv[2]) || process.ppid;
// The function sees the argv of a plain `node <worker>`.
process.argv.splice(2, 1);
// The environment's private /tmp goes too (nobody else will remove it); only a directory the emulator made
// (execution-environment.ts ENVIRONMENT_TMP_PREFIX), never a TMPDIR someone else set.
const ownTmpDir = path.basename(env.TMPDIR ?? '').startsWith('rda-lambda-tmp-') ? env.TMPDIR : undefined;
const watchdog = new Worker(
  `const { workerData } = require('node:worker_threads');
   const check = () => {
     if (process.ppid === workerData.parent) return;
     if (workerData.tmpDir) try { require('node:fs').rmSync(workerData.tmpDir, { recursive: true, force: true }); } catch {}
     try { process.kill(-workerData.self, 'SIGKILL'); } catch {}
     process.kill(workerData.self, 'SIGKILL');
   };
   check();
   setInterval(check, 250);`,
  {
    eval: true,
    workerData: { parent: emulatorPid, self: process.pid, tmpDir: ownTmpDir },
    stdout: true,
    stderr: true,
  },
);
watchdog.unref();
// An idle environment whose emulator died exits when its stdin closes: its /tmp goes with it too.
if (ownTmpDir) {
  process.on('exit', () => {
    try {
      fs.rmSync(ownTmpDir, { recursive: true, force: true });
    } catch {
      // The emulator's shutdown check reports a directory left behind.
    }
  });
}
// --- whether the function may have started processes -----------------------------------------------------
// The emulator counts the memory of the processes the worker started at the end of each invocation, a
// /proc read that is a good share of its CPU per request; it is needed only once a process may exist. Node
// starts one only through the process_wrap binding (child_process's spawn, exec, execFile, fork; spawnSync's
// children have ended when it returns) or from native code, so: process_wrap loaded on this thread, or any
// native addon loaded, and the answer is yes from then on.
let mayHaveChildren = false;
let loadListChecked = 0;
const realDlopen = process.dlopen;
process.dlopen = function dlopen(...args) {
  mayHaveChildren = true;
  return realDlopen.apply(this, args);
};

/** True once the function may have started a process (sticky); the load list only grows, so a check is O(1). */
function mayHaveChildProcesses() {
  if (mayHaveChildren) return true;
  const loaded = process.moduleLoadList;
  if (!Array.isArray(loaded)) return (mayHaveChildren = true);
  for (; loadListChecked < loaded.length; loadListChecked++) {
    if (loaded[loadListChecked] === 'Internal Binding process_wrap') return (mayHaveChildren = true);
  }
  return false;
}

const realWriteSync = fs.writeSync;
const realWrite = fs.write;

/** Writes all of `data` to fd 1, retrying partial writes. */
function writeAll(data) {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  let written = 0;
  while (written < buffer.length) {
    try {
      written += realWriteSync(1, buffer, written);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      // The emulator drains the pipe continuously; 1 ms is enough for it to make room.
      Atomics.wait(SLEEP, 0, 0, 1);
    }
  }
}

let chunks = [];
let onlyStrings = true;
let flushQueued = false;
// Whether the next byte written to fd 1 starts a line (where a NUL would start a frame).
let atLineStart = true;

/** Queues output of the worker's own making (frames, console records) for the next write. */
function emit(chunk) {
  chunks.push(chunk);
  if (chunk.length > 0) {
    atLineStart =
      typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) === 10 : chunk[chunk.length - 1] === 10;
  }
  if (typeof chunk !== 'string') onlyStrings = false;
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flushOutput);
  }
}

/** Queues bytes the function wrote itself, with any line that would read as a frame made an L frame. */
function emitRaw(chunk) {
  if (typeof chunk === 'string') {
    if (chunk.indexOf('\0') !== -1) chunk = escapeFrames(chunk);
  } else if (chunk.indexOf(0) !== -1) {
    chunk = escapeFrames(chunk.toString('utf8'));
  }
  emit(chunk);
}

/** Rewrites each line of `text` that starts with NUL as `\0L<json>\n`, logged by the emulator as the same text. */
function escapeFrames(text) {
  let out = '';
  let lineStart = atLineStart;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline + 1;
    if (lineStart && text.charCodeAt(start) === 0) {
      // An unfinished line is sent as it is now; what follows it starts a line of its own.
      out += `\0L${JSON.stringify(text.slice(start, newline === -1 ? end : newline))}\n`;
      lineStart = true;
    } else {
      out += text.slice(start, end);
      lineStart = newline !== -1;
    }
    start = end;
  }
  return out;
}

/** Writes what was collected, followed by `frame` when given, in one write. */
function flushOutput(frame) {
  flushQueued = false;
  if (chunks.length === 0) {
    if (typeof frame === 'string') writeAll(frame);
    return;
  }
  const pending = chunks;
  chunks = [];
  if (typeof frame === 'string') {
    pending.push(frame);
    atLineStart = true;
  }
  const data = onlyStrings
    ? pending.join('')
    : Buffer.concat(pending.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  onlyStrings = true;
  writeAll(data);
}
process.on('exit', () => flushOutput());

function copyBytes(view, offset = 0, length = view.byteLength - offset) {
  return Buffer.from(new Uint8Array(view.buffer, view.byteOffset + offset, length));
}

/** Turns fs.write(Sync) arguments for fd 1/2 into collected bytes; returns the byte count. */
function collect(data, a, b) {
  if (typeof data === 'string') {
    const encoding = typeof b === 'string' ? b : typeof a === 'string' ? a : 'utf8';
    if (encoding === 'utf8' || encoding === 'utf-8') {
      emitRaw(data);
      return Buffer.byteLength(data);
    }
    const bytes = Buffer.from(data, encoding);
    emitRaw(bytes);
    return bytes.length;
  }
  const options = typeof a === 'object' && a !== null ? a : { offset: a, length: b };
  const bytes = copyBytes(data, options.offset ?? 0, options.length ?? data.byteLength - (options.offset ?? 0));
  emitRaw(bytes);
  return bytes.length;
}

fs.writeSync = function writeSync(fd, data, a, b, c) {
  if (fd === 1 || fd === 2) return collect(data, a, b);
  return realWriteSync.call(fs, fd, data, a, b, c);
};
fs.write = function write(fd, data, ...rest) {
  if (fd !== 1 && fd !== 2) return realWrite.call(fs, fd, data, ...rest);
  const callback = rest.pop();
  const written = collect(data, rest[0], rest[1]);
  process.nextTick(callback, null, written, data);
};
// The code directory is read-only, as /var/task is on Lambda (read-only-guard.mjs).
guardReadOnly(env.LAMBDA_TASK_ROOT);
// So that `import { writeSync } from 'node:fs'` sees the collecting (and guarded) versions too.
syncBuiltinESMExports();

// process.stdout and process.stderr become writers into the same collection (fd 2 shares fd 1's pipe).
for (const [name, fd] of [
  ['stdout', 1],
  ['stderr', 2],
]) {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, encoding, callback) {
      emitRaw(typeof chunk === 'string' && encoding !== 'utf8' ? Buffer.from(chunk, encoding) : chunk);
      callback();
    },
  });
  Object.assign(stream, { fd, isTTY: false, _type: 'pipe' });
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
}

// --- console, as the Node.js runtime patches it in text format (docs/aws-behaviour.md#console-lines) ---------------------
const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
const minLevel = LEVELS[(env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()] ?? 0;
// The runtime interface client of this runtime (nodejs24.x or older), from AWS_EXECUTION_ENV.
const RUNTIME_MAJOR = Number(/nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1] ?? '0');
const RI = runtimeInterface(RUNTIME_MAJOR);
let currentRequestId = RI.idleRequestId;

function logRecord(level, message, params) {
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(message, ...params)}`;
  // One console call is one CloudWatch event, embedded newlines included.
  emit(line.includes('\n') ? `\n\0L${JSON.stringify(line)}\n` : `${line}\n`);
}

function consoleMethod(level) {
  if (LEVELS[level] < minLevel) return () => {};
  return (message, ...params) => logRecord(level, message, params);
}
console.trace = consoleMethod('TRACE');
console.debug = consoleMethod('DEBUG');
console.info = consoleMethod('INFO');
console.warn = consoleMethod('WARN');
console.error = consoleMethod('ERROR');
console.fatal = consoleMethod('FATAL');
console.log = console.info;

/** `\t{"errorType",...,"stack":[...]}`, the runtime's error rendering (docs/aws-behaviour.md#console-lines). */
function formatted(error) {
  try {
    return `\t${JSON.stringify(error, (_key, value) => withEnumerableProperties(value))}`;
  } catch {
    return `\t${JSON.stringify(errorPayload(error))}`;
  }
}

function withEnumerableProperties(value) {
  if (!(value instanceof Error)) return value;
  const copy = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
  if (typeof value.stack === 'string') copy.stack = value.stack.split('\n');
  return copy;
}

/** The function-error payload an invoker receives: errorType, errorMessage, trace. */
function errorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function namedError(name, message, cause) {
  const error = new Error(message);
  error.name = name;
  if (cause?.stack) error.stack = `${name}: ${message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  return error;
}

process.on('uncaughtException', (error) => {
  console.error('Uncaught Exception', formatted(error));
  process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  const error = namedError(
    'Runtime.UnhandledPromiseRejection',
    String(reason),
    reason instanceof Error ? reason : undefined,
  );
  error.reason = reason;
  error.promise = {};
  console.error('Unhandled Promise Rejection', formatted(error));
  process.exit(128);
});

// --- loading the handler, as the runtime resolves `_HANDLER` inside LAMBDA_TASK_ROOT ----------------------
async function loadHandler() {
  // Both clients define the `awslambda` global before the handler module loads, unless told not to.
  const noGlobal = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (noGlobal !== '1' && noGlobal !== 'true') globalThis.awslambda = awslambdaGlobal();
  const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const handlerString = env._HANDLER ?? '';
  const slash = handlerString.lastIndexOf('/');
  const base = handlerString.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) {
    throw namedError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  }
  const moduleName = handlerString.slice(0, slash + 1) + base.slice(0, dot);
  const exportPath = base.slice(dot + 1).split('.');
  const modulePath = ['.js', '.mjs', '.cjs']
    .map((ext) => path.resolve(taskRoot, moduleName + ext))
    .find((candidate) => fs.existsSync(candidate));
  if (!modulePath) {
    throw namedError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  }
  let loaded;
  try {
    loaded = await importModule(modulePath);
  } catch (error) {
    // As the runtime does: syntax errors and missing modules get its own error types, anything the
    // module's own code threw is reported as it is.
    if (error instanceof SyntaxError) throw namedError('Runtime.UserCodeSyntaxError', String(error), error);
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') {
      throw namedError('Runtime.ImportModuleError', String(error), error);
    }
    throw error;
  }
  let handler = loaded;
  for (const key of exportPath) handler = handler?.[key];
  if (handler === undefined) {
    throw namedError('Runtime.HandlerNotFound', `${moduleName}.${exportPath.join('.')} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw namedError('Runtime.HandlerNotFound', `${moduleName}.${exportPath.join('.')} is not a function`);
  }
  if (handler.length >= 3 && !RI.callbackContext && !isStreamingHandler(handler)) {
    // The nodejs24.x runtime refuses callback-style handlers at init; a streaming handler takes 3 arguments too.
    throw namedError(
      'Runtime.CallbackHandlerDeprecated',
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
  }
  return handler;
}

async function importModule(modulePath) {
  if (modulePath.endsWith('.mjs')) return import(pathToFileURL(modulePath).href);
  const require = createRequire(modulePath);
  try {
    return require(modulePath);
  } catch (error) {
    if (error?.code !== 'ERR_REQUIRE_ESM') throw error;
    return import(pathToFileURL(modulePath).href);
  }
}

// --- invocations -----------------------------------------------------------------------------------------
// One at a time. Between invocations the environment is frozen, as Lambda freezes it: the main thread
// blocks in a read of stdin, so timers and callbacks left over from one invocation run during the next.
// While an invocation runs nothing of ours keeps the event loop alive, so when the loop runs dry the
// runtime's rules apply (`beforeExit`): an async handler that never settled fails with
// Runtime.NodeJsExit, a callback handler that never called back succeeds with null.
// Lambda's synchronous response limit: 6 MB, in fact 6 MiB + 100 bytes of serialized payload (README,
// "Bad function output"). Larger results fail the invocation with Function.ResponseSizeTooLarge.
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
const RESPONSE_TOO_LARGE = JSON.stringify({
  errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
  errorType: 'Function.ResponseSizeTooLarge',
});

let handler;
let current;
const frameBuffer = Buffer.allocUnsafe(64 * 1024);
const decoder = new StringDecoder('utf8');
let carry = '';

// The function must not read our stdin (it carries the invocations) nor make it non-blocking.
const noInput = new Readable({ read() {} });
noInput.push(null);
Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => noInput });

/** Blocks until the emulator sends the next invocation; exits when it closes stdin. */
function nextFrame() {
  for (;;) {
    const newline = carry.indexOf('\n');
    if (newline !== -1) {
      const frame = carry.slice(0, newline);
      carry = carry.slice(newline + 1);
      return frame;
    }
    let read;
    try {
      read = fs.readSync(0, frameBuffer, 0, frameBuffer.length, null);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      Atomics.wait(SLEEP, 0, 0, 1);
      continue;
    }
    // The emulator closed our stdin: it is shutting this environment down (or it died).
    if (read === 0) process.exit(0);
    carry += decoder.write(frameBuffer.subarray(0, read));
  }
}

function serveNext() {
  flushOutput();
  invoke(nextFrame());
}

process.on('beforeExit', () => {
  const invocation = current;
  if (!invocation) return;
  if (invocation.callbackResult) return invocation.finish(...invocation.callbackResult);
  // A streaming handler settled without ending its stream, and nothing is left that could end it.
  if (invocation.unfinishedStream) return invocation.finish(false, new Error('Response stream is not finished.'));
  if (invocation.isAsync) {
    const error = namedError('Runtime.NodeJsExit', 'Promise that was never settled');
    console.error('Invoke Error', formatted(error));
    return invocation.finish(false, error, true);
  }
  // 3.x: a handler that neither returned a promise nor called back answers null once the loop is empty.
  invocation.finish(true, null);
});

/** 3.x's callback and the context fields built on it; only the first of callback/succeed/fail/done counts. */
function callbackApi(invocation) {
  let waitForEmptyEventLoop = true;
  let called = false;
  const once =
    (fn) =>
    (...args) => {
      if (called) return;
      called = true;
      fn(...args);
    };
  const done = (error, value) => {
    invocation.callbackResult = undefined;
    if (error !== undefined && error !== null) invocation.finish(false, error);
    else invocation.finish(true, value);
  };
  const callback = once((error, value) => {
    if (error !== undefined && error !== null) return invocation.finish(false, error);
    // With callbackWaitsForEmptyEventLoop the answer waits until the loop is empty.
    if (waitForEmptyEventLoop) invocation.callbackResult = [true, value];
    else invocation.finish(true, value);
  });
  const fields = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((value) => done(null, value)),
    fail: once((error) => done(error === undefined || error === null ? 'handled' : error)),
    done: once(done),
  };
  return { callback, fields };
}

/** 3.x gives a streaming handler the wait flag only (no succeed/fail/done). */
function waitFlagFields() {
  let waitForEmptyEventLoop = true;
  return {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
  };
}

function isPromise(value) {
  return typeof value === 'object' && value !== null && typeof value.then === 'function';
}

function invoke(frame) {
  const t1 = frame.indexOf('\t');
  const t2 = frame.indexOf('\t', t1 + 1);
  const t3 = frame.indexOf('\t', t2 + 1);
  const t4 = frame.indexOf('\t', t3 + 1);
  const deadlineMs = Number(frame.slice(0, t1));
  const awsRequestId = frame.slice(t1 + 1, t2);
  const traceId = frame.slice(t2 + 1, t3);
  env._X_AMZN_TRACE_ID = traceId;
  currentRequestId = awsRequestId;
  const invoke = { deadlineMs, awsRequestId, traceId, invokedFunctionArn: frame.slice(t3 + 1, t4) };
  const started = performance.now();
  const invocation = {
    done: false,
    isAsync: false,
    callbackResult: undefined,
    unfinishedStream: undefined,
    /** `streamed`: the bytes a streaming handler wrote, which a buffered Invoke returns as they are. */
    finish(ok, value, logged = false, streamed = undefined) {
      if (invocation.done) return;
      invocation.done = true;
      current = undefined;
      const durationMs = performance.now() - started;
      let kind = 'ok';
      let payload;
      if (streamed) {
        payload = bufferedStreamPayload(streamed, MAX_RESPONSE_BYTES);
        if (payload === undefined) {
          kind = 'err';
          payload = RESPONSE_TOO_LARGE;
        }
      } else if (ok) {
        try {
          payload = JSON.stringify(value === undefined ? null : value);
        } catch (error) {
          kind = 'err';
          payload = JSON.stringify(
            errorPayload(namedError('Runtime.JSONStringifyError', 'Unable to stringify response body', error)),
          );
        }
      } else {
        kind = 'err';
        if (!logged) console.error('Invoke Error', formatted(value));
        payload = JSON.stringify(errorPayload(value));
      }
      // A UTF-16 unit is at most 3 UTF-8 bytes: only a long payload needs counting.
      if (payload.length * 3 > MAX_RESPONSE_BYTES && Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
        kind = 'err';
        payload = RESPONSE_TOO_LARGE;
      }
      const children = mayHaveChildProcesses() ? 1 : 0;
      flushOutput(`\n\0R${durationMs}\t${process.resourceUsage().maxRSS}\t${children}\t${kind}\t${payload}\n`);
      // The new client drops the request id once the result is posted; 3.x keeps the last one.
      if (!RI.callbackContext) currentRequestId = RI.idleRequestId;
      setImmediate(serveNext);
    },
  };
  current = invocation;
  const event = JSON.parse(frame.slice(t4 + 1));
  if (isStreamingHandler(handler)) return invokeStreaming(invocation, event, invoke);
  const api = RI.callbackContext ? callbackApi(invocation) : undefined;
  const context = invocationContext(RI, invoke, env, api?.fields);
  let returned;
  try {
    // The new client calls the handler with (event, context) only.
    returned = api ? handler(event, context, api.callback) : handler(event, context);
  } catch (error) {
    invocation.finish(false, error);
    return;
  }
  if (isPromise(returned)) {
    invocation.isAsync = true;
    if (api) returned.then(context.succeed, context.fail);
    else
      returned.then(
        (value) => invocation.finish(true, value),
        (error) => invocation.finish(false, error),
      );
  } else if (RI.syncReturnIsResult) {
    invocation.finish(true, returned);
  }
  // 3.x ignores a non-promise return value: the callback, or the empty loop (null), answers.
}

/** A handler wrapped by `awslambda.streamifyResponse`: (event, responseStream, context), as both clients call it. */
function invokeStreaming(invocation, event, invoke) {
  const context = invocationContext(RI, invoke, env, RI.callbackContext ? waitFlagFields() : undefined);
  const stream = new ResponseStream();
  let returned;
  try {
    returned = handler(event, stream, context);
  } catch (error) {
    invocation.finish(false, error);
    return;
  }
  if (!isPromise(returned)) {
    invocation.finish(false, new Error('Streaming does not support non-async handlers.'));
    return;
  }
  invocation.isAsync = true;
  returned.then(
    (value) => {
      if (value !== undefined) console.warn('Streaming handlers ignore return values.');
      const answer = () => invocation.finish(true, undefined, false, stream.bytes());
      if (stream.writableFinished) return answer();
      invocation.unfinishedStream = stream;
      stream.once('finish', answer);
    },
    (error) => invocation.finish(false, error),
  );
}

try {
  handler = await loadHandler();
} catch (error) {
  console.error(RI.initErrorLabel, formatted(error));
  process.exit(129);
}
flushOutput(`\n\0I${process.resourceUsage().maxRSS}\n`);
setImmediate(serveNext);
