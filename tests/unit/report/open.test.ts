import type { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openerFor, openReport } from '../../../harness/report/open.js';

/** A spawn that records its call and then emits `spawn` (or the given error) like a child process. */
function fakeSpawn(error?: Error) {
  const calls: { command: string; args: readonly string[]; unref: boolean }[] = [];
  const fake = ((command: string, args: readonly string[]) => {
    const child = new EventEmitter() as EventEmitter & { unref(): void };
    const call = { command, args, unref: false };
    calls.push(call);
    child.unref = () => {
      call.unref = true;
    };
    queueMicrotask(() => (error ? child.emit('error', error) : child.emit('spawn')));
    return child;
  }) as unknown as typeof spawn;
  return { fake, calls };
}

describe('openerFor', () => {
  it('uses the desktop opener of each platform', () => {
    expect(openerFor('/r/a.html', 'darwin', {})).toEqual({ command: 'open', args: ['/r/a.html'] });
    expect(openerFor('C:\\r\\a.html', 'win32', {})).toEqual({
      command: 'cmd',
      args: ['/c', 'start', '""', 'C:\\r\\a.html'],
    });
    expect(openerFor('/r/a.html', 'linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: ['/r/a.html'] });
    expect(openerFor('/r/a.html', 'linux', { WAYLAND_DISPLAY: 'wayland-0' })?.command).toBe('xdg-open');
  });

  it('has nothing to open with on Linux without a display', () => {
    expect(openerFor('/r/a.html', 'linux', {})).toBeUndefined();
  });
});

describe('openReport', () => {
  it('says where the report is, and runs nothing, without a display', async () => {
    const { fake, calls } = fakeSpawn();

    const line = await openReport('/r/a.html', { platform: 'linux', env: {}, spawn: fake });

    expect(calls).toEqual([]);
    expect(line).toBe('--open: no display here ($DISPLAY and $WAYLAND_DISPLAY are unset); the report is /r/a.html');
  });

  it('starts the opener detached and lets the bench exit without waiting for it', async () => {
    const { fake, calls } = fakeSpawn();

    const line = await openReport('/r/a.html', { platform: 'linux', env: { DISPLAY: ':0' }, spawn: fake });

    expect(calls).toEqual([{ command: 'xdg-open', args: ['/r/a.html'], unref: true }]);
    expect(line).toBe('opened /r/a.html with xdg-open');
  });

  it('names the opener that could not run and the file to open by hand', async () => {
    const { fake } = fakeSpawn(Object.assign(new Error('spawn xdg-open ENOENT'), { code: 'ENOENT' }));

    const line = await openReport('/r/a.html', { platform: 'linux', env: { DISPLAY: ':0' }, spawn: fake });

    expect(line).toBe('--open: could not run xdg-open (spawn xdg-open ENOENT); open /r/a.html yourself');
  });
});
