'use strict';
// Bundled in place of thread-stream (stack/random-data-stack.ts, HANDLER_BUNDLING): pino requires it at
// load for worker-thread transports, which the handler never uses (it writes to fd 1 synchronously).
module.exports = class ThreadStream {
  constructor() {
    throw new Error('pino transports are not bundled into the handler; log to a destination stream instead');
  }
};
