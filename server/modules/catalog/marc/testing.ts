/**
 * Test helpers shared by the MARC tests: fixture paths and byte streams cut into
 * awkward chunks, so every reader is exercised across chunk boundaries.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReadResult } from './errors.ts';

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
