'use strict';
// Bundled in place of node:worker_threads (stack/random-data-stack.ts, HANDLER_BUNDLING): pino reads only
// `isMainThread`, and only for asynchronous destinations; the handler runs on a Lambda main thread.
module.exports = { isMainThread: true };
