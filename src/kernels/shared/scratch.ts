/**
 * Reusable typed-array scratch for the typed-array kernels: a kernel's
 * intermediates (never its outputs, which the backend keeps) come from
 * here instead of fresh arrays, which at (256, 8) with K = 5 cost a mixture
 * step five allocations of up to 225 KB, zero-filled, and their collection.
 * Kernels run synchronously and none calls another while holding its
 * scratch, so one array per slot is enough; slots only grow. Contents are
 * not zeroed: a caller writes what it reads.
 */
const f32 = new Map<string, Float32Array>();
const f64 = new Map<string, Float64Array>();

/** A Float32Array of length `n` (a view of the slot's buffer). */
export function scratch32(slot: string, n: number): Float32Array {
  let a = f32.get(slot);
  if (a === undefined || a.length < n) f32.set(slot, a = new Float32Array(Math.max(n, 2 * (a?.length ?? 0))));
  return a.subarray(0, n);
}

/** A Float64Array of length `n` (a view of the slot's buffer). */
export function scratch64(slot: string, n: number): Float64Array {
  let a = f64.get(slot);
  if (a === undefined || a.length < n) f64.set(slot, a = new Float64Array(Math.max(n, 2 * (a?.length ?? 0))));
  return a.subarray(0, n);
}
