/**
 * Imports MARC records (ISO 2709 or MARCXML, MARC 21 or UNIMARC/CNMARC, any of the
 * supported character sets, gzip or not) into the catalogue. Streaming with
 * constant memory; records are written in batches, one transaction each, and
 * indexed once committed. A broken record is reported with its position and
 * reason and skipped; the rest of the batch still lands.
 *
 * A large import runs on two threads: a worker reads, maps and analyses the
 * records (import-worker.ts) while this thread writes the previous batch and
 * adds it to the index.
 */
import { Worker } from 'node:worker_threads';
import type { Charset, Flavour, MarcErrorCode, ReadResult } from './marc/index.ts';
import { readMarc, toBibRecord } from './marc/index.ts';
import type { BibRecord, StorableRecord } from './record.ts';
import type { DocumentTerms } from './search/engine.ts';
import type { CatalogService } from './service.ts';

export interface ImportOptions {
  /** Force MARC 21 or UNIMARC (CNMARC) instead of detecting per record. */
  readonly flavour?: Flavour;
  /** Force a character set instead of reading the declaration and sniffing. */
  readonly charset?: Charset;
  /** Fields holding items, per flavour (defaults: 852/949/952 and 905/995). */
  readonly itemFields?: { marc21?: string[]; unimarc?: string[] };
  readonly batchSize?: number;
  /**
   * Read, map and analyse on a worker thread while this one writes: true, false, or by
   * size (default: inputs past 4 MB, where the worker's start-up of about a second pays).
   */
  readonly parallel?: boolean;
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

/** Inputs smaller than this are imported on the calling thread (see `parallel`). */
const PARALLEL_FROM_BYTES = 4 << 20;
/** Batches the worker may run ahead of the writes: enough to keep both threads busy. */
export const BATCHES_AHEAD = 2;

/** What the worker needs to know (its `workerData`). */
export interface WorkerSettings {
  readonly flavour?: Flavour;
  readonly charset?: Charset;
  readonly itemFields?: { marc21?: string[]; unimarc?: string[] };
  readonly batchSize: number;
  /** Analyse for the index too (false when the catalogue does not index). */
  readonly analyze: boolean;
}

/** Messages from the worker. */
export type FromWorker =
  | { type: 'more' }
  | {
      type: 'batch';
      records: StorableRecord[];
      terms: DocumentTerms[] | null;
      problems: ImportProblem[];
      read: number;
    }
  | { type: 'done'; problems: ImportProblem[]; read: number };

/** Messages to the worker. */
export type ToWorker = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' } | { type: 'saved' };

/**
 * A read result as a record to store, or the problem that keeps it out. The same rules
 * on either thread.
 */
export function prepareRecord(
  result: ReadResult,
  options: Pick<ImportOptions, 'flavour' | 'itemFields'>,
): { record: BibRecord } | { problem: ImportProblem } {
  if (!result.ok) {
    return {
      problem: {
        position: result.position,
        offset: result.offset,
        code: result.error.code,
        message: result.error.message,
      },
    };
  }
  let record: BibRecord;
  try {
    record = toBibRecord(
      result.record,
      options.flavour ?? result.flavour ?? 'auto',
      options.itemFields ? { itemFields: options.itemFields } : {},
    );
  } catch (error) {
    return {
      problem: {
        position: result.position,
        offset: result.offset,
        code: 'MAPPING_FAILED',
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
  if (!record.controlNumber) {
    return {
      problem: {
        position: result.position,
        offset: result.offset,
        code: 'NO_CONTROL_NUMBER',
        message: 'the record has no control number (001) and no ISBN to derive one from',
      },
    };
  }
  if (!record.title) {
    return {
      problem: {
        position: result.position,
        offset: result.offset,
        code: 'NO_TITLE',
        message: 'the record has no title',
      },
    };
  }
  if (result.source !== undefined) record.iso2709 = result.source;
  return { record };
}

/** The first chunks up to `limit` bytes, and whether they were all of the input. */
async function peek(
  it: AsyncIterator<Uint8Array>,
  limit: number,
): Promise<{ head: Uint8Array[]; ended: boolean }> {
  const head: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const next = await it.next();
    if (next.done) return { head, ended: true };
    head.push(next.value);
    size += next.value.byteLength;
  }
  return { head, ended: false };
}

async function* chain(
  head: readonly Uint8Array[],
  rest: AsyncIterator<Uint8Array> | null,
): AsyncGenerator<Uint8Array> {
  yield* head;
  if (!rest) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
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

  const problem = (p: ImportProblem) => {
    failed++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const progress = (): ImportProgress => ({ read, created, updated, failed, bytes });
  const save = async (batch: readonly StorableRecord[], terms?: readonly DocumentTerms[]) => {
    if (batch.length === 0) return;
    const saved = await catalog.saveBatch(batch, terms);
    created += saved.created;
    updated += saved.updated;
    options.onProgress?.(progress());
  };

  const it = counted(input, (n) => (bytes += n))[Symbol.asyncIterator]();
  // Small inputs stay on this thread: starting the worker would cost more than it saves.
  const peeked = options.parallel === undefined ? await peek(it, PARALLEL_FROM_BYTES) : null;
  const chunks = chain(peeked?.head ?? [], peeked?.ended ? null : it);

  if (options.parallel ?? !peeked!.ended) {
    const settings: WorkerSettings = {
      ...(options.flavour ? { flavour: options.flavour } : {}),
      ...(options.charset ? { charset: options.charset } : {}),
      ...(options.itemFields ? { itemFields: options.itemFields } : {}),
      batchSize,
      analyze: catalog.indexing,
    };
    await inWorker(chunks, settings, {
      batch: async (records, terms, found, readSoFar) => {
        for (const p of found) problem(p);
        read = readSoFar;
        await save(records, terms ?? undefined);
      },
      done: (found, readSoFar) => {
        for (const p of found) problem(p);
        read = readSoFar;
      },
    });
  } else {
    const readOptions = {
      ...(options.flavour ? { flavour: options.flavour } : {}),
      ...(options.charset ? { charset: options.charset } : {}),
    };
    let batch: BibRecord[] = [];
    for await (const result of readMarc(chunks, readOptions)) {
      read++;
      const prepared = prepareRecord(result, options);
      if ('problem' in prepared) {
        problem(prepared.problem);
        continue;
      }
      batch.push(prepared.record);
      if (batch.length >= batchSize) {
        await save(batch);
        batch = [];
      }
    }
    await save(batch);
  }
  catalog.settle();
  const seconds = (performance.now() - started) / 1000;
  return {
    ...progress(),
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: seconds > 0 ? Math.round((created + updated) / seconds) : 0,
    problems,
  };
}

/**
 * Feeds the input to a worker and saves what it sends back, one batch at a time, in
 * order. The worker pulls chunks (`more`, a few ahead of its reading, so that it has input
 * while this thread writes) and runs at most BATCHES_AHEAD batches ahead,
 * so memory stays bounded whatever the input size. A failed save or a failing worker
 * ends the import with that error; batches saved before it stay saved.
 */
async function inWorker(
  chunks: AsyncIterator<Uint8Array>,
  settings: WorkerSettings,
  on: {
    batch: (
      records: StorableRecord[],
      terms: DocumentTerms[] | null,
      problems: ImportProblem[],
      read: number,
    ) => Promise<void>;
    done: (problems: ImportProblem[], read: number) => void;
  },
): Promise<void> {
  const worker = new Worker(new URL('./import-worker.js', import.meta.url), {
    workerData: settings,
  });
  const send = (message: ToWorker, transfer?: ArrayBuffer[]) =>
    worker.postMessage(message, transfer);
  try {
    await new Promise<void>((resolve, reject) => {
      // Saves run one after another, in the order the batches come.
      let saving: Promise<void> = Promise.resolve();
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the import worker stopped (exit ${code})`)));
      worker.on('message', (message: FromWorker) => {
        if (settled) return;
        switch (message.type) {
          case 'more':
            chunks.next().then((next) => {
              if (settled) return;
              if (next.done) return send({ type: 'end' });
              // A copy the worker owns: the caller's chunk may be a view of a pooled buffer.
              const bytes = new Uint8Array(next.value);
              send({ type: 'chunk', bytes }, [bytes.buffer]);
            }, fail);
            return;
          case 'batch':
            saving = saving.then(async () => {
              if (settled) return;
              await on.batch(message.records, message.terms, message.problems, message.read);
              send({ type: 'saved' });
            });
            saving.catch(fail);
            return;
          case 'done':
            saving.then(() => {
              on.done(message.problems, message.read);
              settled = true; // the exit that follows is expected
              resolve();
            }, fail);
            return;
        }
      });
    });
  } finally {
    await worker.terminate();
  }
}
