// The function's code directory is read-only, as /var/task is on Lambda: every node:fs call that would create,
// change or remove something under LAMBDA_TASK_ROOT fails the way a read-only file system fails it (EROFS,
// errno -30), thrown by the sync API, passed to the callback, or rejected by the promise API.
//
// The worker runs as whatever user started the emulator (root, on CI), so permissions cannot do it, and
// Node's permission model is an allow-list with its own error (ERR_ACCESS_DENIED) that would also need
// flags for workers and child processes. What this guard does not see (README, "Memory, /tmp, read-only
// code"): child processes, native addons, internal bindings, and a path that reaches the code directory
// through a symlink from outside it (paths are compared after path.resolve, not realpath).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, W_OK } = fs.constants;
const WRITE_FLAGS = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
const EROFS_ERRNO = -30;

/** A path argument as a string, or undefined for a file descriptor or anything else. */
function pathOf(value) {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  if (value instanceof URL) return value.protocol === 'file:' ? fileURLToPath(value) : undefined;
  return undefined;
}

function opensForWriting(flags) {
  if (typeof flags === 'number') return (flags & WRITE_FLAGS) !== 0;
  // Anything else (no flags, a callback in their place) opens for reading.
  return typeof flags === 'string' && /[wa+]/.test(flags);
}

/** The error node raises for a write on a read-only file system, e.g. `EROFS: read-only file system, open '<path>'`. */
function erofs(syscall, target, dest) {
  const where = dest === undefined ? `'${target}'` : `'${target}' -> '${dest}'`;
  const error = new Error(`EROFS: read-only file system, ${syscall} ${where}`);
  error.errno = EROFS_ERRNO;
  error.code = 'EROFS';
  error.syscall = syscall;
  error.path = target;
  if (dest !== undefined) error.dest = dest;
  return error;
}

/**
 * Installs the guard on node:fs and node:fs/promises for `root` (call `syncBuiltinESMExports()` afterwards
 * so named ESM imports see it too).
 */
export function guardReadOnly(root) {
  if (!root) return;
  const base = path.resolve(root);
  const inside = (value) => {
    const p = pathOf(value);
    if (p === undefined) return false;
    const abs = path.resolve(p);
    return abs === base || abs.startsWith(base + path.sep);
  };

  // Each entry: the syscall node names in its error, and which call is refused given its arguments.
  const sourceAndDest = (syscall) => (args) =>
    inside(args[0]) || inside(args[1]) ? erofs(syscall, pathOf(args[0]), pathOf(args[1])) : undefined;
  const dest = (syscall) => (args) => (inside(args[1]) ? erofs(syscall, pathOf(args[0]), pathOf(args[1])) : undefined);
  const first = (syscall) => (args) => (inside(args[0]) ? erofs(syscall, pathOf(args[0])) : undefined);
  const rules = {
    open: (args) => (opensForWriting(args[1]) && inside(args[0]) ? erofs('open', pathOf(args[0])) : undefined),
    writeFile: first('open'),
    appendFile: first('open'),
    truncate: first('open'),
    mkdir: first('mkdir'),
    mkdtemp: first('mkdtemp'),
    rm: first('rm'),
    rmdir: first('rmdir'),
    unlink: first('unlink'),
    chmod: first('chmod'),
    lchmod: first('lchmod'),
    chown: first('chown'),
    lchown: first('lchown'),
    utimes: first('utime'),
    lutimes: first('lutime'),
    rename: sourceAndDest('rename'),
    copyFile: dest('copyfile'),
    cp: dest('cp'),
    symlink: dest('symlink'),
    link: dest('link'),
    // access(path, W_OK) reports the read-only file system too.
    access: (args) =>
      typeof args[1] === 'number' && (args[1] & W_OK) !== 0 && inside(args[0])
        ? erofs('access', pathOf(args[0]))
        : undefined,
  };

  for (const [name, refuse] of Object.entries(rules)) {
    const sync = fs[`${name}Sync`];
    if (typeof sync === 'function') {
      fs[`${name}Sync`] = function guardedSync(...args) {
        const error = refuse(args);
        if (error) throw error;
        return sync.apply(this, args);
      };
    }
    const callbackStyle = fs[name];
    if (typeof callbackStyle === 'function') {
      fs[name] = function guarded(...args) {
        const callback = args[args.length - 1];
        const error = typeof callback === 'function' ? refuse(args) : undefined;
        if (error) return process.nextTick(callback, error);
        return callbackStyle.apply(this, args);
      };
    }
    const promised = fs.promises[name];
    if (typeof promised === 'function') {
      fs.promises[name] = function guardedPromise(...args) {
        const error = refuse(args);
        if (error) return Promise.reject(error);
        return promised.apply(this, args);
      };
    }
  }

  // A write stream opens its file through the `fs` it is given: one whose open fails, as the real one would.
  const createWriteStream = fs.createWriteStream;
  fs.createWriteStream = function guardedCreateWriteStream(file, options) {
    if (!inside(file)) return createWriteStream.call(this, file, options);
    const opts = typeof options === 'string' ? { encoding: options } : { ...options };
    opts.fs = {
      open: (p, _flags, _mode, callback) => process.nextTick(callback, erofs('open', pathOf(p))),
      write: fs.write,
      writev: fs.writev,
      close: fs.close,
    };
    return createWriteStream.call(this, file, opts);
  };
}
