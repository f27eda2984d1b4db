/**
 * Test helpers shared by the MARC tests: fixture paths and byte streams cut into
 * awkward chunks, so every reader is exercised across chunk boundaries.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BibRecord } from '../record.ts';
import type { ReadResult } from './errors.ts';
import { toBibRecord } from './map.ts';

/**
 * The bytes of a file in fixtures/.
 *
 * @example
 * fixture('loc-sample-marc.mrc').length; // 23708
 */
export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
}

/**
 * An async byte stream over `bytes` in chunks of `size` (default: one chunk).
 *
 * @example
 * for await (const r of readIso2709(chunks(bytes, 7))) …
 */
export async function* chunks(
  bytes: Uint8Array,
  size = bytes.length || 1,
): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}

/**
 * Everything a reader yields, as an array.
 *
 * @example
 * const results = await collect(readMarcXml(chunks(xml)));
 */
export async function collect(reader: AsyncIterable<ReadResult>): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of reader) out.push(r);
  return out;
}

/**
 * A compact summary for assertions: position and code of each failure, 'ok' otherwise.
 *
 * @example
 * outcomes(results); // ['ok', 'ok', '3:LENGTH_MISMATCH', 'ok']
 */
export function outcomes(results: ReadResult[]): string[] {
  return results.map((r) => (r.ok ? 'ok' : `${r.position}:${r.error.code}`));
}

/**
 * A MARC 21 record reduced to what catalogue look-ups need: a control number, a title and
 * copies (952 $p barcodes), mapped as an import maps it.
 *
 * @example
 * briefRecord('900001', '平凡的世界', ['B-7001']).items[0]?.barcode; // 'B-7001'
 */
export function briefRecord(
  controlNumber: string,
  title: string,
  barcodes: string[] = [],
): BibRecord {
  return toBibRecord({
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '001', value: controlNumber },
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
      ...barcodes.map((barcode) => ({
        tag: '952',
        ind1: ' ',
        ind2: ' ',
        subfields: [{ code: 'p', value: barcode }],
      })),
    ],
  });
}
