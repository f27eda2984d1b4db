/**
 * An OAI-PMH 2.0 client for harvesting: Identify, ListMetadataFormats and ListRecords
 * paged by resumptionToken, one page in memory at a time. Every request has a
 * timeout; 503 with Retry-After is waited out (up to a bound), other server and
 * network failures are retried with backoff; what is left is a HarvestError.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HarvestError } from './errors.ts';
import {
  oaiErrorMessage,
  parseIdentify,
  parseListRecords,
  parseMetadataFormats,
  parseOaiEnvelope,
  type OaiEnvelope,
  type OaiIdentify,
  type OaiListPage,
  type OaiMetadataFormat,
} from './protocol.ts';

export interface OaiClientOptions {
  /** The repository's base URL, e.g. https://opac.example.edu/cgi-bin/koha/oai.pl. */
  readonly baseUrl: string;
  /** Per request, headers and body; default 60000 (pages of full MARC records are slow). */
  readonly timeoutMs?: number;
  /** Pauses before each retry after a network failure or a 5xx; default [2000, 10000, 30000]. */
  readonly retryDelaysMs?: readonly number[];
  /** The longest Retry-After honoured; a server asking for more stops the harvest. Default 300000. */
  readonly maxRetryAfterMs?: number;
  /** A page larger than this is refused; default 256 MB. */
  readonly maxResponseBytes?: number;
  readonly fetch?: typeof fetch;
  /**
   * Ends the harvest at once when aborted, mid-request or mid-pause, with the signal's
   * reason (the server's schedule aborts with a `STOPPED` HarvestError when it closes).
   */
  readonly signal?: AbortSignal;
  /** Told before each pause, for a progress line. */
  readonly onRetry?: (retry: { readonly reason: string; readonly waitMs: number }) => void;
}

export interface ListRecordsArgs {
  readonly metadataPrefix: string;
  readonly from?: string;
  readonly until?: string;
  readonly set?: string;
}

const USER_AGENT = 'Shulin OAI-PMH harvester';

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth += 1) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}

/** Retry-After in milliseconds (seconds or an HTTP date); null when absent or unreadable. */
function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function readBody(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new HarvestError('BAD_RESPONSE', `the response is larger than ${limit} bytes`);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) {
        throw new HarvestError('BAD_RESPONSE', `the response is larger than ${limit} bytes`);
      }
      parts.push(chunk);
    }
  }
  // OAI-PMH answers are UTF-8; a stray bad byte belongs to one record, whose reader
  // reports it, rather than to the whole page.
  return new TextDecoder('utf-8').decode(Buffer.concat(parts));
}

/**
 * @example
 * const oai = new OaiClient({ baseUrl: 'https://opac.example.edu/cgi-bin/koha/oai.pl' });
 * const { granularity } = await oai.identify();
 * for await (const page of oai.listRecords({ metadataPrefix: 'marc21', from: '2024-05-01' })) {
 *   for (const record of page.records) console.log(record.header.identifier);
 * }
 */
