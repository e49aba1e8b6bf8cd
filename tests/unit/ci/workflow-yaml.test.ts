import { describe, expect, it } from 'vitest';
import { parseWorkflowYaml } from './helpers/workflow-yaml.js';

describe('parseWorkflowYaml (the subset reader behind the structural tests)', () => {
  it('reads mappings, sequences of mappings, compact sequences, quoted and plain scalars, and comments', () => {
    // Prepare
    const source = [
      '# leading comment',
      'name: demo # trailing comment',
      'on:',
      '  pull_request:',
      '    types: [opened, "closed"]',
      '  push:',
      '    branches:',
      '    - main',
      'jobs:',
      '  a:',
      "    if: github.x == 'a # not a comment' && vars.Y != ''",
      '    steps:',
      '      - uses: actions/checkout@v5',
      '        with:',
      '          persist-credentials: false',
      '      - name: "quoted: with colon"',
      "        run: echo 'it''s'",
      '      -',
      '        run: nested',
      '    permissions: {}',
      '',
    ].join('\n');
    // Act
    const parsed = parseWorkflowYaml(source);
    // Assess
    expect(parsed).toEqual({
      name: 'demo',
      on: { pull_request: { types: ['opened', 'closed'] }, push: { branches: ['main'] } },
      jobs: {
        a: {
          if: "github.x == 'a # not a comment' && vars.Y != ''",
          steps: [
            { uses: 'actions/checkout@v5', with: { 'persist-credentials': 'false' } },
            { name: 'quoted: with colon', run: "echo 'it''s'" },
            { run: 'nested' },
          ],
          permissions: {},
        },
      },
    });
  });

  it('keeps literal block scalars verbatim, # and blank lines included, with clip, strip and keep chomping', () => {
    const source = [
      'a: |',
      '  line one # kept',
      '',
      '    indented',
      'b: |-',
      '  no newline',
      'c: |+',
      '  keep',
      '',
      'd: x',
    ].join('\n');
    expect(parseWorkflowYaml(source)).toEqual({
      a: 'line one # kept\n\n  indented\n',
      b: 'no newline',
      c: 'keep\n\n',
      d: 'x',
    });
  });

  it('reads an empty value as null and an empty document as null', () => {
    expect(parseWorkflowYaml('on:\n  workflow_dispatch:\n  push:\n')).toEqual({
      on: { workflow_dispatch: null, push: null },
    });
    expect(parseWorkflowYaml('# only a comment\n')).toBeNull();
  });

  it.each([
    ['an anchor', 'a: &x 1\n'],
    ['an alias', 'a: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a flow mapping', 'a: {b: 1}\n'],
    ['a folded scalar', 'a: >\n  text\n'],
    ['a tab in the indentation', 'a:\n\tb: 1\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a wrongly indented line', 'a:\n    b: 1\n  c: 2\n'],
    ['an unterminated quote', 'a: "open\n'],
    ['": " inside a plain scalar', 'a: b: c\n'],
    ['a nested flow sequence', 'a: [[1]]\n'],
  ])('refuses %s instead of guessing', (_what, source) => {
    expect(() => parseWorkflowYaml(source)).toThrow(/^line \d+: /);
  });
});
