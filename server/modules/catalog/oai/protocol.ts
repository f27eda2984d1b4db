/**
 * OAI-PMH 2.0 responses as data: the envelope (responseDate, errors), Identify,
 * ListMetadataFormats and ListRecords pages, and datestamps. Parsing only; the HTTP
 * side is client.ts. The `<metadata>` of a record is kept as its raw XML text so that
 * the MARCXML reader the file import uses reads it, and OAI records map exactly like
 * imported ones.
 */
import { XMLParser } from 'fast-xml-parser';
import { HarvestError, type OaiErrorCode } from './errors.ts';

/** The two datestamp granularities OAI-PMH allows. */
export type Granularity = 'YYYY-MM-DD' | 'YYYY-MM-DDThh:mm:ssZ';

export interface OaiIdentify {
  readonly repositoryName: string;
  readonly baseUrl: string;
  readonly protocolVersion: string;
  readonly earliestDatestamp: string | null;
  /** no, transient or persistent: whether deletions are reported at all. */
  readonly deletedRecord: string;
  readonly granularity: Granularity;
}

export interface OaiMetadataFormat {
  readonly prefix: string;
  readonly schema: string;
  readonly namespace: string;
}

export interface OaiHeader {
  readonly identifier: string;
  readonly datestamp: string;
  readonly setSpecs: readonly string[];
  readonly deleted: boolean;
}

export interface OaiRecord {
  readonly header: OaiHeader;
  /** The XML inside `<metadata>` (a MARCXML `<record>`), null for a deleted record. */
  readonly metadata: string | null;
}

export interface OaiListPage {
  readonly responseDate: string;
  readonly records: readonly OaiRecord[];
  /** Null on the last page. */
  readonly resumptionToken: string | null;
  readonly completeListSize: number | null;
  readonly cursor: number | null;
}

export interface OaiEnvelope {
  readonly responseDate: string;
  readonly errors: ReadonlyArray<{ readonly code: string; readonly message: string }>;
  /** The parsed children of `<OAI-PMH>`, namespace prefixes removed. */
  readonly body: XmlNode;
}

type XmlNode = { readonly [name: string]: unknown };

const MARCXML_NAMESPACE = 'http://www.loc.gov/MARC21/slim';
/** In order of preference: Koha offers marc21 and marcxml, Evergreen marcxml, FOLIO marc21. */
const MARC_PREFIXES = ['marc21', 'marcxml', 'MARC21slim', 'marc'];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are decoded by `decodeXmlText`, which knows XML's five and nothing else.
  processEntities: false,
  trimValues: true,
  stopNodes: ['*.metadata'],
  isArray: (name) => ['record', 'setSpec', 'metadataFormat', 'error'].includes(name),
});

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes XML's five predefined entities and character references; anything else is
 * refused (no DTD is ever read, so no other entity can be defined).
 *
 * @example
 * decodeXmlText('a &amp; b &#x4e2d;'); // 'a & b 中'
 */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]{0,10});/g, (all, name: string) => {
    if (name.startsWith('#')) {
      const hex = name[1] === 'x' || name[1] === 'X';
      const digits = name.slice(hex ? 2 : 1);
      const cp = /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (!Number.isInteger(cp) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new HarvestError('BAD_RESPONSE', `bad character reference ${all}`);
      }
      return String.fromCodePoint(cp);
    }
    const value = ENTITIES[name];
    if (value === undefined) throw new HarvestError('BAD_RESPONSE', `undefined entity ${all}`);
    return value;
  });
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an element (with or without attributes), decoded; '' when absent. */
function text(value: unknown): string {
  if (typeof value === 'string') return decodeXmlText(value);
  if (isNode(value) && typeof value['#text'] === 'string') return decodeXmlText(value['#text']);
  return '';
}

