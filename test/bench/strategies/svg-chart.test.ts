import { describe, expect, it } from 'vitest';
import { accuracySpeedChart, type ChartPoint } from '../../../bench/strategies/svg-chart.ts';

// Rows as the committed benchmark measured them: two system-of-record rows at nearly the same speed and error.
const points: ChartPoint[] = [
  { label: 'counters-direct', eventsPerSecond: 6_800, error: { mean: 53, min: 13, max: 88 }, repaired: false },
  { label: 'aggregates-direct', eventsPerSecond: 29_300, error: { mean: 0.49, min: 0.25, max: 0.7 }, repaired: false },
  { label: 'aggregates', eventsPerSecond: 38_700, error: { mean: -2.2, min: -3.5, max: -0.1 }, repaired: false },
  { label: 'aggregates-sor-direct', eventsPerSecond: 11_547, error: { mean: 0, min: 0, max: 0 }, repaired: true },
  { label: 'aggregates-sor', eventsPerSecond: 11_660, error: { mean: -2.7, min: -3.9, max: -0.7 }, repaired: true },
];

interface Label {
  text: string;
  x: number;
  y: number;
  anchor: string;
  fill: string;
}

function labels(svg: string): Label[] {
  return [
    ...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)" fill="(#\w+)">([^<]+)<\/text>/g),
  ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), anchor: m[3]!, fill: m[4]!, text: m[5]! }));
}

const box = (l: Label) => {
  const w = l.text.length * 6.6;
  return { x: l.anchor === 'start' ? l.x : l.x - w, y: l.y - 11, w, h: 14 };
};

describe('the cheat-sheet chart', () => {
  const svg = accuracySpeedChart(
    points,
    'The cheat sheet of Real Time Analytics with Spark Streaming and Cassandra, measured (10 fault schedules a row)',
  );

  it('colours a small overcount (+0.49 %) as an overcount, not an undercount', () => {
    const direct = labels(svg).filter((l) => l.text === 'aggregates-direct');
    expect(direct.length).toBeGreaterThan(0);
    for (const l of direct) expect(l.fill).toBe('#cf222e');
    expect(labels(svg).find((l) => l.text === 'aggregates')!.fill).toBe('#9a6700');
  });

  it('no two labels overlap, in either panel (aggregates-sor-direct and aggregates-sor did)', () => {
    const all = labels(svg);
    expect(all.length).toBeGreaterThanOrEqual(points.length);
    for (const [i, a] of all.entries()) {
      for (const b of all.slice(i + 1)) {
        const [p, q] = [box(a), box(b)];
        const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
        expect(overlap, `${a.text} and ${b.text}`).toBe(false);
      }
    }
  });

  it('has a zoomed panel near zero that shows the rows within ±5 % and leaves out the rest', () => {
    expect(svg).toContain('zoomed: errors between −5% and +5%');
    const count = (text: string) => labels(svg).filter((l) => l.text === text).length;
    expect(count('aggregates-sor')).toBe(2);
    expect(count('aggregates-direct')).toBe(2);
    expect(count('counters-direct')).toBe(1);
  });
});
