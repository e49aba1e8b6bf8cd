/**
 * What the local emulator's own limits mean for a run's figures, so nobody mistakes one for AWS's (README of
 * harness/emulator, "Concurrency, throttling, and the settings `cdk synth` uses"). Pure over the facts the
 * local deployment gives (`Deployment.emulatorFacts`).
 *
 * - This machine's cap on environments reached: invocations waited for an environment that AWS would have
 *   started at once. The wait is in their latency, so a missed client-latency SLO is inconclusive; a met one
 *   stands (the wait can only have added latency). The latency figures are marked.
 * - A queued invocation dropped at the integration timeout: its 504 is this machine's, not AWS's, so the run
 *   cannot pass (a deployment fault).
 * - The function ran on another Node.js major than its runtime's: every figure is marked; the verdict is
 *   left as is (local latencies are this machine's either way, and the report says so).
 */
import type { EmulatorFacts, NodeRuntimeFacts } from '../target/target.js';
import type { LatencyDoubt } from './slo.js';
import { CLIENT_LATENCY_SCOPES } from './timing.js';

/** A missed client-latency SLO is inconclusive when this machine's cap held invocations back. */
export function emulatorDoubts(facts: EmulatorFacts | undefined): LatencyDoubt[] {
  const c = facts?.concurrency;
  if (!c || c.queued === 0) return [];
  return [
    {
      code: 'LocalEnvironmentCap',
      reason: `${capReachedText(facts)}: their latency includes that wait, which AWS would not have made`,
      scopes: CLIENT_LATENCY_SCOPES,
    },
  ];
}

/** Faults that keep the run from passing: 504s this machine's queue caused. */
export function emulatorFaults(facts: EmulatorFacts | undefined): string[] {
  const c = facts?.concurrency;
  if (!c || c.expiredInQueue === 0) return [];
  return [
    `${c.expiredInQueue} request(s) waited past the integration timeout for one of this machine's ${c.environmentCap} ` +
      'environments and got a 504 AWS would not have given: raise --max-environments or lower the load',
  ];
}

/**
 * Marks for the report: each says why the figures of the run are not what AWS would show. Empty when none.
 * `code` names the mark in the JSON; `text` is the sentence rendered next to the figures.
 */
export function emulatorMarks(
  facts: EmulatorFacts | undefined,
): { readonly code: 'NodeMajorMismatch' | 'LocalEnvironmentCap'; readonly text: string }[] {
  if (!facts) return [];
  const marks: { code: 'NodeMajorMismatch' | 'LocalEnvironmentCap'; text: string }[] = [];
  if (!facts.nodeRuntime.matches) marks.push({ code: 'NodeMajorMismatch', text: nodeMismatchText(facts.nodeRuntime) });
  if (facts.concurrency.queued > 0) {
    marks.push({
      code: 'LocalEnvironmentCap',
      text: `${capReachedText(facts)}; latencies include a local wait (this machine's limit, not AWS's)`,
    });
  }
  return marks;
}

/** The progress line (and report warning) for a function that ran on another Node.js major. */
export function nodeMismatchText(node: NodeRuntimeFacts): string {
  return (
    `WRONG NODE.JS MAJOR: ${node.runtime} runs on Node.js ${node.wantedMajor} on AWS, but this run's function ran on ` +
    `Node.js ${node.nodeVersion} (${node.nodePath}); every figure of this run is marked` +
    (node.problem ? `: ${node.problem}` : '')
  );
}

function capReachedText(facts: EmulatorFacts): string {
  const c = facts.concurrency;
  const limit =
    c.limitSource === 'reserved'
      ? `reserved concurrency ${c.concurrencyLimit}`
      : `${c.concurrencyLimit} (account default)`;
  return (
    `this machine's cap of ${c.environmentCap} environment${c.environmentCap === 1 ? '' : 's'} was reached: ` +
    `${c.queued} invocation(s) waited for one ` +
    `(longest ${c.maxQueueWaitMs.toFixed(1)} ms) although Lambda's limit here is ${limit}`
  );
}