export class OaiClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #delays: readonly number[];
  readonly #maxRetryAfterMs: number;
  readonly #maxBytes: number;
  readonly #fetch: typeof fetch;
  readonly #onRetry: OaiClientOptions['onRetry'];
  readonly #signal: AbortSignal | undefined;
  /** Requests sent, retries included. */
  requests = 0;

  constructor(options: OaiClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HarvestError('UNREACHABLE', `not an http(s) URL: ${options.baseUrl}`);
    }
    this.baseUrl = options.baseUrl;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#delays = options.retryDelaysMs ?? [2000, 10_000, 30_000];
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
    this.#maxBytes = options.maxResponseBytes ?? 256 * 1024 * 1024;
    this.#fetch = options.fetch ?? fetch;
    this.#signal = options.signal;
    this.#onRetry = options.onRetry;
  }

  /** The repository's description: granularity, earliestDatestamp, deletedRecord. */
  async identify(): Promise<OaiIdentify> {
    return parseIdentify(await this.#call({ verb: 'Identify' }));
  }

  /** The metadata formats the repository offers for its records. */
  async listMetadataFormats(): Promise<OaiMetadataFormat[]> {
    return parseMetadataFormats(await this.#call({ verb: 'ListMetadataFormats' }));
  }

  /**
   * The records, a page at a time, following resumption tokens to the end. No match
   * (noRecordsMatch) is one empty page, which still carries the responseDate.
   */
  async *listRecords(args: ListRecordsArgs): AsyncGenerator<OaiListPage> {
    const first: Record<string, string> = {
      verb: 'ListRecords',
      metadataPrefix: args.metadataPrefix,
    };
    if (args.from) first.from = args.from;
    if (args.until) first.until = args.until;
    if (args.set) first.set = args.set;
    let params = first;
    for (;;) {
      const page = parseListRecords(await this.#call(params, { noRecordsMatch: true }));
      yield page;
      if (!page.resumptionToken) return;
      // The token stands for the whole request: it travels alone (OAI-PMH 2.0 §3.5).
      params = { verb: 'ListRecords', resumptionToken: page.resumptionToken };
    }
  }

  async #call(
    params: Record<string, string>,
    allow: { noRecordsMatch?: boolean } = {},
  ): Promise<OaiEnvelope> {
    const url = new URL(this.baseUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const { status, body } = await this.#get(url);
    let envelope: OaiEnvelope;
    try {
      envelope = parseOaiEnvelope(body);
    } catch (error) {
      // Some servers send their OAI errors with 4xx; without an envelope, the status speaks.
      if (status !== 200) {
        throw new HarvestError('HTTP_STATUS', `${this.#where(url)} answered HTTP ${status}`);
      }
      if (error instanceof HarvestError) {
        throw new HarvestError(error.code, `${this.#where(url)}: ${error.message}`, undefined, {
          cause: error,
        });
      }
      throw error;
    }
    const failure = envelope.errors.find(
      (e) => !(allow.noRecordsMatch && e.code === 'noRecordsMatch'),
    );
    if (failure) {
      throw new HarvestError(
        'OAI_ERROR',
        `${oaiErrorMessage(failure.code, failure.message)} — ${params.verb} at ${this.#where(url)}`,
        failure.code,
      );
    }
    if (status !== 200) {
      throw new HarvestError('HTTP_STATUS', `${this.#where(url)} answered HTTP ${status}`);
    }
    return envelope;
  }

  /** Where a request went, without its query (tokens can be long). */
  #where(url: URL): string {
    return `${url.origin}${url.pathname}`;
  }

  async #get(url: URL): Promise<{ status: number; body: string }> {
    for (let attempt = 0; ; attempt++) {
      const delay = this.#delays[attempt];
      let reason: string;
      let waitMs: number | undefined;
      this.#signal?.throwIfAborted();
      try {
        this.requests++;
        const timeout = AbortSignal.timeout(this.#timeoutMs);
        const signal = this.#signal ? AbortSignal.any([timeout, this.#signal]) : timeout;
        const response = await this.#fetch(url, {
          headers: { 'user-agent': USER_AGENT, accept: 'text/xml, application/xml' },
          signal,
          redirect: 'follow',
        });
        if (response.status === 503 || response.status === 429) {
          const asked = retryAfterMs(response.headers.get('retry-after'), Date.now());
          await response.body?.cancel();
          if (asked !== null && asked > this.#maxRetryAfterMs) {
            throw new HarvestError(
              'HTTP_STATUS',
              `${this.#where(url)} is busy (HTTP ${response.status}) and asks to retry after ${Math.ceil(asked / 1000)} s, more than the ${Math.round(this.#maxRetryAfterMs / 1000)} s this harvest waits`,
            );
          }
          reason = `HTTP ${response.status}`;
          // Retry-After is the server's word; without it, the backoff decides.
          if (asked !== null) waitMs = asked;
        } else if (response.status >= 500) {
          await response.body?.cancel();
          reason = `HTTP ${response.status}`;
        } else {
          return { status: response.status, body: await readBody(response, this.#maxBytes) };
        }
      } catch (error) {
        this.#signal?.throwIfAborted();
        if (error instanceof HarvestError) throw error;
        const name = error instanceof Error ? error.name : '';
        if (name === 'TimeoutError') {
          reason = `no complete answer within ${this.#timeoutMs} ms`;
        } else {
          reason = errorCode(error) ?? (error instanceof Error ? error.message : String(error));
        }
        // A host name that does not exist will not come to exist by waiting.
        if (delay === undefined || errorCode(error) === 'ENOTFOUND') {
          const timeout = name === 'TimeoutError';
          throw new HarvestError(
            timeout ? 'TIMEOUT' : 'UNREACHABLE',
            `${timeout ? 'no answer from' : 'cannot reach'} ${this.#where(url)} (${reason}) after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`,
            undefined,
            { cause: error },
          );
        }
      }
      if (delay === undefined) {
        throw new HarvestError(
          'HTTP_STATUS',
          `${this.#where(url)} answered ${reason} ${attempt + 1} times; giving up`,
        );
      }
      const wait = waitMs ?? delay;
      this.#onRetry?.({ reason, waitMs: wait });
      await sleep(wait, undefined, { signal: this.#signal }).catch((error: unknown) => {
        this.#signal?.throwIfAborted();
        throw error;
      });
    }
  }
}
