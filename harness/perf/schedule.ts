/**
 * The interleaving of a benchmark: every round runs each variant once, back to back, so a candidate and its
 * baseline always share the machine's state of the moment (docs/measurement.md#interleaved-rounds). The order flips every
 * round (A B, B A, A B, ...) so neither side always runs first, after the other has warmed caches or
 * heated the CPU.
 */

/** One slot of the schedule. */
export interface Slot<V extends string> {
  /** 0-based round. */
  readonly round: number;
  readonly variant: V;
}

/** The order to run `variants` in over `rounds` rounds; throws on fewer than 1 round or no variants. */
export function interleavedSchedule<V extends string>(rounds: number, variants: readonly V[]): Slot<V>[] {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a whole number ≥ 1; got ${rounds}`);
  if (variants.length === 0) throw new RangeError('give at least one variant to schedule');
  if (new Set(variants).size !== variants.length)
    throw new RangeError(`variants must be distinct; got ${variants.join(', ')}`);
  const slots: Slot<V>[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) slots.push({ round, variant });
  }
  return slots;
}

/**
 * Runs `measure` in the order of {@link interleavedSchedule} and returns, per variant, one result per round
 * (index = round). Runs one slot at a time: a benchmark never overlaps its own measurements.
 */
export async function runInterleaved<V extends string, R>(
  rounds: number,
  variants: readonly V[],
  measure: (variant: V, round: number) => Promise<R>,
): Promise<Record<V, R[]>> {
  const results = Object.fromEntries(variants.map((v) => [v, [] as R[]])) as Record<V, R[]>;
  for (const slot of interleavedSchedule(rounds, variants)) {
    results[slot.variant][slot.round] = await measure(slot.variant, slot.round);
  }
  return results;
}
