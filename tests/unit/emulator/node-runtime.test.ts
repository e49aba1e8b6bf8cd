import { describe, expect, it } from 'vitest';
import {
  type NodeProbe,
  nodePackageName,
  resolveNodeRuntime,
  runtimeMajor,
} from '../../../harness/emulator/node-runtime.js';

/** A machine with the given binaries (path → version) and installed packages (name → dir). */
function probe(
  over: Partial<NodeProbe> & { binaries?: Record<string, string>; packages?: Record<string, string> },
): NodeProbe {
  const binaries = over.binaries ?? {};
  const packages = over.packages ?? {};
  return {
    platform: 'linux',
    arch: 'x64',
    hostExecPath: '/usr/bin/node',
    hostVersion: '20.20.2',
    env: {},
    packageDir: (name) => packages[name],
    binaryVersion: (nodePath) => binaries[nodePath],
    ...over,
  };
}

describe('runtimeMajor', () => {
  it('reads the major of nodejs<N>.x and nothing else', () => {
    expect(runtimeMajor('nodejs24.x')).toBe(24);
    expect(runtimeMajor('nodejs22.x')).toBe(22);
    expect(runtimeMajor('python3.13')).toBeUndefined();
    expect(runtimeMajor('nodejs24')).toBeUndefined();
  });
});

describe('resolveNodeRuntime', () => {
  it('uses the host when its major is the runtime major', () => {
    const runtime = resolveNodeRuntime('nodejs20.x', probe({}));
    expect(runtime).toMatchObject({ nodePath: '/usr/bin/node', nodeVersion: '20.20.2', source: 'host', matches: true });
    expect(runtime.problem).toBeUndefined();
  });

  it('uses the installed package binary of the runtime major otherwise', () => {
    const runtime = resolveNodeRuntime(
      'nodejs24.x',
      probe({
        packages: { [nodePackageName(24, 'linux', 'x64')]: '/nm/node24-linux-x64' },
        binaries: { '/nm/node24-linux-x64/bin/node': '24.22.3' },
      }),
    );
    expect(runtime).toMatchObject({
      wantedMajor: 24,
      nodePath: '/nm/node24-linux-x64/bin/node',
      nodeVersion: '24.22.3',
      source: 'package',
      matches: true,
    });
  });

  it('says loudly why, and what to do, when no binary of that major can be had', () => {
    const runtime = resolveNodeRuntime('nodejs24.x', probe({ platform: 'darwin', arch: 'arm64' }));
    expect(runtime).toMatchObject({
      nodePath: '/usr/bin/node',
      nodeVersion: '20.20.2',
      source: 'host',
      matches: false,
    });
    expect(runtime.problem).toContain('node24-darwin-arm64');
    expect(runtime.problem).toContain('RDA_NODE_24');
    expect(runtime.problem).toContain('20.20.2');
  });

  it('does not trust a package whose binary is of another major or does not run', () => {
    const packages = { 'node24-linux-x64': '/nm/node24-linux-x64' };
    const wrong = resolveNodeRuntime(
      'nodejs24.x',
      probe({ packages, binaries: { '/nm/node24-linux-x64/bin/node': '22.1.0' } }),
    );
    expect(wrong.matches).toBe(false);
    const broken = resolveNodeRuntime('nodejs24.x', probe({ packages }));
    expect(broken.matches).toBe(false);
    expect(broken.problem).toContain('does not run here');
  });

  it('takes RDA_NODE_<major> first, and refuses one of the wrong major', () => {
    const named = resolveNodeRuntime(
      'nodejs24.x',
      probe({ env: { RDA_NODE_24: '/opt/node24/bin/node' }, binaries: { '/opt/node24/bin/node': '24.1.0' } }),
    );
    expect(named).toMatchObject({ nodePath: '/opt/node24/bin/node', source: 'env', matches: true });
    const wrong = resolveNodeRuntime(
      'nodejs24.x',
      probe({ env: { RDA_NODE_24: '/opt/node22/bin/node' }, binaries: { '/opt/node22/bin/node': '22.1.0' } }),
    );
    expect(wrong).toMatchObject({ source: 'host', matches: false });
    expect(wrong.problem).toContain('not 24');
  });

  it('refuses a runtime that is not Node.js', () => {
    expect(() => resolveNodeRuntime('python3.13', probe({}))).toThrow(/not a Lambda Node\.js runtime/);
  });
});

describe('the runtime binaries stay out of the way', () => {
  it('never link a `node` into node_modules/.bin, where it would run every npm script instead of your node', async () => {
    const fs = await import('node:fs');
    const root = new URL('../../../', import.meta.url);
    expect(fs.existsSync(new URL('node_modules/.bin/node', root))).toBe(false);
    // They are installed apart, by the root postinstall, from runtimes/package.json.
    const runtimes = JSON.parse(fs.readFileSync(new URL('runtimes/package.json', root), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    expect(Object.keys(runtimes.optionalDependencies)).toContain(nodePackageName(24, 'linux', 'x64'));
    const project = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8')) as {
      scripts: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    expect(project.scripts.postinstall).toContain('--prefix runtimes');
    expect(Object.keys(project.optionalDependencies ?? {}).filter((name) => /^node\d+-/.test(name))).toEqual([]);
  });
});
