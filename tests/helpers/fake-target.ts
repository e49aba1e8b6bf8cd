/**
 * A `Target` for pipeline tests: an HTTP server on 127.0.0.1 (port 0) that answers like the handler
 * (echoes `x-correlation-id`, adds `x-amzn-RequestId`), keeps handler and REPORT lines in memory, and
 * answers the correlation queries of stack/log-queries.ts. It records every call, so tests can assert the
 * order (manifest before deploy, destroy always). Faults are injected per request ordinal.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Deployment,
  DeploymentFootprint,
  DeployOptions,
  DestroyReport,
  EmulatorFacts,
  InsightsQuery,
  InsightsResult,
  InsightsRow,
  Target,
} from '../../harness/target/target.js';

export interface FakeTargetOptions {
  /** Server-side delay of request n (0-based), ms. @default 0 */
  readonly delayMs?: (n: number) => number;
  /** Status of request n. @default 200 */
  readonly status?: (n: number) => number;
  /** Do not log request n's handler line. */
  readonly dropHandlerLine?: (n: number) => boolean;
  /** Do not log request n's REPORT line. */
  readonly dropReport?: (n: number) => boolean;
  /** Log request n's handler line twice. */
  readonly duplicateHandlerLine?: (n: number) => boolean;
  /** Request n started a new execution environment. @default n === 0 */
  readonly cold?: (n: number) => boolean;
  /** Correlation ids logged although nobody sent them. */
  readonly foreignIds?: readonly string[];
  /** Lines become queryable this long after they are written (ingestion lag). @default 0 */
  readonly visibleAfterMs?: number;
  /** The first N queries fail (throttling, say). @default 0 */
  readonly failFirstQueries?: number;
  /** Deploy waits this long (abortable). @default 0 */
  readonly deployDelayMs?: number;
  /** Deploy finishes its wait even when aborted (as a deploy past its point of no return does). */
  /** What the deployment reports from faults(). @default none */
  readonly faults?: readonly string[];
  /** Called as deploy starts (a test aborts its signal here, at a known moment). */
  readonly onDeploy?: () => void;
  readonly deployIgnoresAbort?: boolean;
  /** Deploy rejects with this. */
  readonly deployError?: Error;
  /** Destroy reports leftovers. */
  readonly destroyLeftovers?: readonly string[];
  /** Path that must exist when deploy is called (the run manifest). */
  readonly expectFileAtDeploy?: string;
  /** What the deployment reports from emulatorFacts(); none means it has no such method (like AWS). */
  readonly emulatorFacts?: EmulatorFacts;
}

interface LogLine {
  /** The line's timestamp. */
  readonly atMs: number;
  readonly visibleAtMs: number;
  readonly row: InsightsRow;
}

/** Records calls in order: `deploy`, `query`, `destroy`. */
export class FakeTarget implements Target {
  readonly kind = 'local' as const;
  readonly calls: string[] = [];
  /** Whether `expectFileAtDeploy` existed when deploy was called. */
  fileExistedAtDeploy: boolean | undefined;
  deployment: FakeDeployment | undefined;
  deployOptions: DeployOptions | undefined;

  constructor(readonly options: FakeTargetOptions = {}) {}

  cleanupCommand(runId: string): string {
    return `npm run harness -- destroy --run-id ${runId}`;
  }

  async deploy(options: DeployOptions): Promise<FakeDeployment> {
    this.calls.push('deploy');
    this.deployOptions = options;
    this.options.onDeploy?.();
    if (this.options.expectFileAtDeploy) this.fileExistedAtDeploy = existsSync(this.options.expectFileAtDeploy);
    if (this.options.deployDelayMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.options.deployDelayMs);
        const onAbort = () => {
          if (this.options.deployIgnoresAbort) return;
          clearTimeout(timer);
          reject(options.signal?.reason);
        };
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener('abort', onAbort);
      });
    }
    if (this.options.deployError) throw this.options.deployError;
    const deployment = new FakeDeployment(this, options.runId);
    await deployment.listen();
    this.deployment = deployment;
    return deployment;
  }
}

/** The fake stack: a server, its log lines and the queries over them. */
export class FakeDeployment implements Deployment {
  readonly target = 'local' as const;
  readonly stackName: string;
  readonly logGroupName = '/aws/lambda/fake-fn';
  readonly functionName = 'fake-fn';
  readonly region = 'local';
  readonly memorySizeMb = 512;
  baseUrl = '';
  readonly lines: LogLine[] = [];
  requests = 0;
  queries: InsightsQuery[] = [];
  destroyed = 0;
  private readonly server: Server;

  footprint(): DeploymentFootprint {
    return { processes: [], paths: [] };
  }

  faults(): readonly string[] {
    return this.owner.options.faults ?? [];
  }

  readonly emulatorFacts?: () => EmulatorFacts;

