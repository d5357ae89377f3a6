/**
 * Which row layouts each backend's fused Gaussian-row kernels take. A
 * backend's register.ts declares them; the dispatcher (fused_op.ts) runs the
 * composite path for rows in any other layout (a call's `layout` attribute).
 * A backend that declares nothing takes every layout.
 */
const fusedLayouts = new Map<string, readonly string[]>();

/** Declares the layouts that `backendName`'s fused kernels take. */
export function declareFusedLayouts(backendName: string, layouts: readonly string[]): void {
  fusedLayouts.set(backendName, layouts);
}

/** True when `backendName`'s fused kernels take rows in `layout`. */
export function takesLayout(backendName: string, layout: string): boolean {
  const layouts = fusedLayouts.get(backendName);
  return layouts === undefined || layouts.includes(layout);
}
