/**
 * A small, dependency-free SVG writer for the calibration example:
 * reliability diagrams (observed against expected coverage) and PIT
 * histograms, one per model.
 */
export interface ModelCurve {
  label: string;
  color: string;
  /** `[level, observed]` pairs. */
  coverage: Array<[number, number]>;
  /** PIT histogram: fraction of points per equal bin of [0, 1]. */
  pit: number[];
}

export interface Dataset {
  title: string;
  models: ModelCurve[];
}

const f = (v: number) => v.toFixed(1);

export function calibrationSvg(datasets: Dataset[]): string {
  const out: string[] = [];
  const text = (x: number, y: number, s: string, size = 12, extra = '') =>
    out.push(`<text x="${f(x)}" y="${f(y)}" font-size="${size}" ${extra}>${s}</text>`);
  const size = 280;
  const left = 60;
  const top = 104;
  const gap = 110;
  const nPit = Math.max(...datasets.map((d) => d.models.length));
  const pitW = 150;
  const pitH = 90;
  const W = Math.max(left + datasets.length * (size + gap), left + 4 * (pitW + 30)) + 40;

  text(20, 30, 'tfjs-gaussian: is the uncertainty right? Reliability diagrams and PIT histograms on held-out data', 18,
    'font-weight="bold"');
  text(20, 50, 'Reliability: the fraction of held-out points inside each model\'s central region of probability p.', 12,
    'fill="#444"');
  text(20, 66, 'On the diagonal: calibrated. Below it: overconfident (regions too small). Above it: underconfident.', 12,
    'fill="#444"');

  // Reliability diagrams.
  datasets.forEach((ds, k) => {
    const x0 = left + k * (size + gap);
    const map = (p: number, q: number): [number, number] => [x0 + p * size, top + (1 - q) * size];
    out.push(`<rect x="${x0}" y="${top}" width="${size}" height="${size}" fill="#fafafa" stroke="#bbb"/>`);
    for (const t of [0, 0.25, 0.5, 0.75, 1]) {
      const [gx] = map(t, 0);
      const [, gy] = map(0, t);
      out.push(`<line x1="${f(gx)}" y1="${top}" x2="${f(gx)}" y2="${top + size}" stroke="#eee"/>`);
      out.push(`<line x1="${x0}" y1="${f(gy)}" x2="${x0 + size}" y2="${f(gy)}" stroke="#eee"/>`);
      text(gx - 8, top + size + 16, t.toFixed(2), 10, 'fill="#666"');
      text(x0 - 30, gy + 4, t.toFixed(2), 10, 'fill="#666"');
    }
    out.push(`<line x1="${x0}" y1="${top + size}" x2="${x0 + size}" y2="${top}" stroke="#888" stroke-dasharray="4 3"/>`);
    text(x0, top - 10, ds.title, 13, 'font-weight="bold"');
    text(x0 + size / 2 - 60, top + size + 34, 'expected coverage p', 11);
    text(x0 - 48, top + size / 2 + 40, 'observed', 11, `transform="rotate(-90 ${x0 - 44} ${top + size / 2 + 40})"`);
    ds.models.forEach((m, j) => {
      const pts = [[0, 0] as [number, number], ...m.coverage, [1, 1] as [number, number]]
        .map(([p, q]) => map(p, q).map(f).join(',')).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${m.color}" stroke-width="2"/>`);
      out.push(`<rect x="${x0 + 10}" y="${top + 10 + j * 16}" width="12" height="3" fill="${m.color}"/>`);
      text(x0 + 27, top + 15 + j * 16, m.label, 11);
    });
  });

  // PIT histograms, a row per data set.
  const pitTop = top + size + 86;
  text(20, pitTop - 30, 'PIT histograms: the probability mass of the region whose boundary passes through each point.', 12,
    'fill="#444"');
  text(20, pitTop - 14, 'Flat (dashed line) when calibrated; heaped at 1: overconfident; heaped at 0: underconfident.', 12,
    'fill="#444"');
  datasets.forEach((ds, k) => {
    ds.models.forEach((m, j) => {
      const x0 = left + j * (pitW + 30);
      const y0 = pitTop + k * (pitH + 46);
      const B = m.pit.length;
      const maxDensity = Math.max(2, ...m.pit.map((v) => v * B));
      out.push(`<rect x="${x0}" y="${y0}" width="${pitW}" height="${pitH}" fill="#fafafa" stroke="#bbb"/>`);
      m.pit.forEach((v, b) => {
        const h = (v * B / maxDensity) * pitH;
        out.push(`<rect x="${f(x0 + (b * pitW) / B + 1)}" y="${f(y0 + pitH - h)}" width="${f(pitW / B - 2)}" ` +
          `height="${f(h)}" fill="${m.color}" opacity="0.8"/>`);
      });
      const flat = y0 + pitH - pitH / maxDensity;
      out.push(`<line x1="${x0}" y1="${f(flat)}" x2="${x0 + pitW}" y2="${f(flat)}" stroke="#333" stroke-dasharray="3 3"/>`);
      text(x0, y0 + pitH + 14, `${ds.title.split(' (')[0]}: ${m.label}`, 10);
    });
  });
  const H = pitTop + datasets.length * (pitH + 46) + 10;
  void nPit;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="Helvetica, Arial, sans-serif"><rect width="${W}" height="${H}" fill="white"/>${out.join('')}</svg>\n`;
}
