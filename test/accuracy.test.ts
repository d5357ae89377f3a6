/**
 * The accuracy targets of the README's accuracy tables, pinned: relative error
 * of klDivergence and its gradients against float64 references, for
 * covariance condition numbers 1e1..1e6 (test/fixtures/accuracy.json), and
 * of cholesky and its gradient (test/fixtures/cholesky_accuracy.json), and
 * of the 'lowrank' NLL and its gradient (test/fixtures/lowrank.json).
 */
import {
  accuracyOf, choleskyAccuracyOf, loadAccuracyCases, loadCholeskyAccuracyCases, loadLowRankAccuracyCases, lowRankAccuracyOf,
} from '../scripts/accuracy_table';
import {compositePath} from './helpers';

const cases = loadAccuracyCases();

describe('accuracy against float64', () => {
  if (!compositePath()) {
    it.each(cases.map((c) => [c.pair, c.d, c.cond, c] as const))(
      'fast kernels: %s pair, d = %i, condition %d: KL and gradients within 1e-5 relative (target 1e-4 up to 1e3)',
      (_p, _d, _c, c) => {
        const e = accuracyOf(c);
        // Float64 accumulation: the measured worst is 1.2e-6 (a gradient, nearby pairs, d = 32).
        expect(e.value).toBeLessThan(1e-5);
        expect(e.grad).toBeLessThan(1e-5);
      });
  } else {
    it.each(cases.map((c) => [c.pair, c.d, c.cond, c] as const))(
      'composite path: %s pair, d = %i, condition %d: within its documented float32 bounds', (pair, _d, cond, c) => {
        const e = accuracyOf(c);
        if (pair === 'independent') {
          // Large KL: measured worst 7.8e-7 (value and gradients).
          expect(e.value).toBeLessThan(1e-5);
          expect(e.grad).toBeLessThan(1e-5);
        } else {
          // Small KL (~1e-4), computed in float32 from terms that are each >= 0
          // (kernels/composite/gaussian_kl.ts, klPair): measured worst up to condition 1e3 is
          // 1.2e-5 (value) and 6.0e-6 (gradients), beyond it 9.1e-5 and 6.5e-5.
          const bound = cond <= 1e3 ? 1e-4 : 2e-4;
          expect(e.value).toBeLessThan(bound);
          expect(e.grad).toBeLessThan(bound);
        }
      });
  }

  const chol = loadCholeskyAccuracyCases();
  it.each(chol.map((c) => [c.n, c.cond, c] as const))(
    'cholesky, n = %i, condition %d: the factor and its gradient within the documented bounds', (_n, cond, c) => {
      const e = choleskyAccuracyOf(c);
      if (!compositePath()) {
        // Float64 inside, one rounding: measured worst 4.4e-8 (L) and 2.5e-7 (gradient).
        expect(e.value).toBeLessThan(1e-6);
        expect(e.grad).toBeLessThan(2e-6);
      } else {
        // Float32 column updates: measured worst 1.3e-5 (L); the gradient, two
        // triangular solves with the computed factor, loses about cond·u:
        // 1.5e-5 up to condition 1e4, 3.2e-4 at 1e5, 1.4e-3 at 1e6.
        expect(e.value).toBeLessThan(1e-4);
        expect(e.grad).toBeLessThan(cond <= 1e4 ? 1e-4 : 5e-3);
      }
    });

  const low = loadLowRankAccuracyCases();
  it.each(low.map((c) => [c.d, c.cond, c] as const))(
    "'lowrank' NLL (r = 4), d = %i, condition of Σ %d: the value and its gradient within the documented bounds", (_d, cond, c) => {
      const e = lowRankAccuracyOf(c);
      if (!compositePath()) {
        // Float64 Woodbury on the capacitance: measured worst 4.8e-8 (value and gradient), flat in the condition.
        expect(e.value).toBeLessThan(1e-6);
        expect(e.grad).toBeLessThan(1e-6);
      } else {
        // Float32: the capacitance's condition grows with Σ's; measured worst 8.4e-6 up to 1e3,
        // 7.5e-5 at 1e4, 1.7e-3 (value) and 1.5e-2 (gradient) beyond.
        const bound = cond <= 1e3 ? 1e-4 : cond <= 1e4 ? 5e-4 : 5e-2;
        expect(e.value).toBeLessThan(bound);
        expect(e.grad).toBeLessThan(bound);
      }
    });
});
