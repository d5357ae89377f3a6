/**
 * Size helper for packed triangular matrices: `m = n(n + 1) / 2`.
 */

/** The `n` with `n(n + 1) / 2 === m`, or `null` when `m` is not triangular. */
export function triangularSide(m: number): number | null {
  if (!Number.isInteger(m) || m < 0) return null;
  // Solve n^2 + n - 2m = 0 and check the rounded root exactly in integers.
  const n = Math.round((Math.sqrt(8 * m + 1) - 1) / 2);
  return (n * (n + 1)) / 2 === m ? n : null;
}
