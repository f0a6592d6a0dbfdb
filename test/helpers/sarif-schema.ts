import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

/**
 * The official OASIS SARIF 2.1.0 schema (errata01). GitHub, where OASIS
 * publishes it, is not reachable from these machines; the Go module proxy is,
 * and the go-sarif module embeds the schema verbatim for its own validation.
 * Fetched once and cached next to the servers' jars.
 */
const moduleZip = 'github.com/owenrumney/go-sarif/v3/@v/v3.3.1.zip';
const fileInZip = 'github.com/owenrumney/go-sarif/v3@v3.3.1/pkg/report/v210/sarif/schema.go';
const cacheFile = join(homedir(), '.cache', 'idemflow', 'sarif', 'sarif-schema-2.1.0.json');

function proxies(): string[] {
  const configured = (process.env.GOPROXY ?? 'https://proxy.golang.org')
    .split(/[,|]/)
    .filter((p) => p.startsWith('http'));
  return configured.length > 0 ? configured : ['https://proxy.golang.org'];
}

async function download(): Promise<string> {
  const errors: string[] = [];
  for (const proxy of proxies()) {
    try {
      const response = await fetch(`${proxy.replace(/\/$/, '')}/${moduleZip}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const files = unzipSync(new Uint8Array(await response.arrayBuffer()), { filter: (f) => f.name === fileInZip });
      const source = new TextDecoder().decode(files[fileInZip]);
      const schema = /`(\{[\s\S]*\})\s*`/.exec(source)?.[1];
      if (!schema) throw new Error(`${fileInZip} holds no schema literal`);
      return schema;
    } catch (error) {
      errors.push(`${proxy}: ${(error as Error).message}`);
    }
  }
  throw new Error(`could not fetch the SARIF schema: ${errors.join('; ')}`);
}

export async function officialSarifSchema(): Promise<Record<string, unknown>> {
  if (!existsSync(cacheFile)) {
    const text = await download();
    mkdirSync(join(cacheFile, '..'), { recursive: true });
    writeFileSync(cacheFile, text);
  }
  const schema = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, unknown>;
  // Make sure it is the real thing, not whatever happened to be cached.
  if (
    schema.title !== 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema' ||
    !String(schema.id).endsWith('/sarif-schema-2.1.0.json')
  ) {
    throw new Error(`${cacheFile} is not the OASIS SARIF 2.1.0 schema`);
  }
  return schema;
}
