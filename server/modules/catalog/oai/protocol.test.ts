import { describe, expect, it } from 'vitest';
import { HarvestError } from './errors.ts';
import {
  datestampFor,
  decodeXmlText,
  isDatestamp,
  oaiErrorMessage,
  parseIdentify,
  parseListRecords,
  parseMetadataFormats,
  parseOaiEnvelope,
  pickMarcFormat,
} from './protocol.ts';

const OAI = 'xmlns="http://www.openarchives.org/OAI/2.0/"';

function oai(inner: string, date = '2024-05-02T00:00:00Z'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH ${OAI}><responseDate>${date}</responseDate><request verb="ListRecords">http://x/oai</request>${inner}</OAI-PMH>\n`;
}

function refused(xml: string): HarvestError {
  try {
    parseOaiEnvelope(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(HarvestError);
    return error as HarvestError;
  }
  throw new Error('parsed');
}

describe('OAI-PMH responses', () => {
  // Koha's answer, shortened: prefixed OAI elements, a marc: record, a token with &amp;.
  const koha =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<oai:OAI-PMH xmlns:oai="http://www.openarchives.org/OAI/2.0/"><oai:responseDate>2024-05-02T08:30:00Z</oai:responseDate>` +
    `<oai:request verb="ListRecords" metadataPrefix="marc21">https://opac.example.edu/cgi-bin/koha/oai.pl</oai:request><oai:ListRecords>` +
    `<oai:record><oai:header><oai:identifier>oai:example:12</oai:identifier><oai:datestamp>2024-05-01T10:00:00Z</oai:datestamp><oai:setSpec>books</oai:setSpec><oai:setSpec>new</oai:setSpec></oai:header>` +
    `<oai:metadata><marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:leader>00000nam a2200000 a 4500</marc:leader>` +
    `<marc:controlfield tag="001">12</marc:controlfield><marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">Tom &amp; Jerry</marc:subfield></marc:datafield></marc:record></oai:metadata></oai:record>` +
    `<oai:record><oai:header status="deleted"><oai:identifier>oai:example:13</oai:identifier><oai:datestamp>2024-05-01T11:00:00Z</oai:datestamp></oai:header></oai:record>` +
    `<oai:resumptionToken completeListSize="120" cursor="0">marc21/50/2024-05-01T00:00:00Z/&amp;x=1</oai:resumptionToken>` +
    `</oai:ListRecords></oai:OAI-PMH>\n`;

  it('reads a ListRecords page: headers, deleted records, raw metadata and the token', () => {
    const page = parseListRecords(parseOaiEnvelope(koha));
    expect(page.responseDate).toBe('2024-05-02T08:30:00Z');
    expect(page.resumptionToken).toBe('marc21/50/2024-05-01T00:00:00Z/&x=1');
    expect(page.completeListSize).toBe(120);
    expect(page.cursor).toBe(0);
    expect(page.records.map((r) => r.header)).toEqual([
      {
        identifier: 'oai:example:12',
        datestamp: '2024-05-01T10:00:00Z',
        setSpecs: ['books', 'new'],
        deleted: false,
      },
      {
        identifier: 'oai:example:13',
        datestamp: '2024-05-01T11:00:00Z',
        setSpecs: [],
        deleted: true,
      },
    ]);
    // The MARCXML stays as it came, entities and all, for the MARCXML reader.
    expect(page.records[0]?.metadata).toMatch(
      /^<marc:record xmlns:marc=.*Tom &amp; Jerry.*<\/marc:record>$/,
    );
    expect(page.records[1]?.metadata).toBeNull();
  });

  it('takes an empty token as the last page, and noRecordsMatch as an empty one', () => {
    const last = parseListRecords(
      parseOaiEnvelope(
        oai('<ListRecords><resumptionToken completeListSize="3" cursor="2"/></ListRecords>'),
      ),
    );
    expect(last).toMatchObject({ records: [], resumptionToken: null, completeListSize: 3 });
    const none = parseListRecords(
      parseOaiEnvelope(
        oai('<error code="noRecordsMatch">No records match</error>', '2024-06-01T00:00:00Z'),
      ),
    );
    expect(none).toEqual({
      responseDate: '2024-06-01T00:00:00Z',
      records: [],
      resumptionToken: null,
      completeListSize: 0,
      cursor: null,
    });
  });

  it('reads Identify and the metadata formats, and picks the MARCXML one', () => {
    const identify = parseIdentify(
      parseOaiEnvelope(
        oai(
          '<Identify><repositoryName>Koha</repositoryName><baseURL>https://x/oai.pl</baseURL><protocolVersion>2.0</protocolVersion>' +
            '<earliestDatestamp>2001-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>' +
            '<granularity>YYYY-MM-DDThh:mm:ssZ</granularity><description><x>y</x></description></Identify>',
        ),
      ),
    );
    expect(identify).toEqual({
      repositoryName: 'Koha',
      baseUrl: 'https://x/oai.pl',
      protocolVersion: '2.0',
      earliestDatestamp: '2001-01-01T00:00:00Z',
      deletedRecord: 'persistent',
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
    });
    const format = (prefix: string, namespace: string) =>
      `<metadataFormat><metadataPrefix>${prefix}</metadataPrefix><schema>s</schema><metadataNamespace>${namespace}</metadataNamespace></metadataFormat>`;
    const slim = 'http://www.loc.gov/MARC21/slim';
    const formats = parseMetadataFormats(
      parseOaiEnvelope(
        oai(
          `<ListMetadataFormats>${format('oai_dc', 'http://www.openarchives.org/OAI/2.0/oai_dc/')}${format('marcxml', slim)}${format('marc21', slim)}</ListMetadataFormats>`,
        ),
      ),
    );
    expect(formats.map((f) => f.prefix)).toEqual(['oai_dc', 'marcxml', 'marc21']);
    expect(pickMarcFormat(formats)).toBe('marc21'); // Koha offers both
    expect(pickMarcFormat(formats.slice(0, 2))).toBe('marcxml'); // Evergreen
    expect(pickMarcFormat([{ prefix: 'usmarc', schema: '', namespace: slim }])).toBe('usmarc');
    expect(pickMarcFormat(formats.slice(0, 1))).toBeUndefined();
  });

  it('refuses DOCTYPEs, cut-off answers and things that are not OAI-PMH', () => {
    expect(
      refused(
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><OAI-PMH ${OAI}><responseDate>2024-01-01T00:00:00Z</responseDate></OAI-PMH>`,
      ).message,
    ).toMatch(/DOCTYPE/);
    expect(refused(koha.slice(0, koha.length - 40))).toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/cut off/) as unknown,
    });
    expect(refused('<html><body>Service Unavailable</body></html>').message).toMatch(/not OAI-PMH/);
    expect(refused(`<OAI-PMH ${OAI}><ListRecords/></OAI-PMH>`).message).toMatch(/no responseDate/);
    expect(() =>
      parseListRecords(
        parseOaiEnvelope(
          oai(
            '<ListRecords><record><header><identifier>a&bogus;</identifier></header></record></ListRecords>',
          ),
        ),
      ),
    ).toThrow(/undefined entity &bogus;/);
  });

  it('reads OAI-PMH errors and words them for a terminal', () => {
    const envelope = parseOaiEnvelope(
      oai('<error code="badArgument">Illegal from</error><error code="badVerb">x</error>'),
    );
    expect(envelope.errors).toEqual([
      { code: 'badArgument', message: 'Illegal from' },
      { code: 'badVerb', message: 'x' },
    ]);
    expect(oaiErrorMessage('badArgument', 'Illegal\n  from')).toBe(
      'OAI-PMH error badArgument: the server refused the request’s arguments (check --from, --until and --set) (server: “Illegal from”)',
    );
    expect(oaiErrorMessage('somethingElse', '')).toBe('OAI-PMH error somethingElse');
  });

  it('decodes XML’s five entities and character references, nothing else', () => {
    expect(decodeXmlText('&lt;a&gt; &amp; &quot;&apos; &#20013;&#x6587;')).toBe('<a> & "\' 中文');
    expect(() => decodeXmlText('&nbsp;')).toThrow(HarvestError);
    expect(() => decodeXmlText('&#xD800;')).toThrow(/bad character reference/);
  });

  it('writes datestamps for the repository’s granularity', () => {
    expect(isDatestamp('2024-05-01')).toBe(true);
    expect(isDatestamp('2024-05-01T08:00:00Z')).toBe(true);
    expect(isDatestamp('2024-05-01T08:00Z')).toBe(false);
    expect(isDatestamp('2024-13-45')).toBe(false);
    expect(datestampFor('2024-05-01T08:00:00Z', 'YYYY-MM-DD')).toBe('2024-05-01');
    expect(datestampFor('2024-05-01T08:00:00Z', 'YYYY-MM-DDThh:mm:ssZ')).toBe(
      '2024-05-01T08:00:00Z',
    );
    expect(datestampFor('2024-05-01', 'YYYY-MM-DDThh:mm:ssZ')).toBe('2024-05-01');
    // Fractions of a second in responseDate (some servers) round down.
    expect(parseOaiEnvelope(oai('', '2024-05-01T08:00:00.987Z')).responseDate).toBe(
      '2024-05-01T08:00:00Z',
    );
  });
});
