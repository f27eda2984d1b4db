/**
 * The worker side of a parallel import (see import.ts): reads the chunks the main thread
 * hands over, maps each record and analyses it for the index, and sends the records back
 * a batch at a time, at most BATCHES_AHEAD batches ahead of the writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  BATCHES_AHEAD,
  prepareRecord,
  type FromWorker,
  type ImportProblem,
  type ToWorker,
  type WorkerSettings,
} from './import.ts';
import { readMarc } from './marc/index.ts';
import type { StorableRecord } from './record.ts';
import { catalogAnalyzer } from './search/analyzer.ts';
import { analyzeDocument, type DocumentTerms } from './search/engine.ts';
import { toSearchDocument } from './service.ts';

const port = parentPort!;
const settings = workerData as WorkerSettings;

/** Chunks and the end of the input, in order; `saved` only counts down `ahead`. */
const inbox: ToWorker[] = [];
/** Batches sent and not yet saved by the main thread. */
let ahead = 0;
let wake: (() => void) | null = null;
port.on('message', (message: ToWorker) => {
  if (message.type === 'saved') ahead--;
  else inbox.push(message);
  wake?.();
  wake = null;
});

/** Waits for the next message of any kind. */
function anyMessage(): Promise<void> {
  return new Promise<void>((resolve) => (wake = resolve));
}

async function nextInput(): Promise<ToWorker> {
  while (inbox.length === 0) await anyMessage();
  return inbox.shift()!;
}

/**
 * The input, asked for CHUNKS_AHEAD chunks ahead: the main thread answers only between its
 * writes, so a worker that asked for one chunk at a time would sit idle through each write.
 */
const CHUNKS_AHEAD = 4;
async function* input(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < CHUNKS_AHEAD; i++) post({ type: 'more' });
  for (;;) {
    const message = await nextInput();
    if (message.type === 'end') return;
    if (message.type === 'chunk') {
      post({ type: 'more' });
      yield message.bytes;
    }
  }
}

function post(message: FromWorker): void {
  port.postMessage(message);
}

let records: StorableRecord[] = [];
let terms: DocumentTerms[] = [];
let problems: ImportProblem[] = [];
let read = 0;

async function send(): Promise<void> {
  // Wait for the writes to catch up: memory stays bounded whatever the input's size.
  while (ahead >= BATCHES_AHEAD) await anyMessage();
  ahead++;
  post({ type: 'batch', records, terms: settings.analyze ? terms : null, problems, read });
  records = [];
  terms = [];
  problems = [];
}

const readOptions = {
  ...(settings.flavour ? { flavour: settings.flavour } : {}),
  ...(settings.charset ? { charset: settings.charset } : {}),
};
for await (const result of readMarc(input(), readOptions)) {
  read++;
  const prepared = prepareRecord(result, settings);
  if ('problem' in prepared) {
    problems.push(prepared.problem);
    continue;
  }
  const record = prepared.record;
  if (settings.analyze)
    terms.push(analyzeDocument(catalogAnalyzer, toSearchDocument(0, record, record.items, 0)));
  // The stored form needs the source's text only; the parsed MARC would double the copy.
  if (record.iso2709 !== undefined) {
    const { marc: _marc, ...rest } = record;
    records.push(rest);
  } else records.push(record);
  if (records.length >= settings.batchSize) await send();
}
if (records.length > 0) await send();
post({ type: 'done', problems, read });
