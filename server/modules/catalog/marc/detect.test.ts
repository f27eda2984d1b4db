import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectContainer, detectFlavour } from './detect.ts';
import { readIso2709 } from './iso2709.ts';
import { readMarcXml } from './marcxml.ts';
import { chunks, collect, fixture } from './testing.ts';

describe('detectContainer', () => {
  it('tells ISO 2709, MARCXML and gzip apart from the first bytes', () => {
    expect(detectContainer(fixture('loc-sample-marc.mrc'))).toBe('iso2709');
    expect(detectContainer(fixture('collection-2.xml'))).toBe('marcxml');
    expect(detectContainer(Buffer.from('\ufeff\n  <collection/>'))).toBe('marcxml');
    expect(detectContainer(Buffer.from('\r\n00733nam  2200229   4500'))).toBe('iso2709');
    expect(detectContainer(gzipSync(fixture('bnf-bib-one.mrc')))).toBe('gzip');
    expect(detectContainer(Buffer.from('title,author\n'))).toBe('unknown');
  });
});

describe('detectFlavour', () => {
  it('uses the defining fields first', () => {
    expect(detectFlavour(['001', '010', '100', '200', '210'])).toBe('unimarc');
    expect(detectFlavour(['001', '008', '020', '245', '260'])).toBe('marc21');
    expect(detectFlavour(['001', '005', '100'])).toBeNull();
    expect(detectFlavour(['001', '010', '100'])).toBe('unimarc'); // 010 alone: a weak sign
    expect(detectFlavour(['001', '005'], '00000nz   2200000n  4500')).toBe('marc21');
    expect(detectFlavour(['001', '005'], '00000nam0 2200000   450 ')).toBe('unimarc');
  });

  it('gets every sample right', async () => {
    const flavourOf = async (name: string, xml = false) => {
      const results = await collect(
        xml ? readMarcXml(chunks(fixture(name))) : readIso2709(chunks(fixture(name))),
      );
      return new Set(
        results.map(
          (r) =>
            r.ok &&
            detectFlavour(
              r.record.fields.map((f) => f.tag),
              r.record.leader,
            ),
        ),
      );
    };
    expect(await flavourOf('loc-sample-marc.mrc')).toEqual(new Set(['marc21']));
    expect(await flavourOf('collection-namemrc.xml', true)).toEqual(new Set(['marc21']));
    expect(await flavourOf('collection-opera-43.xml', true)).toEqual(new Set(['marc21']));
    expect(await flavourOf('cn-unimarc.mrc')).toEqual(new Set(['unimarc']));
    expect(await flavourOf('bnf-bib-excerpt.xml', true)).toEqual(new Set(['unimarc']));
    expect(await flavourOf('bnf-bib-one.mrc')).toEqual(new Set(['unimarc']));
  });
});
