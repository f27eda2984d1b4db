/**
 * Harvests a repository over OAI-PMH into the catalogue, incrementally: each source
 * (URL, set, format) remembers the responseDate of its last completed harvest and the
 * next one asks `from` there. Every page lands in one transaction for its records and
 * one for its deletions; only a completed harvest moves the saved point, so a harvest
 * cut short is simply repeated from the old point, and upserts by control number make
 * the repetition harmless.
 */
import type { Clock } from '../../../platform/clock.ts';
import {
  detectFlavour,
  MarcError,
  parseMarcXmlRecord,
  toBibRecord,
  type Flavour,
  type MarcErrorCode,
} from '../marc/index.ts';
import type { BibRecord } from '../record.ts';
import type { CatalogService } from '../service.ts';
import { OaiClient, type OaiClientOptions } from './client.ts';
import { HarvestError } from './errors.ts';
import { datestampFor, isDatestamp, pickMarcFormat, type OaiRecord } from './protocol.ts';
import type { HarvestRepository, HarvestSource } from './repository.ts';

export interface HarvestDeps {
  readonly catalog: CatalogService;
  readonly harvests: HarvestRepository;
  readonly clock: Clock;
}

export interface HarvestOptions {
  /** The repository's base URL. */
  readonly url: string;
  /** The metadata format; default the MARCXML one the server offers (marc21, marcxml …). */
  readonly prefix?: string;
  readonly set?: string;
  /** Overrides the saved point (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ). */
  readonly from?: string;
  readonly until?: string;
  /** Ignores the saved point: harvests everything. */
  readonly full?: boolean;
  /** Force MARC 21 or UNIMARC (CNMARC) instead of detecting per record. */
  readonly flavour?: Flavour;
  /** Fields holding items, per flavour (as for the file import). */
  readonly itemFields?: { marc21?: string[]; unimarc?: string[] };
  /** Records per transaction; a page larger than this lands in several. Default 1000. */
  readonly batchSize?: number;
  /** HTTP behaviour: timeouts, retries, a fetch of one's own. */
  readonly http?: Omit<OaiClientOptions, 'baseUrl' | 'onRetry'>;
  /** Called after every page (a progress line). */
  readonly onProgress?: (progress: HarvestProgress) => void;
  /** Called before the client waits to retry (a busy server, a network failure). */
  readonly onRetry?: OaiClientOptions['onRetry'];
}

export interface HarvestProblem {
  /** 1-based position of the record in the harvest (deleted ones count too). */
  readonly position: number;
  readonly identifier: string;
  readonly code:
    MarcErrorCode | 'MAPPING_FAILED' | 'NO_TITLE' | 'NO_CONTROL_NUMBER' | 'NO_METADATA';
  readonly message: string;
}

export interface HarvestProgress {
  readonly pages: number;
  /** Records read, deleted ones included. */
  readonly read: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly failed: number;
  /** The size of the whole list when the server tells it. */
  readonly completeListSize: number | null;
}

export interface HarvestSummary extends HarvestProgress {
  readonly url: string;
  readonly set: string | null;
  readonly prefix: string;
  readonly granularity: string;
  /** What was asked for; null for "from the beginning" / "up to now". */
  readonly from: string | null;
  readonly until: string | null;
  /** Where the next harvest will start. */
  readonly nextFrom: string;
  /** Deletions of records the catalogue does not have (never harvested, or gone). */
  readonly ignoredDeletions: number;
  readonly seconds: number;
  /** The first problems (at most 1000), in harvest order. */
  readonly problems: readonly HarvestProblem[];
}

const MAX_PROBLEMS = 1000;

type Mapped =
  { ok: true; record: BibRecord } | { ok: false; code: HarvestProblem['code']; message: string };

function mapRecord(record: OaiRecord, options: HarvestOptions): Mapped {
  if (record.metadata === null || record.metadata.trim() === '') {
    return { ok: false, code: 'NO_METADATA', message: 'the record has no <metadata>' };
  }
  let bib: BibRecord;
  try {
    const marc = parseMarcXmlRecord(record.metadata);
    const flavour = detectFlavour(
      marc.fields.map((f) => f.tag),
      marc.leader,
    );
    bib = toBibRecord(
      marc,
      options.flavour ?? flavour ?? 'auto',
      options.itemFields ? { itemFields: options.itemFields } : {},
    );
  } catch (error) {
    if (error instanceof MarcError) return { ok: false, code: error.code, message: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'MAPPING_FAILED', message };
  }
  if (!bib.controlNumber) {
    return {
      ok: false,
      code: 'NO_CONTROL_NUMBER',
      message: 'the record has no control number (001) and no ISBN to derive one from',
    };
  }
  if (!bib.title) return { ok: false, code: 'NO_TITLE', message: 'the record has no title' };
  return { ok: true, record: bib };
}

function validDate(value: string | undefined, name: string): void {
  if (value !== undefined && !isDatestamp(value)) {
    throw new RangeError(`${name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not ${value}`);
  }
}

