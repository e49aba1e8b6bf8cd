import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** The only source of randomness the generators see: seeded (reproducible) or CSPRNG. */
export interface Rng {
  /** Uniform integer in [min, max], both inclusive safe integers. */
  int(min: number, max: number): number;
  /** Uniform float in [0, 1), 53 random bits. */
  float(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
}

/** Makes the Rng of one request: seeded when the client gave a seed, CSPRNG otherwise. */
export type RngFactory = (seed: string | null) => Rng;

/**
 * An Rng over any pure-rand generator; the distributions (pure-rand's unbiased `uniformInt` and
 * 53-bit `uniformFloat64`) are the same for both sources, so only the bits differ.
 */
class GeneratorRng implements Rng {
  constructor(private readonly source: RandomGenerator) {}

  int(min: number, max: number): number {
    return uniformInt(this.source, min, max);
  }

  float(): number {
    return uniformFloat64(this.source);
  }

  uint32(): number {
    return this.source.next() >>> 0;
  }
}

/** Fills `bytes` with cryptographically secure random bytes. */
export type RandomFill = (bytes: Uint8Array) => void;

/**
 * The kernel CSPRNG (`path`, /dev/urandom; OpenSSL seeds node:crypto from the same source), or node:crypto's
 * `randomFillSync` where that device does not exist. Not node:crypto first: loading it costs a cold
 * start ~47 M instructions (≈ 40 internal modules: streams, keys, x509...), nearly as much as pino and
 * the rest of the handler together (README, "Measuring performance", figure `handler`). Builtins come through
 * `process.getBuiltinModule`, not an ESM import, whose namespace would load every lazy export.
 */
export function kernelRandomFill(path = '/dev/urandom'): RandomFill {
  const fs = process.getBuiltinModule('node:fs');
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return process.getBuiltinModule('node:crypto').randomFillSync;
  }
  return (bytes) => {
    for (let done = 0; done < bytes.length; ) {
      const read = fs.readSync(fd, bytes, done, bytes.length - done, null);
      if (read === 0) throw new Error(`'${path}' returned no bytes`);
      done += read;
    }
  };
}

// Opened on the first unseeded request, not at import; one descriptor per process.
let processFill: RandomFill | undefined;

/**
 * pure-rand's generator contract backed by a CSPRNG. Reads from a pool refilled 4 KiB at a time,
 * because one fill costs about as much as filling a few KiB.
 */
class CryptoSource implements RandomGenerator {
  private readonly pool = new Int32Array(1024);
  private readonly bytes = new Uint8Array(this.pool.buffer);
  private index = this.pool.length;

  next(): number {
    if (this.index === this.pool.length) {
      processFill ??= kernelRandomFill();
      processFill(this.bytes);
      this.index = 0;
    }
    return this.pool[this.index++]!;
  }

  clone(): RandomGenerator {
    return new CryptoSource();
  }

  getState(): readonly number[] {
    return [];
  }
}

/** One pool per process: Lambda runs one request at a time per environment. */
const cryptoSource = new CryptoSource();

/** Unpredictable values from the kernel's CSPRNG, for requests without a seed. */
export function createCryptoRng(): Rng {
  return new GeneratorRng(cryptoSource);
}

/**
 * Reproducible values: the seed string's SHA-256 gives xoroshiro128+ its full 128-bit state, so every
 * distinct seed starts a distinct stream, on any machine and any run.
 */
export function createSeededRng(seed: string): Rng {
  // Loaded on the first seeded request only (see kernelRandomFill for its cost).
  const { createHash } = process.getBuiltinModule('node:crypto');
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  const state = [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
  // xoroshiro's all-zero state would emit zeros forever; SHA-256 reaching it is a 2^-128 event, guard anyway.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return new GeneratorRng(xoroshiro128plusFromState(state));
}

/** The production factory: seeded when a seed is given, CSPRNG otherwise. */
export const defaultRngFactory: RngFactory = (seed) => (seed === null ? createCryptoRng() : createSeededRng(seed));
