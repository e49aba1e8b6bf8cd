import { describe, expect, it } from 'vitest';
import { kernelRandomFill } from '../../../handler/rng.js';

/** Distinct byte values in a buffer: 4 KiB of CSPRNG output has nearly all 256, zeros have one. */
const distinct = (bytes: Uint8Array) => new Set(bytes).size;

describe('kernelRandomFill', () => {
  it('fills the whole buffer from /dev/urandom, differently each time', () => {
    // Prepare
    const fill = kernelRandomFill();
    const first = new Uint8Array(4096);
    const second = new Uint8Array(4096);
    // Act
    fill(first);
    fill(second);
    // Assess
    expect(distinct(first)).toBeGreaterThan(200);
    expect(distinct(first.subarray(4000))).toBeGreaterThan(40);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('falls back to node:crypto where the device does not exist', () => {
    // Act
    const fill = kernelRandomFill('/nonexistent/urandom');
    const bytes = new Uint8Array(4096);
    fill(bytes);
    // Assess
    expect(distinct(bytes)).toBeGreaterThan(200);
  });
});
