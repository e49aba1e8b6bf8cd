/**
 * The HTML report is valid HTML, needs nothing from the network, and every number it shows is the .json's.
 */
import { parse, type DefaultTreeAdapterTypes as T } from 'parse5';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../harness/report/html.js';
import { buildReport, type RunReport } from '../../../harness/report/model.js';
import { fixtureInput, fixtureReport } from './fixture.js';

type Node = T.ChildNode | T.Document;

function parseStrict(html: string): T.Document {
  const errors: string[] = [];
  const document = parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  expect(errors).toEqual([]);
  return document;
}

function* elements(node: Node): Generator<T.Element> {
  if ('tagName' in node) yield node as T.Element;
  const children = 'childNodes' in node ? node.childNodes : [];
  const content = (node as T.Template).content;
  for (const child of [...children, ...(content ? content.childNodes : [])]) yield* elements(child as Node);
}

const attr = (el: T.Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

function text(node: Node): string {
  if (node.nodeName === '#text') return (node as T.TextNode).value;
  return 'childNodes' in node ? node.childNodes.map((c) => text(c as Node)).join('') : '';
}

/** The JSON value at a dotted path, as a reader of the .json finds it (independent of the renderer's lookup). */
function jsonAt(json: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], json);
}

/** Checks that an element's text shows the JSON value at its path, to the digits it prints. */
function expectShows(shown: string, value: unknown, path: string): void {
  if (value === null || value === undefined) {
    expect(shown, path).toBe('–');
  } else if (typeof value === 'number') {
    const numeric = shown.replace('−', '-').replace(/^\+/, '').trim();
    const printed = Number.parseFloat(numeric);
    expect(Number.isNaN(printed), `${path}: '${shown}' is not a number`).toBe(false);
    const digits = /\.(\d+)/.exec(numeric)?.[1]?.length ?? 0;
    expect(Math.abs(printed - value), `${path}: shows '${shown}', the json has ${value}`).toBeLessThanOrEqual(
      0.5 * 10 ** -digits + 1e-9,
    );
  } else {
    expect(shown, path).toBe(String(value));
  }
}

async function page(report: RunReport = fixtureReport()) {
  const html = await renderHtml(report);
  return { html, document: parseStrict(html), json: JSON.parse(JSON.stringify(report)) as unknown };
}

