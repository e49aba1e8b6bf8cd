/**
 * A small seeded random source for the bootstrap: the same seed gives the same intervals, so a comparison can
 * be replayed and tests are deterministic. Not for anything that needs unpredictability.
 */

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * mulberry32: 32 bits of state, period 2^32, passes the common statistical batteries for this use (a few
 * million draws per comparison). `seed` is taken modulo 2^32.
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
