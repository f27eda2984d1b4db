/**
 * The catalogue: records in the database, searched through the in-memory index.
 * Imports write a batch to the database first and index it only once it is
 * committed, so a failed batch leaves neither half-written.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import type { BibRecord, Item, StorableRecord } from './record.ts';
import type { CatalogRepository, StoredRecord } from './repository.ts';
import type { CatalogIndex, DocumentTerms } from './search/engine.ts';
import type { HitView, SearchAnswer } from './types.ts';
import type { SearchDocument, SearchRequest } from './search/types.ts';

export interface CatalogDeps {
  readonly repository: CatalogRepository;
  readonly index: CatalogIndex;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * False for a process that only writes (the `shulin import` command): its index
   * would be thrown away, and the servers pick the records up through `refresh`.
   */
  readonly indexing?: boolean;
}

export type { HitView };

/** What `search` finds; the route adds the page and its size (`SearchAnswer`). */
export type SearchResponse = Omit<SearchAnswer, 'page' | 'pageSize'>;

const AVAILABLE = 'available';

/** What the index needs of a stored record. */
export function toSearchDocument(
  id: number,
  record: Omit<BibRecord, 'items' | 'marc' | 'iso2709'>,
  items: readonly Item[],
  addedAt: number,
): SearchDocument {
  const callNumbers = new Set<string>();
  if (record.callNumber) callNumbers.add(record.callNumber);
  for (const item of items) if (item.callNumber) callNumbers.add(item.callNumber);
  return {
    id,
    title: record.title,
    subtitle: record.subtitle,
    parallelTitles: record.parallelTitles,
    titlePinyin: record.titlePinyin,
    authors: record.authors.map((a) => a.name),
    subjects: record.subjects,
    publisher: record.publisher,
    series: record.series,
    isbns: record.isbns,
    issn: record.issn,
    callNumbers: [...callNumbers],
    clc: record.clc,
    summary: record.summary,
    year: record.year,
    language: record.language,
    materialType: record.materialType,
    branches: [...new Set(items.map((i) => i.branch).filter((b): b is string => Boolean(b)))],
    locations: [...new Set(items.map((i) => i.location).filter((b): b is string => Boolean(b)))],
    availableItems: items.filter((i) => i.status === AVAILABLE).length,
    totalItems: items.length,
    addedAt,
  };
}

function hitView(stored: StoredRecord, score: number): HitView {
  const r = stored.record;
  return {
    id: stored.id,
    controlNumber: r.controlNumber,
    title: r.title,
    subtitle: r.subtitle,
    authors: r.authors.map((a) => a.name),
    publisher: r.publisher,
    year: r.year,
    isbns: r.isbns,
    language: r.language,
    materialType: r.materialType,
    callNumber: r.callNumber ?? stored.items.find((i) => i.callNumber)?.callNumber ?? null,
    items: {
      total: stored.items.length,
      available: stored.items.filter((i) => i.status === AVAILABLE).length,
    },
    score,
  };
}

/**
 * @example
 * const catalog = new CatalogService({ repository, index, logger, clock });
 * await catalog.load();
 * const { total, hits } = await catalog.search({ q: '三体' });
 */
export class CatalogService {
  readonly #deps: CatalogDeps;
  #loaded = false;
  /** The newest (`updated_at`, id) the index has seen. */
  #seen = 0;
  #seenId = 0;
  /** The newest logged deletion the index has seen. */
  #seenDeletion = 0;
  #refreshing: Promise<number> | null = null;

  constructor(deps: CatalogDeps) {
    this.#deps = deps;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Records in the database. */
  count(): Promise<number> {
    return this.#deps.repository.count();
  }

  /** Records in the search index. */
  get size(): number {
    return this.#deps.index.size;
  }

  /** Builds the search index from the database (at start-up). */
  async load(): Promise<{ records: number; ms: number }> {
    const started = performance.now();
    let records = 0;
    // Read before the records: a deletion logged meanwhile is then applied once more
    // by `refresh`, which is harmless, instead of being missed.
    this.#seenDeletion = await this.#deps.repository.lastDeletion();
    for await (const page of this.#deps.repository.all()) {
      for (const stored of page) {
        this.#deps.index.add(
          toSearchDocument(stored.id, stored.record, stored.items, stored.addedAt),
        );
        this.#see(stored);
      }
      records += page.length;
    }
    this.#deps.index.trim();
    this.#loaded = true;
    const ms = Math.round(performance.now() - started);
    this.#deps.logger.info({ records, ms }, 'catalogue index built');
    return { records, ms };
  }

