/**
 * The Shulin side of bench/catalogue. run.ts calls createShulinTarget(dir)
 * in a process of its own, then importMarc(records.mrc), then search() for
 * every query (timed: top 20 ranked, total, facet counts), sizeBytes(), close().
 *
 * It is the product's own path: `buildApp` on a SQLite file in `dir`, the MARC
 * importer (parse, map, one transaction per batch, then the search index), and
 * the catalogue service's search (index, then the 20 hits read from the database).
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildApp } from '../../server/app.ts';
import { importMarc } from '../../server/modules/catalog/import.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { createLogger } from '../../server/platform/logger.ts';

export interface CatalogueTarget {
  name: string;
  /** Imports an ISO 2709 file (CNMARC/UNIMARC and MARC21 mixed, UTF-8). */
  importMarc(file: string): Promise<{ records: number; seconds: number }>;
  /** Top 20 ranked results for a reader's query, the total, and facet counts. */
  search(q: string): Promise<{
    total: number;
    hits: Array<{ id: string; title: string }>;
    facets?: unknown;
  }>;
  /** Bytes on disk of everything the index needs. */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

/** `dir` is an empty scratch folder the target owns (removed after the run). */
export async function createShulinTarget(dir: string): Promise<CatalogueTarget> {
  await mkdir(dir, { recursive: true });
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'shulin.db')}`,
    SHULIN_DEMO: 'off',
    LOG_LEVEL: 'warn',
  });
  const shulin = await buildApp(config, {
    logger: createLogger({ level: 'warn' }),
    catalogRefreshMs: 0,
  });
  await shulin.start();
  const { catalog } = shulin.services;
  return {
    name: 'SQLite + in-memory index, jieba/pinyin/繁简 analysis, facets',
    async importMarc(file) {
      const started = performance.now();
      const summary = await importMarc(createReadStream(file, { highWaterMark: 1 << 20 }), catalog);
      return {
        records: summary.created + summary.updated,
        seconds: (performance.now() - started) / 1000,
      };
    },
    async search(q) {
      const result = await catalog.search({ q, limit: 20 });
      return {
        total: result.total,
        // Hits carry the control number (001) as id, like the peers'.
        hits: result.hits.map((h) => ({ id: h.controlNumber, title: h.title })),
        facets: result.facets,
      };
    },
    async sizeBytes() {
      let bytes = 0;
      for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
      return bytes;
    },
    async close() {
      await shulin.close();
    },
  };
}
