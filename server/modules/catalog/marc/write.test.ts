import { describe, expect, it } from 'vitest';
import { MarcError } from './errors.ts';
import { CN_BOOKS, cnmarcRecord } from './fixtures/cnmarc.ts';
import { parseIso2709, readIso2709 } from './iso2709.ts';
import { parseMarcXmlRecord, readMarcXml } from './marcxml.ts';
import { chunks, collect, fixture } from './testing.ts';
import { serializeIso2709, serializeMarcXml } from './write.ts';

describe('serializeIso2709', () => {
  it('rewrites the LoC sample to records that read back the same, at the same length', async () => {
    // Byte equality is not expected: LoC's data area is not in directory order.
    const latin1 = { encode: (s: string) => Buffer.from(s, 'latin1') };
    const results = await collect(
      readIso2709([fixture('loc-sample-marc.mrc')], { charset: 'latin1' }),
    );
    expect(results).toHaveLength(24);
    for (const r of results) {
      if (!r.ok) throw r.error;
      const bytes = serializeIso2709(r.record, latin1);
      expect(bytes.length).toBe(Number(r.record.leader.slice(0, 5)));
      expect(parseIso2709(bytes, { charset: 'latin1' })).toEqual(r.record);
    }
  });

  it('refuses fields and records ISO 2709 cannot hold', () => {
    const big = {
      leader: '00000nam a2200000 a 4500',
      fields: [{ tag: '520', value: 'x'.repeat(10_000) }],
    };
    expect(() => serializeIso2709(big)).toThrowError(MarcError);
  });
});

describe('serializeMarcXml', () => {
  it('round-trips through parseMarcXmlRecord, escapes included', () => {
    const record = cnmarcRecord(CN_BOOKS[4]!, 5);
    record.fields.push({
      tag: '330',
      ind1: ' ',
      ind2: ' ',
      subfields: [{ code: 'a', value: 'TCP & IP <层> "引"' }],
    });
    expect(parseMarcXmlRecord(serializeMarcXml(record))).toEqual(record);
  });

  it('writes what readMarcXml reads back, for every Sandburg field', async () => {
    const [r] = await collect(readMarcXml(chunks(fixture('collection-sandburg-1.xml'))));
    if (!r?.ok) throw new Error('fixture did not parse');
    const again = await collect(
      readMarcXml([Buffer.from(`<collection>${serializeMarcXml(r.record)}</collection>`)]),
    );
    expect(again[0]?.ok && again[0].record).toEqual(r.record);
    expect(parseIso2709(serializeIso2709(r.record)).fields).toEqual(r.record.fields);
  });
});
