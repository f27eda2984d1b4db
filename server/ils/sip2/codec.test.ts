import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText, SIP2_CHARSETS } from './charset.ts';
import {
  Sip2Framer,
  Sip2ParseError,
  appendErrorDetection,
  checksumOf,
  encodeFrame,
  formatSip2Date,
  joinMessage,
  parseSip2Date,
  sip2Checksum,
  splitMessage,
  stripErrorDetection,
  verifyChecksum,
} from './codec.ts';

// Research §2.1.5: every vector below was recomputed and verifies.
const VERIFIED = [
  '990 402.00AY1AZFCB4',
  '941AY0AZFDFD',
  '941AY1AZFDFC',
  '941AY3AZFDFA',
  '9300CNuser_id|COpassw0rd|AY1AZF594',
  '9300CNuu|COpp|AY1AZF9E9',
  '09N20160419    12200820160419    122008APReading Room 1|AO830|AB830$28170815|AC|AY2AZEB80',
  '09N20160419    12171320160419    121713APReading Room 1|AO830|AB830$28170815|AC|AY2AZEB7C',
  '64              00020180711    185645000000000010000000000009AOExample City Library|AA1381380|AEMr Joe Tester|BZ9999|CA9999|CB9999|BLY|CQY|BV0.00|BEjoe.tester@example.com|AY0AZCF82',
  '9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B',
  '990401.00|AY1AZFC59',
  '2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZF271',
  '6300119980723    091905Y         AOInstitutionID|AAPatronID|BP00001|BQ00005|AY1AZEA83',
  '11YN19960212    10051419960212    100514AO|AA104000000105|AB000000000005792|AC|AY3AZEDC2',
  '09N19980821    085721                  APCertification Terminal Location|AOCertification Institute ID|ABCheckInBook|ACTPWord|BIN|AY2AZD6A5',
  '1719980723    100000AOCertification Institute ID|ABItemBook|AY1AZEBEB',
  '1808000119980723    115615CF00000|ABItemBook|AJTitle For Item Book|CK003|AQPermanent Location for ItemBook, Language 1|APCurrent Location ItemBook|CHFree-form text with new item property|AY0AZC05B',
  '101YNN19980821    085721AOCertification Institute ID|ABCheckInBook|AQPermanent Location for CheckinBook, Language 1|AJTitle For CheckinBook|AAGoodPatron1|CK001|CHCheckinBook Properties|CLsort bin A1|AFScreen Message for CheckInBook|AGPrint Line for CheckInBook|AY2AZA3FF',
  '3519980723    094014AOCertification Institute ID|AAPatronID|AY3AZEBF2',
  '36Y19980723    110658AOInstitutionID for PatronID|AAPatronID|AFScreenMessage 0 for PatronID, Language 1|AFScreen Message 1 for PatronID, Language 1|AFScreen Message 2 for PatronID, Language 1|AGPrint Line 0 for PatronID, Language 1|AGPrint Line 1 for PatronID, Language 1|AGPrint Line 2 for PatronID, language 1|AY5AZ970F',
  '3719980723    0932110401USDBV111.11|AOCertification Institute ID|AAPatronID|BKTransactionID|AY2AZE1EF',
  '01N19960213    162352AO|ALCARD BLOCK TEST|AA104000000705|AC|AY2AZF02F',
  '2519980723    094240AOCertification Institute ID|AAPatronID|AY4AZEBF1',
  '64FOOBAR|AY1AZFBFB',
  '97AZFEF5',
  '96AZFEF6',
];

// Research §2.1.5: transcription errors in the famous spec examples; they must NOT verify.
const NOT_VERIFYING = [
  '98YYYNYN01000319960214    1447001.00AOID_21|AMCentral Library|ANtty30|AFScreen Message|AGPrint Message|AY1AZDA74',
];

const NON_ASCII =
  '1812020120230316    145800AB0230200408766|AJAnam ċara :|AQYS|CRNONFICTR|BGYS|AH20230131    235900|AY3AZ';