  constructor(
    private readonly owner: FakeTarget,
    readonly runId: string,
  ) {
    this.stackName = `rda-${runId}`;
    const o = owner.options;
    const facts = o.emulatorFacts;
    if (facts) this.emulatorFacts = () => facts;
    const now = () => Date.now();
    for (const id of o.foreignIds ?? []) this.addLine(now(), handlerRow(id, randomUUID(), false, 200, 1));
    this.server = createServer((req, res) => {
      const n = this.requests++;
      req.resume();
      req.on('end', () => {
        const correlationId = String(req.headers['x-correlation-id'] ?? '');
        const awsRequestId = randomUUID();
        const apiRequestId = randomUUID();
        const status = o.status?.(n) ?? 200;
        const cold = o.cold ? o.cold(n) : n === 0;
        const delay = o.delayMs?.(n) ?? 0;
        setTimeout(() => {
          const t = now();
          if (!o.dropHandlerLine?.(n)) {
            const row = handlerRow(correlationId, awsRequestId, cold, status, delay);
            this.addLine(t, row);
            if (o.duplicateHandlerLine?.(n)) this.addLine(t, row);
          }
          if (!o.dropReport?.(n)) this.addLine(t, reportRow(awsRequestId, delay + 0.5, cold));
          res.writeHead(status, {
            'content-type': 'application/json',
            'x-correlation-id': correlationId,
            'x-amzn-RequestId': apiRequestId,
          });
          res.end('{"data":[1]}');
        }, delay);
      });
    });
  }

  private addLine(atMs: number, row: InsightsRow): void {
    this.lines.push({ atMs, visibleAtMs: atMs + (this.owner.options.visibleAfterMs ?? 0), row });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/bench/`;
  }

  async query(query: InsightsQuery): Promise<InsightsResult> {
    this.owner.calls.push('query');
    this.queries.push(query);
    if (this.queries.length <= (this.owner.options.failFirstQueries ?? 0)) {
      throw new Error('ThrottlingException: Rate exceeded');
    }
    // Lines that are ingested, inside the query's time range (both ends inclusive, as Logs Insights reads it).
    const visible = this.lines
      .filter((line) => line.visibleAtMs <= Date.now())
      .filter((line) => line.atMs >= query.startTimeMs && line.atMs <= query.endTimeMs)
      .map((line) => line.row);
    const q = query.queryString;
    const inList = /in \[(.*)\]/s.exec(q)?.[1];
    const list = inList ? (JSON.parse(`[${inList}]`) as string[]) : [];
    let rows: InsightsRow[];
    if (q.includes('filter ispresent(correlationId)\n')) {
      rows = visible.filter((row) => row.correlationId !== undefined);
    } else if (q.includes('filter @type = "REPORT"\n')) {
      rows = visible.filter((row) => row['@type'] === 'REPORT');
    } else if (q.includes('filter correlationId in')) {
      const ids = new Set(list);
      rows = visible.filter((row) => row.correlationId !== undefined && ids.has(row.correlationId));
    } else if (q.includes('@type = "REPORT" and @requestId in')) {
      const ids = new Set(list);
      rows = visible.filter((row) => row['@type'] === 'REPORT' && ids.has(row['@requestId']!));
    } else if (q.includes('stats count(*) as lines by correlationId')) {
      const counts = new Map<string, number>();
      for (const row of visible)
        if (row.correlationId) counts.set(row.correlationId, (counts.get(row.correlationId) ?? 0) + 1);
      rows = [...counts].map(([correlationId, lines]) => ({ correlationId, lines: String(lines) }));
    } else {
      throw new Error(`fake target cannot run this query: ${q}`);
    }
    rows = rows.slice(0, query.limit ?? 10_000);
    return {
      status: 'Complete',
      fields: rows[0] ? Object.keys(rows[0]) : [],
      rows,
      statistics: { recordsMatched: rows.length, recordsScanned: visible.length, bytesScanned: 0 },
    };
  }

  async destroy(): Promise<DestroyReport> {
    this.owner.calls.push('destroy');
    this.destroyed++;
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const leftovers = this.owner.options.destroyLeftovers ?? [];
    return {
      target: 'local',
      stackName: this.stackName,
      verified: leftovers.length === 0,
      checks: ['fake server: closed'],
      leftovers,
      durationMs: 1,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}

function handlerRow(
  correlationId: string,
  awsRequestId: string,
  cold: boolean,
  status: number,
  durationMs: number,
): InsightsRow {
  const line = { level: 30, awsRequestId, correlationId, coldStart: cold, status, durationMs, msg: 'request' };
  return {
    '@timestamp': new Date().toISOString(),
    correlationId,
    awsRequestId,
    coldStart: String(cold),
    status: String(status),
    durationMs: String(durationMs),
    '@message': JSON.stringify(line),
  };
}

function reportRow(requestId: string, durationMs: number, cold: boolean): InsightsRow {
  const init = cold ? `Init Duration: 123.45 ms\t` : '';
  const row: InsightsRow = {
    '@type': 'REPORT',
    '@requestId': requestId,
    '@duration': durationMs.toFixed(2),
    '@billedDuration': String(Math.ceil(durationMs)),
    '@maxMemoryUsed': '7.0E7',
    '@memorySize': '5.12E8',
    '@message': `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 512 MB\tMax Memory Used: 70 MB\t${init}`,
  };
  if (cold) row['@initDuration'] = '123.45';
  return row;
}
