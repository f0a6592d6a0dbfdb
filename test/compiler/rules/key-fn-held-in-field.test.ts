import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadPipelines } from '../../../cli/load-pipelines.ts';
import { reportOf } from '../../../cli/report.ts';

const fixture = fileURLToPath(new URL('../../fixtures/check-only/builder-key.ts', import.meta.url));

/**
 * `check` runs the pipeline, so it holds the function a builder's field was set to; the analysis reads that one
 * where it is written, not the field's default (unseen round 9, case 38). The lint does not follow a builder's
 * setters, so this is check's alone.
 */
it('check: a key function a builder keeps in a field is the one withKey(fn) set', async () => {
  const loaded = await loadPipelines(fixture);
  const found = loaded.flatMap((p) =>
    reportOf(p)
      .diagnostics.filter((d) => d.code !== 'IDEM006')
      .map((d) => `${p.exportName} ${d.code} ${d.location?.line}:${d.location?.column}`),
  );
  expect(found).toEqual(['salted IDEM003 26:47']);
}, 60_000);
