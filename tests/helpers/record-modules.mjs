/**
 * `node --import tsx --import ./tests/helpers/record-modules.mjs …` writes, one per line, every module the
 * process loads to the file named by RDA_RECORD_MODULES: each ES module as the loader hooks see it (the URL
 * after tsx resolved it) and, at exit, every CommonJS module in the require cache (what ESM hooks never see
 * on Node 20). Plain JavaScript so that it does not depend on tsx to load.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const out = process.env.RDA_RECORD_MODULES;
if (!out) throw new Error('record-modules.mjs: set RDA_RECORD_MODULES to the file to write');

// Registered after tsx, so this hook runs first and sees the URL that tsx's resolve returned.
const hooks = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, nextLoad) {
  appendFileSync(out, url + '\\n');
  return nextLoad(url, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { out } });

process.on('exit', () => {
  const cjs = Object.keys(Module._cache);
  if (cjs.length > 0) appendFileSync(out, `${cjs.join('\n')}\n`);
});
