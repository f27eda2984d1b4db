import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { importMarc } from './import.ts';
import type { CatalogService } from './service.ts';

const DEMO_FILES = ['demo-library.mrc', 'cnmarc-classics.mrc', 'loc-sample.mrc'].map((name) =>
  fileURLToPath(new URL(`./demo/${name}`, import.meta.url)),
);

/**
 * Loads the demo library's records into an empty catalogue (first start with
 * SHULIN_DEMO on), so that search works right after `npm start`.
 */
export async function seedDemoCatalogue(catalog: CatalogService, logger: Logger): Promise<number> {
  if ((await catalog.count()) > 0) return 0;
  let created = 0;
  for (const file of DEMO_FILES) {
    const summary = await importMarc(createReadStream(file), catalog);
    created += summary.created;
    for (const problem of summary.problems) {
      logger.warn({ file, ...problem }, 'demo record skipped');
    }
  }
  logger.info({ records: created }, 'demo catalogue loaded');
  return created;
}