describe('renderHtml', () => {
  it('is one valid HTML document with a title, the verdict first and the sections of the report', async () => {
    const { document } = await page();
    const all = [...elements(document)];
    expect(text(all.find((e) => e.tagName === 'title')!)).toBe('Bench report: rda-snap on local');
    const verdict = all.find((e) => attr(e, 'class')?.startsWith('verdict'))!;
    expect(text(verdict)).toBe('Verdict: fail (exit 1)');
    const sections = all.filter((e) => e.tagName === 'section').map((e) => attr(e, 'id'));
    expect(sections).toEqual([
      'notes',
      'slos',
      'latency',
      'breakdown',
      'cold-starts',
      'load',
      'coverage',
      'slowest',
      'destroy',
      'settings',
      'run',
    ]);
  });

  it('needs nothing from the network: no script, no external src or href, and a policy that forbids fetching', async () => {
    const { document } = await page();
    const all = [...elements(document)];

    expect(all.filter((e) => e.tagName === 'script' || e.tagName === 'link' || e.tagName === 'iframe')).toEqual([]);
    for (const el of all) {
      for (const name of ['src', 'href', 'xlink:href', 'srcset', 'action', 'data']) {
        const value = attr(el, name);
        if (value !== undefined) expect(value, `${el.tagName} ${name}`).toMatch(/^(#|data:)/);
      }
    }
    const csp = all.find((e) => attr(e, 'http-equiv') === 'Content-Security-Policy');
    expect(attr(csp!, 'content')).toMatch(/^default-src 'none';/);
    // No url(...) in styles pulls anything in either.
    expect(
      all
        .filter((e) => e.tagName === 'style')
        .map(text)
        .join(''),
    ).not.toMatch(/url\(|@import/);
  });

  it('draws the four charts as inline SVG, each with a caption', async () => {
    const { document } = await page();
    const figures = [...elements(document)].filter((e) => e.tagName === 'figure');

    expect(figures.map((f) => attr(f, 'id'))).toEqual([
      'chart-timeline',
      'chart-distribution',
      'chart-breakdown',
      'chart-coverage',
    ]);
    for (const figure of figures) {
      const inside = [...elements(figure)];
      expect(inside.some((e) => e.tagName === 'svg')).toBe(true);
      expect(text(inside.find((e) => e.tagName === 'figcaption')!).length).toBeGreaterThan(20);
    }
  });

  it('shows in every table cell a value of the .json, named by its data-path', async () => {
    const { document, json } = await page();
    const cells = [...elements(document)].filter((e) => e.tagName === 'td');
    expect(cells.length).toBeGreaterThan(100);

    let checked = 0;
    for (const cell of cells) {
      const path = attr(cell, 'data-path');
      if (path === undefined) {
        // A cell without a path holds only elements that have one (ids, log lines) or a dash.
        const inner = [...elements(cell)].filter((e) => e !== cell && attr(e, 'data-path') !== undefined);
        expect(inner.length > 0 || text(cell) === '–', `cell '${text(cell)}'`).toBe(true);
        for (const e of inner) expectShows(text(e), jsonAt(json, attr(e, 'data-path')!), attr(e, 'data-path')!);
        continue;
      }
      expect(
        path
          .split('.')
          .slice(0, -1)
          .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], json),
      ).toBeDefined();
      expectShows(text(cell), jsonAt(json, path), path);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('prints no number outside an element tied to the .json, but for headings, captions and drawn axes', async () => {
    const { document } = await page();
    const free: string[] = [];
    const EXEMPT = new Set(['svg', 'style', 'title', 'th', 'h1', 'h2', 'h3', 'figcaption', 'head']);
    const walk = (node: Node, tied: boolean) => {
      if (node.nodeName === '#text') {
        if (!tied && /\d/.test((node as T.TextNode).value)) free.push((node as T.TextNode).value);
        return;
      }
      const el = node as T.Element;
      if ('tagName' in el && EXEMPT.has(el.tagName)) return;
      const nowTied = tied || ('attrs' in el && attr(el, 'data-path') !== undefined);
      for (const child of 'childNodes' in node ? node.childNodes : []) walk(child as Node, nowTied);
    };
    walk(document, false);
    expect(free).toEqual([]);
  });

  it('tells one statistic from another: the warm p99 cell does not pass for the warm p50', async () => {
    // The checks above compare against the .json, so a renderer that swapped columns cannot pass them.
    const report = fixtureReport();
    const { document, json } = await page(report);
    const p99 = [...elements(document)].find((e) => attr(e, 'data-path') === 'latency.warm.p99')!;
    expect(() => expectShows(text(p99), jsonAt(json, 'latency.warm.p50'), 'latency.warm.p50')).toThrow();
  });

  it('escapes text from the run, so a message cannot inject markup', async () => {
    const { html, document } = await page({ ...fixtureReport(), warnings: ['<script>alert(1)</script> & "x"'] });

    expect(html).not.toContain('<script>alert');
    const warning = [...elements(document)].find((e) => attr(e, 'data-path') === 'warnings.0')!;
    expect(text(warning)).toBe('<script>alert(1)</script> & "x"');
  });

  it('keeps the page, with every table and the reason, when a chart cannot be drawn', async () => {
    const html = await renderHtml(fixtureReport(), async () => {
      throw new Error('unsupported scale');
    });

    const all = [...elements(parseStrict(html))];
    expect(text(all.find((e) => attr(e, 'id') === 'chart-error')!)).toBe(
      'The charts could not be drawn (unsupported scale); the tables below are complete.',
    );
    expect(all.filter((e) => e.tagName === 'figure')).toEqual([]);
    expect(all.filter((e) => e.tagName === 'section').length).toBe(11);
  });

  it('renders an interrupted run without a verdict and without charts it has no data for', async () => {
    const input = fixtureInput();
    const report = buildReport({
      ...input,
      outcome: { kind: 'interrupted', signal: 'SIGINT', phase: 'load' },
      exitCode: 130,
      load: undefined,
      correlation: undefined,
      measurements: undefined,
      slos: [],
    });

    const { document } = await page(report);
    const all = [...elements(document)];

    expect(text(all.find((e) => attr(e, 'class')?.startsWith('verdict'))!)).toBe(
      'Interrupted during load by SIGINT (exit 130); nothing here is a verdict',
    );
    expect(all.filter((e) => e.tagName === 'figure')).toEqual([]);
  });
});

describe('renderHtml on the local emulator', () => {
  it('marks the latency heading (‡), lists why, and ties every emulator and settings cell to the .json', async () => {
    // Prepare: the function ran on Node.js 20 for nodejs24.x, and 4 requests waited for the local cap.
    const report = buildReport({
      ...fixtureInput(),
      emulator: {
        nodeRuntime: {
          runtime: 'nodejs24.x',
          wantedMajor: 24,
          nodeVersion: '20.19.0',
          nodePath: '/usr/bin/node',
          matches: false,
          problem: 'node24-linux-x64 is not installed',
        },
        concurrency: {
          concurrencyLimit: 1_000,
          limitSource: 'account',
          environmentCap: 10,
          throttled: 0,
          queued: 4,
          maxQueueWaitMs: 312.5,
          expiredInQueue: 0,
          peakEnvironments: 10,
        },
      },
    });
    // Act
    const { document, json } = await page(report);
    // Assess
    const all = [...elements(document)];
    for (const id of ['latency', 'breakdown', 'cold-starts']) {
      const section = all.find((e) => attr(e, 'id') === id)!;
      expect(text([...elements(section)].find((e) => e.tagName === 'h2')!), id).toMatch(/‡$/);
    }
    const marks = all.filter((e) => attr(e, 'data-path')?.startsWith('run.emulator.marks.'));
    expect(marks.map((e) => text(e))).toEqual(report.run.emulator!.marks.map((m) => m.text));
    expect(marks.map((e) => text(e))[0]).toContain('WRONG NODE.JS MAJOR');
    const section = (id: string) => [...elements(all.find((e) => attr(e, 'id') === id)!)];
    for (const id of ['emulator', 'settings']) {
      const cells = section(id).filter((e) => e.tagName === 'td');
      expect(cells.length).toBeGreaterThan(5);
      for (const cell of cells)
        expectShows(text(cell), jsonAt(json, attr(cell, 'data-path')!), attr(cell, 'data-path')!);
    }
    expect(jsonAt(json, 'run.emulator.concurrency.queued')).toBe(4);
  });
});