/**
 * Harvests one source into the catalogue and returns what changed. Throws a
 * HarvestError when the server cannot be reached or answers with an OAI-PMH error;
 * whatever landed before stays, and the saved point does not move.
 *
 * @example
 * const summary = await harvestOai(
 *   { catalog, harvests: new HarvestRepository(tablesOf(database.db)), clock },
 *   { url: 'https://opac.example.edu/cgi-bin/koha/oai.pl' },
 * );
 * console.log(`${summary.created} new, ${summary.deleted} deleted; next from ${summary.nextFrom}`);
 */
export async function harvestOai(
  deps: HarvestDeps,
  options: HarvestOptions,
): Promise<HarvestSummary> {
  const started = performance.now();
  validDate(options.from, 'from');
  validDate(options.until, 'until');
  const batchSize = options.batchSize ?? 1000;
  const client = new OaiClient({
    ...options.http,
    baseUrl: options.url,
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  });

  const identify = await client.identify();
  let prefix = options.prefix;
  if (!prefix) {
    const formats = await client.listMetadataFormats();
    prefix = pickMarcFormat(formats);
    if (!prefix) {
      throw new HarvestError(
        'NO_MARC_FORMAT',
        `${options.url} offers no MARCXML format (it offers ${formats.map((f) => f.prefix).join(', ') || 'none'}); name one with --prefix`,
      );
    }
  }
  const source: HarvestSource = { baseUrl: options.url, set: options.set ?? '', prefix };
  const state = await deps.harvests.get(source);
  const saved = options.full ? undefined : (state?.responseDate ?? undefined);
  const fromValue = options.from ?? saved;
  const from = fromValue ? datestampFor(fromValue, identify.granularity) : undefined;
  const until = options.until ? datestampFor(options.until, identify.granularity) : undefined;
  await deps.harvests.start(
    source,
    { granularity: identify.granularity, earliestDatestamp: identify.earliestDatestamp },
    deps.clock.now(),
  );

  const problems: HarvestProblem[] = [];
  let pages = 0;
  let read = 0;
  let created = 0;
  let updated = 0;
  let deleted = 0;
  let ignoredDeletions = 0;
  let failed = 0;
  let completeListSize: number | null = null;
  let firstResponseDate: string | undefined;
  const progress = (): HarvestProgress => ({
    pages,
    read,
    created,
    updated,
    deleted,
    failed,
    completeListSize,
  });

  try {
    for await (const page of client.listRecords({
      metadataPrefix: prefix,
      ...(from ? { from } : {}),
      ...(until ? { until } : {}),
      ...(options.set ? { set: options.set } : {}),
    })) {
      pages++;
      // The first page's: changes made while the harvest pages on come after it.
      firstResponseDate ??= page.responseDate;
      if (page.completeListSize !== null) completeListSize ??= page.completeListSize;
      const batch: BibRecord[] = [];
      const harvested: Array<{ identifier: string; controlNumber: string }> = [];
      const gone: string[] = [];
      for (const record of page.records) {
        read++;
        if (record.header.deleted) {
          gone.push(record.header.identifier);
          continue;
        }
        const mapped = mapRecord(record, options);
        if (!mapped.ok) {
          failed++;
          if (problems.length < MAX_PROBLEMS) {
            problems.push({
              position: read,
              identifier: record.header.identifier,
              code: mapped.code,
              message: mapped.message,
            });
          }
          continue;
        }
        batch.push(mapped.record);
        harvested.push({
          identifier: record.header.identifier,
          controlNumber: mapped.record.controlNumber,
        });
      }
      for (let i = 0; i < batch.length; i += batchSize) {
        const saved = await deps.catalog.saveBatch(batch.slice(i, i + batchSize));
        created += saved.created;
        updated += saved.updated;
      }
      await deps.harvests.remember(options.url, harvested);
      if (gone.length > 0) {
        const known = await deps.harvests.controlNumbers(options.url, gone);
        const removed = await deps.catalog.deleteRecords([...known.values()]);
        deleted += removed;
        ignoredDeletions += gone.length - removed;
        await deps.harvests.forget(options.url, [...known.keys()]);
      }
      options.onProgress?.(progress());
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.harvests.fail(source, message).catch(() => undefined);
    throw error;
  }

  // listRecords yields at least one page (noRecordsMatch is an empty one).
  const responseDate = firstResponseDate!;
  const nextFrom =
    options.until && Date.parse(options.until) < Date.parse(responseDate)
      ? options.until
      : responseDate;
  await deps.harvests.complete(
    source,
    { responseDate: nextFrom, records: created + updated, deletions: deleted },
    deps.clock.now(),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    ...progress(),
    url: options.url,
    set: options.set ?? null,
    prefix,
    granularity: identify.granularity,
    from: from ?? null,
    until: until ?? null,
    nextFrom,
    ignoredDeletions,
    seconds: Math.round(seconds * 100) / 100,
    problems,
  };
}
