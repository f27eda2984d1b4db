/**
 * Imports MARC records (ISO 2709 or MARCXML, MARC 21 or UNIMARC/CNMARC, any of the
 * supported character sets, gzip or not) into the catalogue. Streaming with
 * constant memory; records are written in batches, one transaction each, and
 * indexed once committed. A broken record is reported with its position and
 * reason and skipped; the rest of the batch still lands.
 */
import type { Charset, Flavour, MarcErrorCode } from './marc/index.ts';
import { readMarc, toBibRecord } from './marc/index.ts';
import type { BibRecord } from './record.ts';
import type { CatalogService } from './service.ts';

export interface ImportOptions {
  /** Force MARC 21 or UNIMARC (CNMARC) instead of detecting per record. */
  readonly flavour?: Flavour;
  /** Force a character set instead of reading the declaration and sniffing. */
  readonly charset?: Charset;
  /** Fields holding items, per flavour (defaults: 852/949/952 and 905/995). */
  readonly itemFields?: { marc21?: string[]; unimarc?: string[] };
  readonly batchSize?: number;
  /** Called after every batch (a progress bar). */
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProblem {
  /** 1-based position of the record in the input. */
  readonly position: number;
  /** Byte offset of the record (ISO 2709) or of its `<record>` (MARCXML). */
  readonly offset: number;
  readonly code: MarcErrorCode | 'MAPPING_FAILED' | 'NO_TITLE' | 'NO_CONTROL_NUMBER';
  readonly message: string;
}

export interface ImportProgress {
  readonly read: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly bytes: number;
}

export interface ImportSummary extends ImportProgress {
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** The first problems (at most 1000), in input order. */
  readonly problems: readonly ImportProblem[];
}

const MAX_PROBLEMS = 1000;

/** Counts bytes as they pass, for the progress bar. */
async function* counted(
  input: AsyncIterable<Uint8Array>,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of input) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

/**
 * @example
 * const summary = await importMarc(createReadStream('export.mrc'), catalog, { onProgress });
 * console.log(`${summary.created} new, ${summary.failed} failed`);
 */
export async function importMarc(
  input: AsyncIterable<Uint8Array>,
  catalog: CatalogService,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 1000;
  const problems: ImportProblem[] = [];
  let read = 0;
  let created = 0;
  let updated = 0;
  let failed = 0;
  let bytes = 0;
  let batch: BibRecord[] = [];

  const problem = (p: ImportProblem) => {
    failed++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const progress = (): ImportProgress => ({ read, created, updated, failed, bytes });
  const flush = async () => {
    if (batch.length === 0) return;
    const saved = await catalog.saveBatch(batch);
    created += saved.created;
    updated += saved.updated;
    batch = [];
    options.onProgress?.(progress());
  };

  const readOptions = {
    ...(options.flavour ? { flavour: options.flavour } : {}),
    ...(options.charset ? { charset: options.charset } : {}),
  };
  for await (const result of readMarc(
    counted(input, (n) => (bytes += n)),
    readOptions,
  )) {
    read++;
    if (!result.ok) {
      problem({
        position: result.position,
        offset: result.offset,
        code: result.error.code,
        message: result.error.message,
      });
      continue;
    }
    let record: BibRecord;
    try {
      record = toBibRecord(
        result.record,
        options.flavour ?? result.flavour ?? 'auto',
        options.itemFields ? { itemFields: options.itemFields } : {},
      );
    } catch (error) {
      problem({
        position: result.position,
        offset: result.offset,
        code: 'MAPPING_FAILED',
        message: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (!record.controlNumber) {
      problem({
        position: result.position,
        offset: result.offset,
        code: 'NO_CONTROL_NUMBER',
        message: 'the record has no control number (001) and no ISBN to derive one from',
      });
      continue;
    }
    if (!record.title) {
      problem({
        position: result.position,
        offset: result.offset,
        code: 'NO_TITLE',
        message: 'the record has no title',
      });
      continue;
    }
    batch.push(record);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const seconds = (performance.now() - started) / 1000;
  return {
    ...progress(),
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: seconds > 0 ? Math.round((created + updated) / seconds) : 0,
    problems,
  };
}