describe('checksum', () => {
  it.each(VERIFIED)('%s verifies and is recomputed byte-exact', (vector) => {
    const split = stripErrorDetection(vector);
    expect(split.throughAz).not.toBeNull();
    const throughAz = split.throughAz as string;
    expect(verifyChecksum(throughAz, split.checksum as string, 'utf-8')).toBe('bytes');
    expect(checksumOf(throughAz, { charset: 'utf-8', checksum: 'bytes' })).toBe(vector.slice(-4));
    // Adding the checksum to the byte sum gives 0 modulo 2^16: the spec's verification rule.
    const sum =
      [...Buffer.from(throughAz)].reduce((a, b) => a + b, 0) + parseInt(vector.slice(-4), 16);
    expect(sum & 0xffff).toBe(0);
  });

  it('rejects the same login with F595 instead of F594', () => {
    expect(verifyChecksum('9300CNuser_id|COpassw0rd|AY1AZ', 'F595', 'utf-8')).toBe(false);
  });

  it.each(NOT_VERIFYING)('%s does not verify (a transcription error in the spec)', (vector) => {
    const split = stripErrorDetection(vector);
    expect(verifyChecksum(split.throughAz as string, split.checksum as string, 'utf-8')).toBe(
      false,
    );
    expect(checksumOf(split.throughAz as string, { charset: 'utf-8', checksum: 'bytes' })).toBe(
      'DEC6',
    );
  });

  it('non-ASCII: E5D1 is the code-point sum, E58D the UTF-8 byte sum; both verify', () => {
    expect(checksumOf(NON_ASCII, { charset: 'utf-8', checksum: 'codepoints' })).toBe('E5D1');
    expect(checksumOf(NON_ASCII, { charset: 'utf-8', checksum: 'bytes' })).toBe('E58D');
    expect(verifyChecksum(NON_ASCII, 'E5D1', 'utf-8')).toBe('codepoints');
    expect(verifyChecksum(NON_ASCII, 'E58D', 'utf-8')).toBe('bytes');
    expect(verifyChecksum(NON_ASCII, 'E58E', 'utf-8')).toBe(false);
  });

  it('sums GBK bytes in byte mode, code points in code-point mode', () => {
    const text = '18030201AJ红楼梦|AY1AZ';
    const gbk = encodeText(text, 'gbk');
    expect(checksumOf(text, { charset: 'gbk', checksum: 'bytes' })).toBe(sip2Checksum(gbk));
    const points = [...text].map((c) => c.codePointAt(0) as number);
    expect(checksumOf(text, { charset: 'gbk', checksum: 'codepoints' })).toBe(sip2Checksum(points));
    expect(sip2Checksum(gbk)).not.toBe(sip2Checksum(points));
  });

  it('appends and strips AY/AZ', () => {
    const opts = { charset: 'utf-8', checksum: 'bytes' } as const;
    expect(appendErrorDetection('941', 0, opts)).toBe('941AY0AZFDFD');
    expect(appendErrorDetection('941', 13, opts)).toBe('941AY3AZFDFA');
    expect(appendErrorDetection('9300CNuser_id|COpassw0rd|', 1, opts)).toBe(
      '9300CNuser_id|COpassw0rd|AY1AZF594',
    );
    expect(appendErrorDetection('96', null, opts)).toBe('96AZFEF6');
    expect(appendErrorDetection('97', null, opts)).toBe('97AZFEF5');
    expect(stripErrorDetection('941AY3AZfdfa')).toEqual({
      body: '941',
      sequence: 3,
      checksum: 'FDFA',
      throughAz: '941AY3AZ',
    });
    expect(stripErrorDetection('941AY3')).toEqual({
      body: '941',
      sequence: 3,
      checksum: null,
      throughAz: null,
    });
    expect(stripErrorDetection('941')).toEqual({
      body: '941',
      sequence: null,
      checksum: null,
      throughAz: null,
    });
  });
});

