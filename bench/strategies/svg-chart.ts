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

const colours = { repaired: '#1a7f37', over: '#cf222e', under: '#9a6700', exact: '#57606a' } as const;

/** The colour says what the error is: any excess is an overcount, however small (+0.49 % is one). */
export function pointColour(p: ChartPoint): string {
  if (p.repaired) return colours.repaired;
  if (p.error.mean > 0) return colours.over;
  if (p.error.mean < 0) return colours.under;
  return colours.exact;
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
// Helvetica at 12 px: about 6.6 px a character, which is enough to keep labels apart.
const textWidth = (s: string) => s.length * 6.6;

/**
 * Places each label beside its point where it overlaps no label placed
 * before, no point and stays inside the plot: right, left, above, below,
 * then further out. Points close together (two rows at the same error and
 * speed) otherwise print their names over each other.
 */
function placeLabels(
  points: readonly { label: string; cx: number; cy: number }[],
  plot: Box,
  obstacles: readonly Box[] = [],
): { x: number; y: number; anchor: 'start' | 'end' }[] {
  const placed: Box[] = [...obstacles, ...points.map((p) => ({ x: p.cx - 6, y: p.cy - 6, w: 12, h: 12 }))];
  return points.map((p) => {
    const w = textWidth(p.label);
    const candidates: { x: number; y: number; anchor: 'start' | 'end' }[] = [];
    for (const dy of [4, -10, 18, -24, 32, -38, 46]) {
      candidates.push({ x: p.cx + 9, y: p.cy + dy, anchor: 'start' }, { x: p.cx - 9, y: p.cy + dy, anchor: 'end' });
    }
    const boxOf = (c: (typeof candidates)[number]): Box => ({
      x: c.anchor === 'start' ? c.x : c.x - w,
      y: c.y - 11,
      w,
      h: 14,
    });
    const inside = (b: Box) =>
      b.x >= plot.x && b.x + b.w <= plot.x + plot.w && b.y >= plot.y && b.y + b.h <= plot.y + plot.h;
    const chosen =
      candidates.find((c) => inside(boxOf(c)) && !placed.some((b) => overlaps(b, boxOf(c)))) ?? candidates[0]!;
    placed.push(boxOf(chosen));
    return chosen;
  });
}

interface Panel {
  readonly top: number;
  readonly height: number;
  readonly yLo: number;
  readonly yHi: number;
  readonly caption: string;
}

/** One panel: grid, axes, the points within its range (with error bars clipped to it) and their labels. */
function drawPanel(
  out: string[],
  points: readonly ChartPoint[],
  panel: Panel,
  m: { left: number; plotW: number },
  xMax: number,
): void {
  const x = (v: number) => m.left + (v / xMax) * m.plotW;
  const y = (v: number) =>
    panel.top + ((panel.yHi - Math.min(panel.yHi, Math.max(panel.yLo, v))) / (panel.yHi - panel.yLo)) * panel.height;
  const step = ticks(panel.yLo, panel.yHi);
  const decimals = step.length > 1 && Math.abs(step[1]! - step[0]!) < 1 ? 1 : 0;
  for (const t of step) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + m.plotW}" y1="${y(t)}" y2="${y(t)}" stroke="${t === 0 ? '#333' : '#e5e5e5'}" stroke-width="${t === 0 ? 1.5 : 1}"/>`,
    );
    out.push(
      `<text x="${m.left - 8}" y="${y(t) + 4}" text-anchor="end">${t > 0 ? '+' : ''}${t.toFixed(decimals)}%</text>`,
    );
  }
  for (const t of ticks(0, xMax)) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${panel.top}" y2="${panel.top + panel.height}" stroke="#f0f0f0"/>`);
    out.push(
      `<text x="${x(t)}" y="${panel.top + panel.height + 16}" text-anchor="middle">${t >= 1000 ? `${t / 1000}k` : t}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${panel.top}" width="${m.plotW}" height="${panel.height}" fill="none" stroke="#999"/>`,
  );
  out.push(`<text x="${m.left + 6}" y="${panel.top - 6}" font-weight="bold">${escape(panel.caption)}</text>`);
  const shown = points.filter((p) => p.error.mean >= panel.yLo && p.error.mean <= panel.yHi);
  const at = shown.map((p) => ({ label: p.label, cx: x(p.eventsPerSecond), cy: y(p.error.mean) }));
  // The zero line is kept clear too: a label struck through by it is hard to read.
  const labels = placeLabels(at, { x: m.left, y: panel.top, w: m.plotW, h: panel.height }, [
    { x: m.left, y: y(0) - 1, w: m.plotW, h: 2 },
  ]);
  shown.forEach((p, i) => {
    const { cx, cy } = at[i]!;
    const colour = pointColour(p);
    out.push(
      `<line x1="${cx}" x2="${cx}" y1="${y(p.error.min)}" y2="${y(p.error.max)}" stroke="${colour}" stroke-width="2"/>`,
    );
    for (const v of [p.error.min, p.error.max])
      if (v >= panel.yLo && v <= panel.yHi)
        out.push(`<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<circle cx="${cx}" cy="${cy}" r="5" fill="${colour}"/>`);
    const l = labels[i]!;
    out.push(`<text x="${l.x}" y="${l.y}" text-anchor="${l.anchor}" fill="${colour}">${escape(p.label)}</text>`);
  });
}

/**
 * Accuracy against speed, one point a strategy, with error bars over seeds:
 * a plain SVG, no library, so the README shows it on any renderer. The top
 * panel holds every row; the bottom one zooms in on errors near zero, where
 * the rows that matter (exact after repair, or a few per cent off) would
 * otherwise sit on one line.
 */
export function accuracySpeedChart(points: readonly ChartPoint[], title: string, zoom = 5): string {
  const width = 900;
  const m = { left: 80, right: 30, plotW: 900 - 80 - 30 };
  const full: Panel = {
    top: 70,
    height: 360,
    yLo: Math.min(0, ...points.map((p) => p.error.min)) - 1,
    yHi: Math.max(0, ...points.map((p) => p.error.max)) + 1,
    caption: 'every row',
  };
  const near: Panel = {
    top: full.top + full.height + 60,
    height: 300,
    yLo: -zoom,
    yHi: zoom,
    caption: `zoomed: errors between −${zoom}% and +${zoom}% (bars cut at the edges)`,
  };
  const height = near.top + near.height + 80;
  const xMax = Math.max(...points.map((p) => p.eventsPerSecond)) * 1.1;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  );
  drawPanel(out, points, full, m, xMax);
  drawPanel(out, points, near, m, xMax);
  out.push(
    `<text x="${m.left + m.plotW / 2}" y="${near.top + near.height + 38}" text-anchor="middle">throughput, events/s (speed pass, no faults)</text>`,
  );
  out.push(
    `<text transform="translate(20 ${(full.top + near.top + near.height) / 2}) rotate(-90)" text-anchor="middle">final error against the truth (after repair where there is one); bars: min–max over seeds</text>`,
  );
  const legend = [
    [colours.repaired, 'after repair from the system of record'],
    [colours.over, 'no system of record: overcount'],
    [colours.under, 'no system of record: undercount'],
  ] as const;
  const ly = near.top + near.height + 62;
  legend.forEach(([colour, text], i) => {
    const lx = m.left + i * 260;
    out.push(
      `<circle cx="${lx + 5}" cy="${ly}" r="5" fill="${colour}"/><text x="${lx + 15}" y="${ly + 4}">${escape(text)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
