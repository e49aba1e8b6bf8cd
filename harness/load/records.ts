/**
 * Per-request records, stored by column (typed arrays) so a million requests cost tens of megabytes and
 * the report can scan one column without touching the others. Times are microseconds since the load's t0.
 */

/** Why a request did not count as a success. Stored as a byte; names via {@link ERROR_KINDS}. */
export const ErrorKind = {
  None: 0,
  /** A response arrived with a status the mix entry does not expect. */
  Status: 1,
  /** No complete response within the request timeout. */
  Timeout: 2,
  /** The connection failed (refused, reset, closed early). */
  Connection: 3,
  /** The run was interrupted while the request was in flight; excluded from statistics. */
  Aborted: 4,
  Other: 5,
} as const;
export type ErrorKindCode = (typeof ErrorKind)[keyof typeof ErrorKind];
export const ERROR_KINDS = ['none', 'status', 'timeout', 'connection', 'aborted', 'other'] as const;
export type ErrorKindName = (typeof ERROR_KINDS)[number];

/** Which phase a request belongs to. */
export const Phase = { Warmup: 0, Measured: 1 } as const;
export type PhaseCode = (typeof Phase)[keyof typeof Phase];

/** One request, as an object: for tests and the few places that look at single requests. */
export interface RequestRecord {
  readonly index: number;
  readonly phase: 'warmup' | 'measured';
  readonly correlationId: string;
  /** When the schedule said to send it. */
  readonly dueUs: number;
  /** When it was handed to the connection pool. */
  readonly sendUs: number;
  /** When a connection started writing it (its wait in the pool ended); NaN when it never got one. */
  readonly wireUs: number;
  /** From due time to the last byte of the response; NaN when no response arrived. */
  readonly latencyUs: number;
  /** 0 when no response arrived. */
  readonly status: number;
  readonly errorKind: ErrorKindName;
  /** Index into the run's mix. */
  readonly mixIndex: number;
  /** True when the response echoed our `x-correlation-id` (the handler saw the request). */
  readonly echoed: boolean;
  /** API Gateway's `x-amzn-RequestId`, when the response had one. */
  readonly apiRequestId: string | undefined;
}

/** A growable column store of request records. */
export class RequestLog {
  count = 0;
  phase: Uint8Array;
  dueUs: Float64Array;
  sendUs: Float64Array;
  wireUs: Float64Array;
  latencyUs: Float64Array;
  status: Uint16Array;
  errorKind: Uint8Array;
  mixIndex: Uint16Array;
  echoed: Uint8Array;
  correlationId: string[] = [];
  apiRequestId: (string | undefined)[] = [];

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.phase = new Uint8Array(size);
    this.dueUs = new Float64Array(size);
    this.sendUs = new Float64Array(size);
    this.wireUs = new Float64Array(size).fill(Number.NaN);
    this.latencyUs = new Float64Array(size).fill(Number.NaN);
    this.status = new Uint16Array(size);
    this.errorKind = new Uint8Array(size);
    this.mixIndex = new Uint16Array(size);
    this.echoed = new Uint8Array(size);
  }

  /** Appends a request that is about to be sent; returns its index. */
  add(phase: PhaseCode, correlationId: string, dueUs: number, mixIndex: number): number {
    if (this.count === this.phase.length) this.grow();
    const i = this.count++;
    this.phase[i] = phase;
    this.dueUs[i] = dueUs;
    this.sendUs[i] = dueUs;
    this.mixIndex[i] = mixIndex;
    this.correlationId[i] = correlationId;
    this.apiRequestId[i] = undefined;
    return i;
  }

  /** Records the outcome of request `i`. */
  complete(
    i: number,
    outcome: { latencyUs: number; status: number; errorKind: ErrorKindCode; echoed: boolean; apiRequestId?: string },
  ): void {
    this.record(i, outcome.latencyUs, outcome.status, outcome.errorKind, outcome.echoed, outcome.apiRequestId);
  }

  /** {@link complete} without an outcome object: the open loop's per-response path allocates nothing here. */
  record(
    i: number,
    latencyUs: number,
    status: number,
    errorKind: ErrorKindCode,
    echoed: boolean,
    apiRequestId: string | undefined,
  ): void {
    this.latencyUs[i] = latencyUs;
    this.status[i] = status;
    this.errorKind[i] = errorKind;
    this.echoed[i] = echoed ? 1 : 0;
    this.apiRequestId[i] = apiRequestId;
  }

  /** Request `i` as an object. */
  at(i: number): RequestRecord {
    return {
      index: i,
      phase: this.phase[i] === Phase.Warmup ? 'warmup' : 'measured',
      correlationId: this.correlationId[i]!,
      dueUs: this.dueUs[i]!,
      sendUs: this.sendUs[i]!,
      wireUs: this.wireUs[i]!,
      latencyUs: this.latencyUs[i]!,
      status: this.status[i]!,
      errorKind: ERROR_KINDS[this.errorKind[i]!]!,
      mixIndex: this.mixIndex[i]!,
      echoed: this.echoed[i] === 1,
      apiRequestId: this.apiRequestId[i],
    };
  }

  private grow(): void {
    const size = this.phase.length * 2;
    const widen = <T extends Uint8Array | Uint16Array | Float64Array>(
      from: T,
      make: (n: number) => T,
      fill?: number,
    ): T => {
      const to = make(size);
      if (fill !== undefined) (to as Float64Array).fill(fill);
      to.set(from as never);
      return to;
    };
    this.phase = widen(this.phase, (n) => new Uint8Array(n));
    this.dueUs = widen(this.dueUs, (n) => new Float64Array(n));
    this.sendUs = widen(this.sendUs, (n) => new Float64Array(n));
    this.wireUs = widen(this.wireUs, (n) => new Float64Array(n), Number.NaN);
    this.latencyUs = widen(this.latencyUs, (n) => new Float64Array(n), Number.NaN);
    this.status = widen(this.status, (n) => new Uint16Array(n));
    this.errorKind = widen(this.errorKind, (n) => new Uint8Array(n));
    this.mixIndex = widen(this.mixIndex, (n) => new Uint16Array(n));
    this.echoed = widen(this.echoed, (n) => new Uint8Array(n));
  }
}
