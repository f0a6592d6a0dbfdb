import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

describe('idemflow graph', () => {
  it('draws the sensor pipeline in mermaid, with the archive and dead letters as branches', () => {
    const r = runCli(['graph', 'pipelines/sensor-counts.ts']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(r.stdout).toContain('kafka (offsets)');
    expect(r.stdout).toContain('archive → idemflow.sensor_events');
    expect(r.stdout).toContain('tumbling 1min');
    expect(r.stdout).toMatch(/-->\|raw events\|/);
    expect(r.stdout).toMatch(/-->\|invalid\|/);
    expect(r.stdout).toContain('upsert idemflow.sensor_counts (retry ×5)');
    // Every edge joins declared nodes.
    const declared = new Set(lines.filter((l) => /^\s+n?\w+[[(]/.test(l)).map((l) => l.trim().split(/[[(]/)[0]));
    for (const l of lines.filter((x) => x.includes('-->'))) {
      const [from, to] = [l.trim().split(' ')[0], l.trim().split(' ').at(-1)];
      expect(declared.has(from), l).toBe(true);
      expect(declared.has(to), l).toBe(true);
    }
  });

  it('--format json (documented in the README, rejected before): one document, every edge joining declared nodes', () => {
    const r = runCli([
      'graph',
      'pipelines/sensor-counts.ts',
      'pipelines/strategies/counters-wal.ts',
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    const { pipelines } = JSON.parse(r.stdout) as {
      pipelines: {
        title: string;
        nodes: { id: string; label: string; role: string }[];
        edges: { from: string; to: string; label?: string }[];
      }[];
    };
    expect(pipelines.map((p) => p.title)).toEqual(['sensor-counts', 'counters-wal']);
    const [sensor] = pipelines;
    expect(sensor!.nodes[0]).toMatchObject({
      role: 'source',
      label: expect.stringContaining('kafka (offsets)') as unknown,
    });
    expect(sensor!.nodes.at(-1)).toMatchObject({ role: 'sink', label: 'upsert idemflow.sensor_counts (retry ×5)' });
    expect(sensor!.edges.filter((e) => e.label === 'raw events')).toHaveLength(1);
    for (const p of pipelines) {
      const ids = new Set(p.nodes.map((n) => n.id));
      for (const e of p.edges) expect(ids.has(e.from) && ids.has(e.to), JSON.stringify(e)).toBe(true);
    }
  });

  it('draws DOT', () => {
    const r = runCli(['graph', 'pipelines/strategies/counters-wal.ts', '--format', 'dot']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^digraph "counters-wal" \{/);
    expect(r.stdout).toContain('socket + WAL (receiver-wal)');
    expect(r.stdout).toContain('counter idemflow.events_counts (retry ×3)');
    expect(r.stdout.trim().endsWith('}')).toBe(true);
  });
});
