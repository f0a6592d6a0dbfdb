/** One point of the chart: a strategy's speed, and its final error over seeds (mean with min–max bars). */
export interface ChartPoint {
  readonly label: string;
  readonly eventsPerSecond: number;
  readonly error: { readonly mean: number; readonly min: number; readonly max: number };
  /** Drawn differently: rows whose final figure is after a repair. */
  readonly repaired: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A step of 1, 2 or 5 × 10ⁿ giving about `count` ticks over the range. */
function ticks(lo: number, hi: number, count = 6): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step / 1e6; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/**
 * Accuracy against speed, one point a strategy, with error bars over seeds:
 * a plain SVG, no library, so the README shows it on any renderer.
 */
export function accuracySpeedChart(points: readonly ChartPoint[], title: string): string {
  const width = 860;
  const height = 520;
  const m = { left: 80, right: 30, top: 50, bottom: 60 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xMax = Math.max(...points.map((p) => p.eventsPerSecond)) * 1.1;
  const yLo = Math.min(0, ...points.map((p) => p.error.min)) - 1;
  const yHi = Math.max(0, ...points.map((p) => p.error.max)) + 1;
  const x = (v: number) => m.left + (v / xMax) * plotW;
  const y = (v: number) => m.top + ((yHi - v) / (yHi - yLo)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`);
  for (const t of ticks(yLo, yHi)) {
    out.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="${t === 0 ? '#333' : '#e5e5e5'}" stroke-width="${t === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${m.left - 8}" y="${y(t) + 4}" text-anchor="end">${t > 0 ? '+' : ''}${t}%</text>`);
  }
  for (const t of ticks(0, xMax)) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(t)}" y="${m.top + plotH + 18}" text-anchor="middle">${t >= 1000 ? `${t / 1000}k` : t}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${m.left + plotW / 2}" y="${height - 16}" text-anchor="middle">throughput, events/s (speed pass, no faults)</text>`);
  out.push(`<text transform="translate(20 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">final error against the truth (after repair where there is one); bars: min–max over seeds</text>`);
  points.forEach((p, i) => {
    const cx = x(p.eventsPerSecond);
    const colour = p.repaired ? '#1a7f37' : p.error.mean > 0.5 ? '#cf222e' : '#9a6700';
    out.push(`<line x1="${cx}" x2="${cx}" y1="${y(p.error.min)}" y2="${y(p.error.max)}" stroke="${colour}" stroke-width="2"/>`);
    for (const v of [p.error.min, p.error.max]) out.push(`<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<circle cx="${cx}" cy="${y(p.error.mean)}" r="5" fill="${colour}"/>`);
    // Alternate label sides so neighbours do not overlap.
    const dy = i % 2 === 0 ? -10 : 18;
    out.push(`<text x="${cx + 8}" y="${y(p.error.mean) + dy}" fill="${colour}">${escape(p.label)}</text>`);
  });
  out.push(`<g transform="translate(${m.left + 10} ${m.top + 14})"><circle r="5" fill="#1a7f37"/><text x="10" y="4">after repair from the system of record</text><circle cy="18" r="5" fill="#9a6700"/><text x="10" y="22">no system of record: undercount</text><circle cy="36" r="5" fill="#cf222e"/><text x="10" y="40">no system of record: overcount</text></g>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
