/**
 * A virtual clock and a simulated server for the open loop: time moves only when every pending callback
 * has run, so schedules and latencies come out exact however busy the machine running the tests is.
 */
import type { LoadClock, TimerHandle } from '../../../harness/load/clock.js';
import type { OutgoingRequest, Transport } from '../../../harness/load/open-loop.js';

interface Timer {
  atUs: number;
  readonly id: number;
  readonly callback: () => void;
  readonly periodUs: number | undefined;
}

/** Lets every queued promise callback run (they all run before the next macrotask). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A {@link LoadClock} that runs timers in time order, each after all promise callbacks have settled. */
export class VirtualClock implements LoadClock {
  private now = 0;
  private nextId = 0;
  private readonly timers = new Map<number, Timer>();

  nowUs(): number {
    return this.now;
  }
  epochMs(): number {
    return 1_900_000_000_000 + this.now / 1000;
  }
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.add(callback, delayMs, undefined);
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }
  setInterval(callback: () => void, periodMs: number): TimerHandle {
    return this.add(callback, periodMs, periodMs * 1000);
  }
  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Advances time timer by timer until `work` settles; throws past `limitMs` of virtual time. */
  async run<T>(work: Promise<T>, limitMs = 600_000): Promise<T> {
    let settled = false;
    work.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await flush();
    while (!settled) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (!next || timer.atUs < next.atUs || (timer.atUs === next.atUs && timer.id < next.id)) next = timer;
      }
      if (!next) throw new Error('virtual clock: nothing scheduled and the work has not settled');
      if (next.atUs > limitMs * 1000) throw new Error(`virtual clock: still running after ${limitMs} ms`);
      this.now = Math.max(this.now, next.atUs);
      if (next.periodUs === undefined) this.timers.delete(next.id);
      else next.atUs += next.periodUs;
      next.callback();
      await flush();
    }
    return work;
  }

  private add(callback: () => void, delayMs: number, periodUs: number | undefined): number {
    const id = ++this.nextId;
    this.timers.set(id, { atUs: this.now + Math.max(0, delayMs) * 1000, id, callback, periodUs });
    return id;
  }
}

/** A request the simulated server received. */
export interface Received {
  readonly request: OutgoingRequest;
  readonly correlationId: string;
  /** Virtual µs when it was handed to the transport. */
  readonly sentUs: number;
}

/**
 * A server behind `connections` keep-alive connections, on the virtual clock: request k, once a connection
 * is free, is answered after `serviceMs(k, startUs)` with `status(k)`, echoing its correlation id.
 * Requests that find every connection busy wait in a queue, as in undici's pool; `pending()` counts what
 * is queued or being served, and `abort` fails all of it at once, as destroying the pool does.
 */
export function simulatedServer(
  clock: VirtualClock,
  options: { connections: number; serviceMs: (k: number, startUs: number) => number; status?: (k: number) => number },
): Transport & { readonly received: Received[]; pending(): number } {
  const received: Received[] = [];
  const queue: (() => void)[] = [];
  // Requests being served: their timer and how to fail them on abort.
  const serving = new Map<number, { timer: unknown; fail: (error: unknown) => void }>();
  let aborted = false;
  const release = () => {
    queue.shift()?.();
  };
  return {
    received,
    send(request, correlationId, token, sink) {
      const k = received.length;
      received.push({ request, correlationId, sentUs: clock.nowUs() });
      if (aborted) {
        sink.onError(token, new Error('pool destroyed'));
        return;
      }
      const start = () => {
        sink.onWire(token);
        const timer = clock.setTimeout(
          () => {
            serving.delete(k);
            release();
            sink.onResponse(token, options.status?.(k) ?? 200, correlationId, `req-${k}`);
          },
          options.serviceMs(k, clock.nowUs()),
        );
        serving.set(k, { timer, fail: (error) => sink.onError(token, error) });
      };
      if (serving.size < options.connections) start();
      else queue.push(start);
    },
    abort(reason) {
      aborted = true;
      queue.length = 0;
      for (const { timer, fail } of serving.values()) {
        clock.clearTimeout(timer);
        fail(reason);
      }
      serving.clear();
    },
    pending: () => serving.size + queue.length,
    close: async () => {},
  };
}
