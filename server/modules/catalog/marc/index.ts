/**
 * The MARC toolkit's public face: readers for ISO 2709 and MARCXML, container and flavour
 * detection, the BibRecord mapping, and `readMarc`, which picks the reader by content.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { detectContainer } from './detect.ts';
import { MarcError, type ReadResult } from './errors.ts';
import { readIso2709, type Iso2709Options } from './iso2709.ts';
import { readMarcXml, type MarcXmlOptions } from './marcxml.ts';

export * from './charset.ts';
export * from './detect.ts';
export * from './errors.ts';
export * from './isbn.ts';
export * from './iso2709.ts';
export * from './map.ts';
export * from './marcxml.ts';
export * from './record.ts';
export * from './write.ts';

export type ReadMarcOptions = Iso2709Options & MarcXmlOptions;

async function* prepend(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Reads MARC records from any supported input: ISO 2709 or MARCXML, either of them
 * gzip-compressed, chosen from the first bytes. Same ReadResult stream as the readers;
 * an input that is neither yields one BAD_LEADER result.
 *
 * @example
 * for await (const r of readMarc(createReadStream(upload.path))) {
 *   if (r.ok) await store(toBibRecord(r.record)); else report(r.position, r.error.code);
 * }
 */
export async function* readMarc(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadMarcOptions = {},
): AsyncGenerator<ReadResult> {
  const it: AsyncIterator<Uint8Array> | Iterator<Uint8Array> =
    Symbol.asyncIterator in stream ? stream[Symbol.asyncIterator]() : stream[Symbol.iterator]();
  let first: Uint8Array | undefined;
  // Enough bytes to see past a BOM and leading blank lines.
  while (!first || first.length < 64) {
    const next = await it.next();
    if (next.done) break;
    first = first ? Buffer.concat([first, next.value]) : next.value;
  }
  if (!first || first.length === 0) {
    yield {
      ok: false,
      position: 1,
      offset: 0,
      error: new MarcError('EMPTY', 'input has no records'),
    };
    return;
  }
  const input = prepend(first, it);
  switch (detectContainer(first)) {
    case 'gzip': {
      let position = 0;
      try {
        for await (const r of readMarc(Readable.from(input).pipe(createGunzip()), options)) {
          position = r.position;
          yield r;
        }
      } catch (e) {
        // zlib reports corrupt or cut gzip data as a stream error; it ends the input.
        const message = e instanceof Error ? e.message : String(e);
        const error = new MarcError('TRUNCATED', `gzip: ${message}`);
        yield { ok: false, position: position + 1, offset: 0, error };
      }
      return;
    }
    case 'marcxml':
      yield* readMarcXml(input, options);
      return;
    case 'iso2709':
      yield* readIso2709(input, options);
      return;
    case 'unknown':
      yield {
        ok: false,
        position: 1,
        offset: 0,
        error: new MarcError('BAD_LEADER', 'input is neither ISO 2709 nor MARCXML'),
      };
  }
}
