'use strict';
// Bundled in place of node:assert (stack/random-data-stack.ts, HANDLER_BUNDLING): sonic-boom calls it once,
// when a destination closes, and loading node:assert at cold start also builds process.stderr.
module.exports = function assert(value, message) {
  if (!value) throw new Error(message ?? 'assertion failed');
};