  /** Whether this process keeps a search index (see CatalogDeps.indexing). */
  get indexing(): boolean {
    return this.#deps.indexing ?? true;
  }

  /**
   * Stores and indexes one batch (one transaction). Returns how many records
   * were new and how many replaced an earlier version. `terms`, when given, are
   * the records' index terms, analysed already (`analyzeDocument`).
   */
  async saveBatch(
    records: readonly StorableRecord[],
    terms?: readonly DocumentTerms[],
  ): Promise<{ created: number; updated: number }> {
    if (records.length === 0) return { created: 0, updated: 0 };
    const now = this.#deps.clock.now();
    const written = await this.#deps.repository.upsert(records, now);
    let created = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const { id, created: isNew, addedAt } = written[i]!;
      if (isNew) created++;
      if (this.#deps.indexing ?? true)
        this.#deps.index.add(toSearchDocument(id, record, record.items, addedAt), terms?.[i]);
    }
    if (this.#deps.indexing ?? true) {
      for (const w of written) this.#see({ updatedAt: now, id: w.id });
    }
    return { created, updated: records.length - created };
  }

  /** Compacts the index after a run of batches (the end of an import). */
  settle(): void {
    if (this.#deps.indexing ?? true) this.#deps.index.trim();
  }

  /**
   * Deletes the records with these control numbers (unknown ones are ignored) from
   * the database, in one transaction, then from the index. Returns how many were
   * deleted.
   */
  async deleteRecords(controlNumbers: readonly string[]): Promise<number> {
    const deleted = await this.#deps.repository.deleteByControlNumbers(
      controlNumbers,
      this.#deps.clock.now(),
    );
    if (this.#deps.indexing ?? true) for (const d of deleted) this.#deps.index.remove(d.id);
    return deleted.length;
  }

  #see(stored: { updatedAt: number; id: number }): void {
    if (
      stored.updatedAt > this.#seen ||
      (stored.updatedAt === this.#seen && stored.id > this.#seenId)
    ) {
      this.#seen = stored.updatedAt;
      this.#seenId = stored.id;
    }
  }

  /**
   * Indexes records that other processes wrote since the last look (an import
   * from the command line, another instance). Returns how many were indexed.
   */
  refresh(): Promise<number> {
    this.#refreshing ??= (async () => {
      let total = 0;
      try {
        for (;;) {
          const changed = await this.#deps.repository.changedSince(this.#seen, this.#seenId);
          for (const stored of changed) {
            this.#deps.index.add(
              toSearchDocument(stored.id, stored.record, stored.items, stored.addedAt),
            );
            this.#see(stored);
          }
          total += changed.length;
          if (changed.length < 5000) break;
        }
        let removed = 0;
        for (;;) {
          const deletions = await this.#deps.repository.deletionsSince(this.#seenDeletion);
          for (const d of deletions) {
            if (this.#deps.index.remove(d.recordId)) removed++;
            this.#seenDeletion = d.id;
          }
          if (deletions.length < 5000) break;
        }
        if (removed > 0) this.#deps.logger.info({ records: removed }, 'catalogue records removed');
        if (total > 0) this.#deps.logger.info({ records: total }, 'catalogue index refreshed');
        return total;
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const result = this.#deps.index.search(request);
    const stored = await this.#deps.repository.getMany(result.hits.map((h) => h.id));
    const scores = new Map(result.hits.map((h) => [h.id, h.score]));
    return {
      total: result.total,
      hits: stored.map((s) => hitView(s, scores.get(s.id) ?? 0)),
      facets: result.facets,
      suggestion: result.suggestion,
    };
  }

  async record(id: number) {
    return this.#deps.repository.get(id);
  }

  complete(prefix: string, limit = 10): string[] {
    return this.#deps.index.complete(prefix, limit);
  }

  async newArrivals(limit = 20): Promise<HitView[]> {
    const ids = this.#deps.index.newArrivals(limit);
    return (await this.#deps.repository.getMany(ids)).map((s) => hitView(s, 0));
  }
}
