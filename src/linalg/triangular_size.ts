/**
 * Size helpers for packed triangular matrices: `m = n(n + 1) / 2`.
 */

/** The `n` with `n(n + 1) / 2 === m`, or `null` when `m` is not triangular. */
export function triangularSide(m: number): number | null {
  if (!Number.isInteger(m) || m < 0) return null;
  // Solve n^2 + n - 2m = 0 and check the rounded root exactly in integers.
  const n = Math.round((Math.sqrt(8 * m + 1) - 1) / 2);
  return (n * (n + 1)) / 2 === m ? n : null;
}

const maskCache = new Map<string, Float32Array>();

/**
 * A cached 0/1 mask, row-major `n x n`: `'lower'` keeps `j <= i`, `'upper'`
 * keeps `j >= i`, `'eye'` keeps `j === i`. Only the plain array is cached,
 * never a tensor, so no tensor outlives the call that uploads it.
 */
export function maskValues(n: number, kind: 'lower' | 'upper' | 'eye'): Float32Array {
  const key = `${kind}:${n}`;
  let m = maskCache.get(key);
  if (m === undefined) {
    m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const keep = kind === 'lower' ? j <= i : kind === 'upper' ? j >= i : j === i;
        m[i * n + j] = keep ? 1 : 0;
      }
    }
    maskCache.set(key, m);
  }
  return m;
}
