/** One row of the browser bench (bench_page.ts), as the page reports it to the runner (run.ts). */
export interface BenchRow {
  backend: string; path: 'fused' | 'composite'; kind: 'kl' | 'nll'; batch: number; d: number;
  ms: number; kernels: number; programs: number;
}
