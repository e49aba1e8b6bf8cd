import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.js';
import { type SyntheticLoad, syntheticReport } from '../compare/fixture.js';

let dir: string;

async function harness(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, isTty: false, cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function save(name: string, load: SyntheticLoad, run = {}): Promise<string> {
  await writeFile(path.join(dir, name), JSON.stringify(syntheticReport(load, run)));
  return name;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rda-compare-'));
  await save('base.json', { seed: 1 });
  await save('same.json', { seed: 2 });
  await save('slower.json', { seed: 2, shiftMs: 5 });
  await save('short.json', { seed: 3, seconds: 20, perSecond: 5 });
  await save('aws.json', { seed: 2 }, { target: 'aws' });
  await writeFile(path.join(dir, 'notes.md'), '# not a report');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run harness -- compare', () => {
  it('exits 0 with no-change for two runs of the same distribution, and prints the terminal table', async () => {
    // Act
    const { code, out } = await harness(['compare', 'base.json', 'same.json']);

    // Assess
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('Comparison of two sequential runs: NO-CHANGE');
    expect(out).toContain('weaker evidence than an interleaved comparison');
    expect(out).toContain('verdict: no-change (exit 0)');
    expect(out).toMatch(/\nlatency p50 .* no-change\n/);
  });

  it('exits 1 on a regression', async () => {
    const { code, out } = await harness(['compare', 'base.json', 'slower.json']);
    expect(code).toBe(1);
    expect(out).toContain('verdict: regression (exit 1)');
  });

  it('exits 0 when a wider tolerance accepts the slow-down', async () => {
    const { code } = await harness(['compare', 'base.json', 'slower.json', '--max-regression', 'p50=+8ms,p99=+50%']);
    expect(code).toBe(0);
  });

  it('exits 4 when a run is too short for an interval, and when the targets differ', async () => {
    const short = await harness(['compare', 'base.json', 'short.json']);
    expect(short.code).toBe(4);
    expect(short.out).toContain('p99 needs at least 1000');

    const aws = await harness(['compare', 'base.json', 'aws.json']);
    expect(aws.code).toBe(4);
    expect(aws.out).toContain('WARNING: the runs differ in target: base local, head aws');
  });

  it('writes markdown to --out and prints JSON with --format json', async () => {
    // Act
    const { code, out, err } = await harness([
      'compare',
      'base.json',
      'aws.json',
      '--format',
      'json',
      '--out',
      'out/comparison.json',
    ]);

    // Assess
    expect(code).toBe(4);
    const data = JSON.parse(out);
    expect(data).toMatchObject({ schema: 'rda-compare/1', kind: 'sequential', verdict: 'inconclusive' });
    expect(data.base).toMatchObject({ file: 'base.json', target: 'local' });
    expect(data.metrics).toHaveLength(7);
    expect(JSON.parse(await readFile(path.join(dir, 'out/comparison.json'), 'utf8'))).toEqual(data);
    expect(err).toBe('warning: the runs differ in target: base local, head aws');

    const markdown = await harness(['compare', 'base.json', 'same.json', '--out', 'comparison.md']);
    expect(markdown.code).toBe(0);
    const written = await readFile(path.join(dir, 'comparison.md'), 'utf8');
    expect(written.startsWith('## Comparison of two sequential runs: no-change\n')).toBe(true);
    expect(written).toContain('```mermaid\nxychart-beta');
  });

  it('gives the same output for the same seed, and accepts another', async () => {
    const first = await harness(['compare', 'base.json', 'slower.json', '--format', 'json']);
    const again = await harness(['compare', 'base.json', 'slower.json', '--format', 'json']);
    const reseeded = await harness(['compare', 'base.json', 'slower.json', '--format', 'json', '--seed', '7']);
    expect(again.out).toBe(first.out);
    expect(JSON.parse(reseeded.out).settings.seed).toBe(7);
    expect(reseeded.out).not.toBe(first.out);
  });

  it('exits 2 naming the file when a report does not exist or is not a report', async () => {
    const missing = await harness(['compare', 'base.json', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("error [ReportFileMissing]: cannot read report 'nope.json': does not exist");

    const markdown = await harness(['compare', 'notes.md', 'base.json']);
    expect(markdown.code).toBe(2);
    expect(markdown.err).toContain("'notes.md' is not JSON");
  });

  it('exits 2 on a bad --seed, --format or --max-regression', async () => {
    const seed = await harness(['compare', 'base.json', 'same.json', '--seed', '-1']);
    expect(seed.code).toBe(2);
    expect(seed.err).toContain("--seed '-1' is not a whole number");
    const format = await harness(['compare', 'base.json', 'same.json', '--format', 'html']);
    expect(format.code).toBe(2);
    expect(format.err).toContain("unknown --format 'html'");
    const tolerance = await harness(['compare', 'base.json', 'same.json', '--max-regression', 'p50=2']);
    expect(tolerance.code).toBe(2);
    expect(tolerance.err).toContain('has no unit');
  });
});
