import { createHash, randomFillSync, randomUUID } from 'node:crypto';

/** The ids and timestamps API Gateway and Lambda generate, in their AWS formats (docs/aws-behaviour.md#request-context, #response-headers, #log-groups-and-streams). */

// One crypto.randomBytes call costs ~8 µs on our machines whatever its size, three per request add up:
// draw from a 4 KiB pool instead (randomUUID pools the same way inside node).
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function take(bytes: number): number {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += bytes;
  return start;
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  const start = take(bytes);
  return POOL.toString('hex', start, start + bytes);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A UUID, as `requestContext.requestId`, `x-amzn-RequestId` and Lambda's `awsRequestId`. */
export function newRequestId(): string {
  return randomUUID();
}

/** True for a UUID in 8-4-4-4-12 hex form (a client may override `requestId` with one, docs/aws-behaviour.md#request-context). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** 16 characters ending in `=`, like `TWegAcC4EowCHnA=`: the base64 form of 11 random bytes (docs/aws-behaviour.md#request-context). */
export function newExtendedRequestId(): string {
  const start = take(11);
  return POOL.toString('base64', start, start + 11);
}

/** `Root=1-<8 hex epoch seconds>-<24 hex>`, the `X-Amzn-Trace-Id` format (docs/aws-behaviour.md#response-headers). */
export function newTraceRoot(nowMs: number): string {
  return `Root=1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomHex(12)}`;
}

// Every request of one second has the same requestTime: formatted once per second (a Date and six getters).
let clfSecond = Number.NaN;
let clfText = '';

/** `dd/MMM/yyyy:HH:mm:ss +0000`, the `requestContext.requestTime` format (docs/aws-behaviour.md#request-context). */
export function clfTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === clfSecond) return clfText;
  const d = new Date(second * 1000);
  clfText =
    `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
  clfSecond = second;
  return clfText;
}

/** `YYYY/MM/DD/[$LATEST]<32 lowercase hex>`: one log stream per execution environment (docs/aws-behaviour.md#log-groups-and-streams). */
export function newLogStreamName(epochMs: number, version = '$LATEST'): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/[${version}]${randomHex(16)}`;
}

/** A stable id of `length` lowercase alphanumerics derived from `seed`, for API and resource ids. */
export function stableId(seed: string, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
