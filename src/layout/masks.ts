/**
 * Constant 0/1 masks for `n x n` matrices. Multiplying by one of these is how
 * the library keeps a triangle or a diagonal: tf.linalg.bandPart's gradient
 * throws for a batch of one and it runs one kernel per matrix.
 */

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
