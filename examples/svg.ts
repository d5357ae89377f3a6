/**
 * A small, dependency-free SVG writer for the heteroscedastic example:
 * true vs predicted 1σ/2σ ellipses at several inputs, the whole data set,
 * and the training loss curve.
 */
import {truth, TrueGaussian} from './heteroscedastic_data';

export interface Panel {
  x: number;
  samples: Array<[number, number]>;
  truth: TrueGaussian;
  pred: TrueGaussian;
}

const TRUE_COLOR = '#1f5fbf';
const PRED_COLOR = '#e8590c';
const f = (v: number) => v.toFixed(1);

/** The k-sigma ellipse of N(mean, L L^T): the image of the unit circle under k L. */
function ellipse(g: TrueGaussian, k: number, map: (p: [number, number]) => [number, number]): string {
  const pts: string[] = [];
  for (let i = 0; i <= 96; i++) {
    const t = (2 * Math.PI * i) / 96;
    const [u, v] = [Math.cos(t), Math.sin(t)];
    const p = map([g.mean[0] + k * g.L[0][0] * u, g.mean[1] + k * (g.L[1][0] * u + g.L[1][1] * v)]);
    pts.push(`${f(p[0])},${f(p[1])}`);
  }
  return pts.join(' ');
}

/** Blue (x = -1) to red (x = +1). */
function xColor(x: number): string {
  const t = (x + 1) / 2;
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${c(49, 214)},${c(104, 39)},${c(189, 40)})`;
}

export function ellipsesSvg(panels: Panel[], losses: number[], data: Array<{x: number; y: number[]}>, meanKL: number): string {
  const W = 1120;
  const out: string[] = [];
  const text = (x: number, y: number, s: string, size = 13, extra = '') =>
    out.push(`<text x="${f(x)}" y="${f(y)}" font-size="${size}" ${extra}>${s}</text>`);

  text(20, 30, 'tfjs-gaussian: a model learns a 2-D Gaussian whose mean and covariance change with an input x', 18, 'font-weight="bold"');
  text(20, 52, `Trained by negative log-likelihood on observed points only (gaussianNLLLoss + gaussianHead). ` +
    `Mean KL(true ‖ predicted) on 41 held-out inputs: ${meanKL.toFixed(4)}.`, 13, 'fill="#444"');

  // Row 1: one panel per input, each centred on the true mean, same scale.
  const size = 200;
  const gap = 16;
  const top = 90;
  const half = 1.1; // data units from the centre to the panel edge
  panels.forEach((p, i) => {
    const x0 = 20 + i * (size + gap);
    const [cx, cy] = p.truth.mean;
    const map = ([a, b]: [number, number]): [number, number] =>
      [x0 + ((a - cx + half) / (2 * half)) * size, top + ((cy + half - b) / (2 * half)) * size];
    out.push(`<rect x="${x0}" y="${top}" width="${size}" height="${size}" fill="#fafafa" stroke="#bbb"/>`);
    out.push(`<clipPath id="c${i}"><rect x="${x0}" y="${top}" width="${size}" height="${size}"/></clipPath><g clip-path="url(#c${i})">`);
    for (const s of p.samples) {
      const [a, b] = map(s);
      out.push(`<circle cx="${f(a)}" cy="${f(b)}" r="1.8" fill="#888" fill-opacity="0.55"/>`);
    }
    for (const k of [1, 2]) {
      out.push(`<polygon points="${ellipse(p.truth, k, map)}" fill="none" stroke="${TRUE_COLOR}" stroke-width="${k === 1 ? 2.2 : 1.4}"/>`);
      out.push(`<polygon points="${ellipse(p.pred, k, map)}" fill="none" stroke="${PRED_COLOR}" stroke-width="${k === 1 ? 2.2 : 1.4}" stroke-dasharray="6 4"/>`);
    }
    const [tx, ty] = map(p.truth.mean);
    const [px, py] = map(p.pred.mean);
    out.push(`<circle cx="${f(tx)}" cy="${f(ty)}" r="3.5" fill="${TRUE_COLOR}"/>`);
    out.push(`<path d="M${f(px - 4)},${f(py - 4)} L${f(px + 4)},${f(py + 4)} M${f(px - 4)},${f(py + 4)} L${f(px + 4)},${f(py - 4)}" stroke="${PRED_COLOR}" stroke-width="2"/>`);
    out.push('</g>');
    text(x0 + 6, top + 18, `x = ${p.x.toFixed(2)}`, 14, `font-weight="bold" fill="${xColor(p.x)}"`);
    text(x0, top + size + 16, `panel spans ±${half} around the true mean`, 10, 'fill="#666"');
  });

  // Legend.
  const ly = top + size + 42;
  out.push(`<line x1="20" y1="${ly}" x2="50" y2="${ly}" stroke="${TRUE_COLOR}" stroke-width="2.2"/>`);
  text(56, ly + 4, 'true 1σ and 2σ ellipses, • true mean');
  out.push(`<line x1="320" y1="${ly}" x2="350" y2="${ly}" stroke="${PRED_COLOR}" stroke-width="2.2" stroke-dasharray="6 4"/>`);
  text(356, ly + 4, 'predicted 1σ and 2σ ellipses, × predicted mean');
  out.push(`<circle cx="680" cy="${ly}" r="2" fill="#888"/>`);
  text(690, ly + 4, '150 fresh samples from the true distribution at that x');

  // Row 2 left: all the data, coloured by x, with the true mean curve.
  const by = ly + 30;
  const bw = 520;
  const bh = 300;
  const [xmin, xmax, ymin, ymax] = [-2, 2, -1.3, 1.3];
  const dmap = ([a, b]: number[]): [number, number] =>
    [20 + ((a! - xmin) / (xmax - xmin)) * bw, by + ((ymax - b!) / (ymax - ymin)) * bh];
  out.push(`<rect x="20" y="${by}" width="${bw}" height="${bh}" fill="#fafafa" stroke="#bbb"/>`);
  text(28, by + 18, 'The training data: one observed point per input x (colour: x from −1 blue to +1 red)', 12, 'fill="#333"');
  data.forEach((pt) => {
    const [a, b] = dmap(pt.y);
    out.push(`<circle cx="${f(a)}" cy="${f(b)}" r="1.6" fill="${xColor(pt.x)}" fill-opacity="0.45"/>`);
  });
  const curve: string[] = [];
  for (let i = 0; i <= 60; i++) {
    const x = -1 + i / 30;
    const [a, b] = dmap(truth(x).mean);
    curve.push(`${f(a)},${f(b)}`);
  }
  out.push(`<polyline points="${curve.join(' ')}" fill="none" stroke="#333" stroke-width="1.5"/>`);
  panels.forEach((p) => {
    const map = (q: [number, number]) => dmap(q);
    out.push(`<polygon points="${ellipse(p.truth, 2, map)}" fill="none" stroke="${xColor(p.x)}" stroke-width="1.8"/>`);
  });
  text(20 + bw - 40, by + bh - 24, 'y₁ →', 12, 'fill="#555"');
  text(24, by + 40, 'y₂ ↑', 12, 'fill="#555"');
  text(28, by + bh - 10, 'black: true mean as x goes from −1 to +1; coloured: true 2σ ellipses at the five inputs above', 11, 'fill="#555"');

  // Row 2 right: loss curve.
  const lx = 580;
  const lw = 520;
  out.push(`<rect x="${lx}" y="${by}" width="${lw}" height="${bh}" fill="#fafafa" stroke="#bbb"/>`);
  text(lx + 8, by + 18, 'Training loss: mean NLL per point, by epoch (lower is better)', 12, 'fill="#333"');
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const pad = 36;
  const lmap = (i: number, v: number): [number, number] => [
    lx + pad + (i / Math.max(1, losses.length - 1)) * (lw - 2 * pad),
    by + 30 + ((hi - Math.min(v, hi)) / (hi - lo || 1)) * (bh - 60)];
  out.push(`<polyline points="${losses.map((v, i) => lmap(i, v).map(f).join(',')).join(' ')}" fill="none" stroke="${PRED_COLOR}" stroke-width="2"/>`);
  text(lx + 4, lmap(0, hi)[1] + 4, hi.toFixed(2), 10, 'fill="#666"');
  text(lx + 4, lmap(0, lo)[1] + 4, lo.toFixed(2), 10, 'fill="#666"');
  text(lx + pad, by + bh - 8, 'epoch 1', 10, 'fill="#666"');
  text(lx + lw - pad - 40, by + bh - 8, `epoch ${losses.length}`, 10, 'fill="#666"');

  const H = by + bh + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">\n` +
    `<rect width="${W}" height="${H}" fill="white"/>\n${out.join('\n')}\n</svg>\n`;
}
