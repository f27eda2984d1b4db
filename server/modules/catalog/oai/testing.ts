/**
 * A small but real OAI-PMH 2.0 server on loopback for the harvester's tests: Identify,
 * ListMetadataFormats and ListRecords with from/until/set, resumption tokens, deleted
 * records, OAI errors, and faults on demand (503 with Retry-After, an OAI error, a
 * server that dies between pages).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDataField, readMarc, serializeMarcXml, type MarcRecord } from '../marc/index.ts';
import type { Granularity } from './protocol.ts';

export interface OaiTestRecord {
  identifier: string;
  /** YYYY-MM-DDThh:mm:ssZ (given out as the day on a day-granular server). */
  datestamp: string;
  sets?: string[];
  deleted?: boolean;
  /** The XML inside `<metadata>`. */
  metadata?: string;
}

export interface OaiTestServerOptions {
  records?: OaiTestRecord[];
  pageSize?: number;
  granularity?: Granularity;
  /** Default oai_dc and marc21 (MARC21/slim). */
  formats?: Array<{ prefix: string; namespace: string }>;
  /** responseDate of every answer until changed; default the current time. */
  responseDate?: string;
  /** Send completeListSize with resumption tokens (default true). */
  completeListSize?: boolean;
}

export interface RunningOaiServer {
  readonly url: string;
  /** What the server holds; tests change it between harvests. */
  records: OaiTestRecord[];
  /** Every request's query, in order. */
  readonly requests: URLSearchParams[];
  responseDate: string | undefined;
  /** The next request that `when` accepts is answered 503 with this Retry-After. */
  busyOnce(retryAfterSeconds: number, when?: (query: URLSearchParams) => boolean): void;
  /** The next request that `when` accepts is answered with this OAI-PMH error. */
  failOnce(code: string, message: string, when?: (query: URLSearchParams) => boolean): void;
  /**
   * After `pages` more ListRecords pages the server dies: the next page is cut off
   * half-way and every request after it loses its connection, until `revive`.
   */
  dieAfter(pages: number): void;
  revive(): void;
  close(): Promise<void>;
}

export const MARC21_SLIM = 'http://www.loc.gov/MARC21/slim';
const OAI_NS = 'http://www.openarchives.org/OAI/2.0/';

function escape(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  );
}

/**
 * A MARC record as OAI-PMH `<metadata>` content: MARCXML in the default namespace, or
 * with the `marc:` prefix as Koha and FOLIO write it.
 *
 * @example
 * oaiMetadata(record, { prefixed: true }); // '<marc:record xmlns:marc="…"><marc:leader>…'
 */
export function oaiMetadata(record: MarcRecord, options: { prefixed?: boolean } = {}): string {
  const xml = serializeMarcXml(record);
  if (!options.prefixed) return xml;
  return xml
    .replace(`xmlns="${MARC21_SLIM}"`, `xmlns:marc="${MARC21_SLIM}"`)
    .replace(/<(\/?)(record|leader|controlfield|datafield|subfield)\b/g, '<$1marc:$2');
}

