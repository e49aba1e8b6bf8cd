/**
 * `--open`: hands the HTML report to the desktop's opener (`open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere) and returns at once. Where there is no display (a CI runner, an SSH session) it opens nothing
 * and says where the file is instead.
 */
import { spawn as nodeSpawn } from 'node:child_process';

/** The program that opens `file` in the desktop's browser; undefined where there is no display to open it on. */
export function openerFor(
  file: string,
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): { command: string; args: string[] } | undefined {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  // `start`'s first quoted argument is a window title: the empty one keeps a quoted path from becoming it.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', file] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return { command: 'xdg-open', args: [file] };
}

export interface OpenDeps {
  readonly platform?: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly spawn?: typeof nodeSpawn;
}

/** Opens the report when it can; the line to print either way. Never throws: the run's outcome is already decided. */
export async function openReport(file: string, deps: OpenDeps): Promise<string> {
  const opener = openerFor(file, deps.platform ?? process.platform, deps.env);
  if (!opener) return `--open: no display here ($DISPLAY and $WAYLAND_DISPLAY are unset); the report is ${file}`;
  const spawn = deps.spawn ?? nodeSpawn;
  return new Promise((resolve) => {
    try {
      const child = spawn(opener.command, opener.args, { detached: true, stdio: 'ignore' });
      child.once('error', (error) =>
        resolve(`--open: could not run ${opener.command} (${error.message}); open ${file} yourself`),
      );
      child.once('spawn', () => {
        child.unref(); // the browser outlives the bench
        resolve(`opened ${file} with ${opener.command}`);
      });
    } catch (error) {
      resolve(`--open: could not run ${opener.command} (${(error as Error).message}); open ${file} yourself`);
    }
  });
}
