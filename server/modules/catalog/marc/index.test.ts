import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readMarc } from './index.ts';
import { chunks, collect, fixture, outcomes } from './testing.ts';

describe('readMarc', () => {
  it('picks the reader from the content, gzip included', async () => {
    const iso = await collect(readMarc(chunks(fixture('loc-sample-marc.mrc'), 10)));
    expect(outcomes(iso)).toEqual(Array(24).fill('ok'));
    const gz = await collect(readMarc(chunks(gzipSync(fixture('loc-sample-marc.mrc')), 1000)));
    expect(outcomes(gz)).toEqual(Array(24).fill('ok'));
    const xml = await collect(readMarc(chunks(gzipSync(fixture('collection-opera-43.xml')), 999)));
    expect(outcomes(xml)).toEqual(Array(43).fill('ok'));
  });

  it('reports empty, unknown and corrupt inputs as results, not exceptions', async () => {
    expect(outcomes(await collect(readMarc(chunks(new Uint8Array()))))).toEqual(['1:EMPTY']);
    expect(outcomes(await collect(readMarc(chunks(Buffer.from('title,author\n')))))).toEqual([
      '1:BAD_LEADER',
    ]);
    const gz = gzipSync(fixture('loc-sample-marc.mrc'));
    const cut = await collect(readMarc(chunks(gz.subarray(0, gz.length >> 1), 500)));
    expect(cut.at(-1)?.ok).toBe(false);
    expect(cut.at(-1)?.ok === false && cut.at(-1)).toMatchObject({ error: { code: 'TRUNCATED' } });
    expect(cut.slice(0, -1).every((r) => r.ok)).toBe(true);
  });
});