function seconds(value: string, end: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${end ? '23:59:59' : '00:00:00'}Z`;
  return value;
}

interface Token {
  offset: number;
  prefix: string;
  from?: string;
  until?: string;
  set?: string;
}

/**
 * Starts the server on 127.0.0.1, port chosen by the system.
 *
 * @example
 * const oai = await startOaiServer({ records, pageSize: 10 });
 * await harvestOai(deps, { url: oai.url });
 * await oai.close();
 */
export async function startOaiServer(
  options: OaiTestServerOptions = {},
): Promise<RunningOaiServer> {
  const granularity = options.granularity ?? 'YYYY-MM-DDThh:mm:ssZ';
  const pageSize = options.pageSize ?? 50;
  const formats = options.formats ?? [
    { prefix: 'oai_dc', namespace: 'http://www.openarchives.org/OAI/2.0/oai_dc/' },
    { prefix: 'marc21', namespace: MARC21_SLIM },
  ];
  const requests: URLSearchParams[] = [];
  const faults: Array<{
    when: (query: URLSearchParams) => boolean;
    answer: (res: ServerResponse, query: URLSearchParams) => void;
  }> = [];
  const sockets = new Set<Socket>();
  let pagesLeft = Infinity;
  let dead = false;
  let url = '';

  const state = {
    records: options.records ?? [],
    responseDate: options.responseDate,
  };

  const stamp = (value: string) => (granularity === 'YYYY-MM-DD' ? value.slice(0, 10) : value);

  const envelope = (query: URLSearchParams, inner: string): string => {
    const date = state.responseDate ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const attrs = [...query].map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<OAI-PMH xmlns="${OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
      `<responseDate>${date}</responseDate><request${attrs}>${escape(url)}</request>` +
      `${inner}</OAI-PMH>\n`
    );
  };
  const oaiError = (code: string, message: string) =>
    `<error code="${code}">${escape(message)}</error>`;

  const validDate = (value: string | null): boolean => {
    if (value === null) return true;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return true;
    return granularity !== 'YYYY-MM-DD' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value);
  };

  const listRecords = (query: URLSearchParams): string => {
    let token: Token;
    const resumption = query.get('resumptionToken');
    if (resumption !== null) {
      try {
        token = JSON.parse(Buffer.from(resumption, 'base64url').toString('utf8')) as Token;
        if (typeof token.offset !== 'number') throw new Error('no offset');
      } catch {
        return oaiError(
          'badResumptionToken',
          'The value of the resumptionToken argument is invalid or expired.',
        );
      }
    } else {
      const prefix = query.get('metadataPrefix');
      if (!prefix) return oaiError('badArgument', 'metadataPrefix is required');
      if (!validDate(query.get('from')) || !validDate(query.get('until'))) {
        return oaiError('badArgument', 'bad from or until');
      }
      token = {
        offset: 0,
        prefix,
        ...(query.get('from') ? { from: query.get('from')! } : {}),
        ...(query.get('until') ? { until: query.get('until')! } : {}),
        ...(query.get('set') ? { set: query.get('set')! } : {}),
      };
    }
    if (!formats.some((f) => f.prefix === token.prefix)) {
      return oaiError('cannotDisseminateFormat', `${token.prefix} is not supported`);
    }
    const from = token.from ? seconds(token.from, false) : undefined;
    const until = token.until ? seconds(token.until, true) : undefined;
    const matching = state.records.filter(
      (r) =>
        (!from || r.datestamp >= from) &&
        (!until || r.datestamp <= until) &&
        (!token.set || (r.sets ?? []).includes(token.set)),
    );
    if (matching.length === 0) return oaiError('noRecordsMatch', 'No records match.');
    const page = matching.slice(token.offset, token.offset + pageSize);
    let body = '<ListRecords>';
    for (const r of page) {
      body +=
        `<record><header${r.deleted ? ' status="deleted"' : ''}>` +
        `<identifier>${escape(r.identifier)}</identifier><datestamp>${stamp(r.datestamp)}</datestamp>` +
        (r.sets ?? []).map((s) => `<setSpec>${escape(s)}</setSpec>`).join('') +
        `</header>` +
        (r.deleted ? '' : `<metadata>${r.metadata ?? ''}</metadata>`) +
        `</record>`;
    }
    const next = token.offset + pageSize;
    const size = options.completeListSize === false ? '' : ` completeListSize="${matching.length}"`;
    if (next < matching.length) {
      const value = Buffer.from(JSON.stringify({ ...token, offset: next })).toString('base64url');
      body += `<resumptionToken${size} cursor="${token.offset}">${value}</resumptionToken>`;
    } else if (token.offset > 0) {
      body += `<resumptionToken${size} cursor="${token.offset}"/>`;
    }
    return `${body}</ListRecords>`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    requests.push(query);
    const fault = faults.findIndex((f) => f.when(query));
    if (fault >= 0) {
      const [f] = faults.splice(fault, 1);
      f!.answer(res, query);
      return;
    }
    const verb = query.get('verb');
    if (dead) {
      req.socket.destroy();
      return;
    }
    if (verb === 'ListRecords') {
      if (pagesLeft <= 0) {
        dead = true;
        const body = envelope(query, listRecords(query));
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.write(body.slice(0, body.length >> 1), () => res.socket?.destroy());
        return;
      }
      pagesLeft--;
    }
    let inner: string;
    switch (verb) {
      case 'Identify':
        inner =
          `<Identify><repositoryName>Test library</repositoryName><baseURL>${escape(url)}</baseURL>` +
          `<protocolVersion>2.0</protocolVersion><adminEmail>oai@example.edu</adminEmail>` +
          `<earliestDatestamp>${stamp('2000-01-01T00:00:00Z')}</earliestDatestamp>` +
          `<deletedRecord>persistent</deletedRecord><granularity>${granularity}</granularity></Identify>`;
        break;
      case 'ListMetadataFormats':
        inner =
          '<ListMetadataFormats>' +
          formats
            .map(
              (f) =>
                `<metadataFormat><metadataPrefix>${f.prefix}</metadataPrefix><schema>${f.namespace}.xsd</schema>` +
                `<metadataNamespace>${f.namespace}</metadataNamespace></metadataFormat>`,
            )
            .join('') +
          '</ListMetadataFormats>';
        break;
      case 'ListRecords':
        inner = listRecords(query);
        break;
      default:
        inner = oaiError('badVerb', 'Illegal OAI verb');
    }
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(envelope(query, inner));
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oai`;

  return {
    url,
    get records() {
      return state.records;
    },
    set records(value) {
      state.records = value;
    },
    requests,
    get responseDate() {
      return state.responseDate;
    },
    set responseDate(value) {
      state.responseDate = value;
    },
    busyOnce(retryAfterSeconds, when = () => true) {
      faults.push({
        when,
        answer: (res) => {
          res.writeHead(503, { 'retry-after': String(retryAfterSeconds) });
          res.end('busy');
        },
      });
    },
    failOnce(code, message, when = () => true) {
      faults.push({
        when,
        answer: (res, query) => {
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
          res.end(envelope(query, oaiError(code, message)));
        },
      });
    },
    dieAfter(pages) {
      pagesLeft = pages;
    },
    revive() {
      dead = false;
      pagesLeft = Infinity;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const DEMO_LIBRARY = fileURLToPath(new URL('../demo/demo-library.mrc', import.meta.url));

/** The demo library's records (those that read without a problem), in file order. */
export async function demoMarcRecords(): Promise<MarcRecord[]> {
  const out: MarcRecord[] = [];
  for await (const r of readMarc(createReadStream(DEMO_LIBRARY))) if (r.ok) out.push(r.record);
  return out;
}

/** The record with its title proper (245 $a or 200 $a) replaced: a changed record to harvest. */
export function retitled(record: MarcRecord, title: string): MarcRecord {
  return {
    leader: record.leader,
    fields: record.fields.map((f) =>
      isDataField(f) && (f.tag === '245' || f.tag === '200')
        ? { ...f, subfields: f.subfields.map((s) => (s.code === 'a' ? { ...s, value: title } : s)) }
        : f,
    ),
  };
}