function attr(value: unknown, name: string): string | null {
  if (!isNode(value)) return null;
  const v = value[`@${name}`];
  return typeof v === 'string' ? decodeXmlText(v) : null;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Whether a string is an OAI-PMH datestamp of either granularity.
 *
 * @example
 * isDatestamp('2024-05-01'); // true
 * isDatestamp('2024-05-01T08:00:00Z'); // true
 * isDatestamp('2024-05-01 08:00'); // false
 */
export function isDatestamp(value: string): boolean {
  if (!DAY.test(value) && !SECONDS.test(value)) return false;
  return !Number.isNaN(Date.parse(value));
}

/**
 * A datestamp as a repository of this granularity accepts it in `from`/`until`: a
 * day-granular repository gets the day (which re-harvests part of it; upserts make
 * that harmless).
 *
 * @example
 * datestampFor('2024-05-01T08:00:00Z', 'YYYY-MM-DD'); // '2024-05-01'
 * datestampFor('2024-05-01', 'YYYY-MM-DDThh:mm:ssZ'); // '2024-05-01' (always allowed)
 */
export function datestampFor(value: string, granularity: Granularity): string {
  return granularity === 'YYYY-MM-DD' ? value.slice(0, 10) : value;
}

/** responseDate in the protocol's form; fractions of a second dropped (rounding down). */
function normaliseResponseDate(value: string): string {
  if (SECONDS.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HarvestError('BAD_RESPONSE', `bad responseDate "${value}"`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Parses any OAI-PMH response down to its envelope. Throws HarvestError('BAD_RESPONSE')
 * for a DOCTYPE (refused), malformed or cut-off XML, or a document that is not OAI-PMH.
 *
 * @example
 * const { responseDate, errors, body } = parseOaiEnvelope(xml);
 * if (errors[0]?.code === 'noRecordsMatch') return; // nothing new
 */
export function parseOaiEnvelope(xml: string): OaiEnvelope {
  if (/<!DOCTYPE/i.test(xml)) {
    throw new HarvestError('BAD_RESPONSE', 'the response declares a DOCTYPE, which is refused');
  }
  // A response cut off after a complete page would otherwise pass for the last page.
  if (!/<\/(?:[\w.-]+:)?OAI-PMH>\s*$/.test(xml)) {
    throw new HarvestError(
      'BAD_RESPONSE',
      /<(?:[\w.-]+:)?OAI-PMH[\s>]/.test(xml)
        ? 'the response is cut off (no </OAI-PMH> at the end)'
        : 'the response is not OAI-PMH XML',
    );
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    throw new HarvestError(
      'BAD_RESPONSE',
      `the response is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { cause: error },
    );
  }
  const root = isNode(parsed) ? parsed['OAI-PMH'] : undefined;
  if (!isNode(root)) throw new HarvestError('BAD_RESPONSE', 'the response is not OAI-PMH XML');
  const responseDate = text(root.responseDate);
  if (!responseDate) throw new HarvestError('BAD_RESPONSE', 'the response has no responseDate');
  return {
    responseDate: normaliseResponseDate(responseDate),
    errors: list(root.error).map((e) => ({ code: attr(e, 'code') ?? '', message: text(e) })),
    body: root,
  };
}

/**
 * The Identify answer. A granularity other than the two of the protocol is read as
 * days, which every repository must accept.
 *
 * @example
 * parseIdentify(parseOaiEnvelope(xml)).granularity; // 'YYYY-MM-DDThh:mm:ssZ'
 */
export function parseIdentify(envelope: OaiEnvelope): OaiIdentify {
  const node = envelope.body.Identify;
  if (!isNode(node)) throw new HarvestError('BAD_RESPONSE', 'Identify answered without <Identify>');
  const granularity = text(node.granularity);
  const earliest = text(node.earliestDatestamp);
  return {
    repositoryName: text(node.repositoryName),
    baseUrl: text(node.baseURL),
    protocolVersion: text(node.protocolVersion),
    earliestDatestamp: earliest || null,
    deletedRecord: text(node.deletedRecord) || 'no',
    granularity: granularity === 'YYYY-MM-DDThh:mm:ssZ' ? granularity : 'YYYY-MM-DD',
  };
}

/**
 * The formats of a ListMetadataFormats answer.
 *
 * @example
 * parseMetadataFormats(parseOaiEnvelope(xml)).map((f) => f.prefix); // ['oai_dc', 'marc21']
 */
export function parseMetadataFormats(envelope: OaiEnvelope): OaiMetadataFormat[] {
  const node = envelope.body.ListMetadataFormats;
  return list(isNode(node) ? node.metadataFormat : undefined).map((f) => {
    const format = isNode(f) ? f : {};
    return {
      prefix: text(format.metadataPrefix),
      schema: text(format.schema),
      namespace: text(format.metadataNamespace),
    };
  });
}

/**
 * The MARCXML format to harvest: marc21, marcxml, MARC21slim or marc, else any
 * format in the MARC21/slim namespace; undefined when there is none.
 *
 * @example
 * pickMarcFormat([{ prefix: 'oai_dc', … }, { prefix: 'marcxml', … }]); // 'marcxml'
 */
export function pickMarcFormat(formats: readonly OaiMetadataFormat[]): string | undefined {
  for (const prefix of MARC_PREFIXES) {
    const found = formats.find((f) => f.prefix.toLowerCase() === prefix.toLowerCase());
    if (found) return found.prefix;
  }
  return formats.find((f) => f.namespace === MARCXML_NAMESPACE)?.prefix;
}

/**
 * One ListRecords page. An envelope whose error is noRecordsMatch is an empty last
 * page (nothing new); the caller has handled every other error.
 *
 * @example
 * const page = parseListRecords(parseOaiEnvelope(xml));
 * for (const r of page.records) if (r.header.deleted) forget(r.header.identifier);
 */
export function parseListRecords(envelope: OaiEnvelope): OaiListPage {
  const node = envelope.body.ListRecords;
  const empty = envelope.errors.some((e) => e.code === 'noRecordsMatch');
  if (!isNode(node)) {
    if (empty) {
      return {
        responseDate: envelope.responseDate,
        records: [],
        resumptionToken: null,
        completeListSize: 0,
        cursor: null,
      };
    }
    throw new HarvestError('BAD_RESPONSE', 'ListRecords answered without <ListRecords>');
  }
  const records: OaiRecord[] = [];
  for (const r of list(node.record)) {
    if (!isNode(r) || !isNode(r.header)) {
      throw new HarvestError('BAD_RESPONSE', 'a <record> without <header>');
    }
    const h = r.header;
    const identifier = text(h.identifier);
    if (!identifier) throw new HarvestError('BAD_RESPONSE', 'a <header> without <identifier>');
    const deleted = attr(h, 'status') === 'deleted';
    const metadata = typeof r.metadata === 'string' ? r.metadata : null;
    records.push({
      header: {
        identifier,
        datestamp: text(h.datestamp),
        setSpecs: list(h.setSpec).map(text),
        deleted,
      },
      metadata: deleted ? null : metadata,
    });
  }
  const token = node.resumptionToken;
  const size = attr(token, 'completeListSize');
  const cursor = attr(token, 'cursor');
  return {
    responseDate: envelope.responseDate,
    records,
    resumptionToken: text(token) || null,
    completeListSize: size && /^\d+$/.test(size) ? Number(size) : null,
    cursor: cursor && /^\d+$/.test(cursor) ? Number(cursor) : null,
  };
}

const HINTS: Partial<Record<OaiErrorCode, string>> = {
  badResumptionToken:
    'the server no longer accepts its resumption token (it expired, or the server restarted); run the harvest again',
  cannotDisseminateFormat: 'the server cannot give records in this format; choose another --prefix',
  badArgument: 'the server refused the request’s arguments (check --from, --until and --set)',
  noSetHierarchy: 'the server has no sets; leave out --set',
  noMetadataFormats: 'the server offers no metadata format',
  badVerb: 'the URL does not lead to an OAI-PMH server',
};

/**
 * A one-line message for an OAI-PMH error: what it means for the harvest, then the
 * server's own words.
 *
 * @example
 * oaiErrorMessage('badResumptionToken', 'expired'); // 'OAI-PMH error badResumptionToken: the server …'
 */
export function oaiErrorMessage(code: string, serverText: string): string {
  const hint = HINTS[code as OaiErrorCode];
  const said = serverText.replace(/\s+/g, ' ').trim();
  return `OAI-PMH error ${code || '(no code)'}${hint ? `: ${hint}` : ''}${said ? ` (server: “${said}”)` : ''}`;
}