describe('SIP2 dates', () => {
  it('formats wall-clock time in the zone with a blank ZZZZ', () => {
    const instant = new Date('2026-03-01T02:03:04Z');
    expect(formatSip2Date(instant, 'Asia/Shanghai')).toBe('20260301    100304');
    expect(formatSip2Date(instant, 'UTC')).toBe('20260301    020304');
    expect(formatSip2Date(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(
      '20260701    080000',
    );
  });

  it('parses local, Z and named-zone forms', () => {
    expect(parseSip2Date('20060102    084238', 'Asia/Shanghai')?.toISOString()).toBe(
      '2006-01-02T00:42:38.000Z',
    );
    expect(parseSip2Date('20180508   Z214544', 'Asia/Shanghai')?.toISOString()).toBe(
      '2018-05-08T21:45:44.000Z',
    );
    expect(parseSip2Date('20180508 UTC214544', 'Asia/Shanghai')?.toISOString()).toBe(
      '2018-05-08T21:45:44.000Z',
    );
    // Abbreviations are ambiguous (CST is China and US Central): read as library time.
    expect(parseSip2Date('20180508 CST214544', 'Asia/Shanghai')?.toISOString()).toBe(
      '2018-05-08T13:45:44.000Z',
    );
    expect(parseSip2Date('20260701    080000', 'America/New_York')?.toISOString()).toBe(
      '2026-07-01T12:00:00.000Z',
    );
  });

  it('reads looser due dates and rejects nonsense', () => {
    expect(parseSip2Date('20260301100304', 'Asia/Shanghai')?.toISOString()).toBe(
      '2026-03-01T02:03:04.000Z',
    );
    expect(parseSip2Date('2026-03-01', 'Asia/Shanghai')?.toISOString()).toBe(
      '2026-03-01T15:59:59.000Z',
    );
    expect(parseSip2Date('2026-03-01T10:00:00+08:00', 'UTC')?.toISOString()).toBe(
      '2026-03-01T02:00:00.000Z',
    );
    expect(parseSip2Date(' '.repeat(18), 'UTC')).toBeNull();
    expect(parseSip2Date('', 'UTC')).toBeNull();
    expect(parseSip2Date('20261301    000000', 'UTC')).toBeNull();
    expect(parseSip2Date('next tuesday', 'UTC')).toBeNull();
  });

  it('round-trips through format and parse', () => {
    for (const iso of ['2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z', '2000-02-29T12:34:56Z']) {
      for (const zone of ['Asia/Shanghai', 'UTC', 'Europe/Berlin']) {
        const date = new Date(iso);
        expect(parseSip2Date(formatSip2Date(date, zone), zone)?.getTime()).toBe(date.getTime());
      }
    }
  });
});

describe('fields', () => {
  it('splits fixed part and fields, keeping repeats in order', () => {
    const raw = splitMessage('36Y19980723    110658AOinst|AAP1|AFone|AFtwo|', 19);
    expect(raw.code).toBe('36');
    expect(raw.fixed).toBe('Y19980723    110658');
    expect(raw.fields).toEqual([
      ['AO', 'inst'],
      ['AA', 'P1'],
      ['AF', 'one'],
      ['AF', 'two'],
    ]);
  });

  it('tolerates a missing final | and an empty field', () => {
    expect(splitMessage('17x|AOa|ABb', 1).fields).toEqual([
      ['AO', 'a'],
      ['AB', 'b'],
    ]);
    expect(splitMessage('990401.00|', 8).fields).toEqual([]);
    expect(splitMessage('2300119960212    100239AOid|AC|AD|', 21).fields).toEqual([
      ['AO', 'id'],
      ['AC', ''],
      ['AD', ''],
    ]);
  });

  it('rejects a message shorter than its fixed part, and one-letter fields', () => {
    expect(() => splitMessage('6300120060329', 31)).toThrow(Sip2ParseError);
    expect(() => splitMessage('17x|A|', 1)).toThrow(Sip2ParseError);
  });

  it('joins fields and keeps delimiters out of values', () => {
    expect(
      joinMessage('93', '00', [
        ['CN', 'a|b'],
        ['CO', 'c\rd'],
      ]),
    ).toBe('9300CNa b|COc d|');
  });
});

describe('framing', () => {
  it('cuts at CR, CRLF and LF, across chunk boundaries', () => {
    const framer = new Sip2Framer();
    const out: string[] = [];
    const push = (s: string) => out.push(...framer.push(Buffer.from(s)).map((b) => b.toString()));
    push('941\r98YY');
    push('YNYN\r');
    push('\n17a\r\n18');
    push('b\n');
    expect(out).toEqual(['941', '98YYYNYN', '17a', '18b']);
  });

  it('keeps GBK and UTF-8 characters whole when a chunk cuts them', () => {
    for (const charset of ['gbk', 'utf-8'] as const) {
      const bytes = encodeFrame('18AJ红楼梦|', charset, 'crlf');
      const framer = new Sip2Framer();
      const frames = [...bytes].flatMap((b) => framer.push(Buffer.from([b])));
      expect(frames.map((f) => decodeText(f, charset))).toEqual(['18AJ红楼梦|']);
    }
  });

  it('refuses a message over the limit', () => {
    const framer = new Sip2Framer(1024);
    expect(() => framer.push(Buffer.alloc(2000, 0x41))).toThrow(Sip2ParseError);
    // The framer starts afresh afterwards.
    expect(framer.push(Buffer.from('941\r')).map(String)).toEqual(['941']);
  });

  it('writes the configured terminator', () => {
    expect([...encodeFrame('941', 'utf-8', 'cr')].slice(-2)).toEqual([0x31, 0x0d]);
    expect([...encodeFrame('941', 'utf-8', 'crlf')].slice(-2)).toEqual([0x0d, 0x0a]);
  });
});

describe('charsets', () => {
  it('encodes and decodes every supported set', () => {
    expect(encodeText('红楼梦', 'gbk')).toEqual(Buffer.from([0xba, 0xec, 0xc2, 0xa5, 0xc3, 0xce]));
    expect(encodeText('é', 'ibm850')).toEqual(Buffer.from([0x82]));
    expect(encodeText('é', 'latin1')).toEqual(Buffer.from([0xe9]));
    expect(encodeText('红', 'utf-8')).toEqual(Buffer.from([0xe7, 0xba, 0xa2]));
    expect(decodeText(encodeText('𠀀三体', 'gb18030'), 'gb18030')).toBe('𠀀三体');
    for (const charset of SIP2_CHARSETS) {
      expect(decodeText(encodeText('AO Library|', charset), charset)).toBe('AO Library|');
    }
  });

  it('substitutes what a set cannot hold instead of failing', () => {
    expect(decodeText(encodeText('红', 'latin1'), 'latin1')).toBe('?');
  });
});
