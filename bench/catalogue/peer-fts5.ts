/**
 * The plain peer: a SQLite FTS5 index over jieba-segmented text, as the
 * issue's anchor measured it (p50 ≈ 6 ms, p99 ≈ 495 ms at 1M, no facets).
 *
 * - contentless fts5(title, author, subject, publisher), tokenizer
 *   `unicode61 remove_diacritics 2`, plus a `books(id, rid, title)` table for
 *   the 20 titles;
 * - index text: `jieba.cutForSearch(field, true)`, lower-cased, tokens without
 *   a letter or digit dropped, joined with spaces;
 * - query: `jieba.cut(q, true)` the same way, every term quoted (AND), ranked
 *   by `bm25(books_fts, 10, 5, 2, 1)`, LIMIT 20, joined to `books`;
 * - no total count and no facets in the timed query (as in the anchor); exact
 *   counts are taken outside the timed loop.
 *
 *   node --import tsx bench/catalogue/peer-fts5.ts --data DIR [--records N]
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { mb, procMem, readLines, secondsSince, type PlainRecord } from './common.ts';
import type {
  BenchTarget,
  BuildReport,
  MemoryReport,
  SearchResult,
  TargetOptions,
} from './target.ts';
import { jieba } from './vocab.ts';

const WEIGHTS = [10, 5, 2, 1];
const WORDLIKE = /[\p{L}\p{N}]/u;

/** Segments several fields in one jieba call; returns one space-joined string per field. */
export function segmentFields(fields: readonly string[], forSearch: boolean): string[] {
  const jb = jieba();
  const text = fields.map((f) => f.replace(/\n/g, ' ')).join('\n');
  const tokens = forSearch ? jb.cutForSearch(text, true) : jb.cut(text, true);
  const out: string[][] = fields.map(() => []);
  let k = 0;
  for (const t of tokens) {
    if (t.includes('\n')) {
      k += t.split('\n').length - 1;
      continue;
    }
    if (WORDLIKE.test(t)) out[Math.min(k, out.length - 1)]!.push(t.toLowerCase());
  }
  return out.map((o) => o.join(' '));
}

/** Query terms: jieba.cut, lower-cased, word-like tokens only. */
export function queryTerms(q: string): string[] {
  return jieba()
    .cut(q, true)
    .filter((t) => WORDLIKE.test(t))
    .map((t) => t.toLowerCase());
}

const quote = (t: string): string => `"${t.replace(/"/g, '""')}"`;

export class Fts5Peer implements BenchTarget {
  readonly name = 'fts5 peer';
  private readonly file: string;
  private db: Database.Database | undefined;
  private top: Database.Statement<[string], { rid: string; title: string }> | undefined;
  private counter: Database.Statement<[string], { c: number }> | undefined;
  private counterUpTo: Database.Statement<[string, number], { c: number }> | undefined;
  private sizes: Record<string, unknown> = {};

  constructor(private readonly opts: TargetOptions) {
    mkdirSync(opts.workDir, { recursive: true });
    this.file = join(opts.workDir, 'fts5.db');
  }

  describe(): string {
    return (
      'SQLite FTS5 unicode61 (remove_diacritics 2), contentless, over jieba cutForSearch text; ' +
      'query = jieba cut terms AND-ed, bm25(10,5,2,1), top 20 with id and title; no total, no facets'
    );
  }

  async build(): Promise<BuildReport> {
    for (const f of [this.file, this.file + '-wal', this.file + '-shm']) rmSync(f, { force: true });
    const t0 = process.hrtime.bigint();
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -262144');
    db.pragma('temp_store = MEMORY');
    db.exec('CREATE TABLE books(id INTEGER PRIMARY KEY, rid TEXT NOT NULL, title TEXT NOT NULL)');
    db.exec(
      `CREATE VIRTUAL TABLE books_fts USING fts5(title, author, subject, publisher,
        content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
    );
    const insBook = db.prepare('INSERT INTO books(id, rid, title) VALUES (?, ?, ?)');
    const insFts = db.prepare(
      'INSERT INTO books_fts(rowid, title, author, subject, publisher) VALUES (?, ?, ?, ?, ?)',
    );
    type Row = [number, string, string, string[]];
    const flush = db.transaction((rows: Row[]) => {
      for (const [rowid, rid, title, seg] of rows) {
        insBook.run(rowid, rid, title);
        insFts.run(rowid, seg[0], seg[1], seg[2], seg[3]);
      }
    });
    let segNs = 0n;
    let rows: Row[] = [];
    let n = 0;
    for await (const line of readLines(
      join(this.opts.dataDir, 'records.ndjson'),
      this.opts.records,
    )) {
      const r = JSON.parse(line) as PlainRecord;
      n++;
      const title = r.subtitle ? `${r.title} ${r.subtitle}` : r.title;
      const s0 = process.hrtime.bigint();
      const seg = segmentFields(
        [title, r.authors.join(' '), r.subjects.join(' '), r.publisher],
        true,
      );
      segNs += process.hrtime.bigint() - s0;
      rows.push([n, r.id, r.title, seg]);
      if (rows.length >= 20_000) {
        flush(rows);
        rows = [];
      }
    }
    if (rows.length) flush(rows);
    const loadS = secondsSince(t0);
    const t1 = process.hrtime.bigint();
    db.exec(`INSERT INTO books_fts(books_fts) VALUES('optimize')`);
    const optimizeS = secondsSince(t1);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    this.sizes = {
      db_file_mb: mb(statSync(this.file).size),
      used_mb: mb((pages - free) * pageSize),
    };
    try {
      const rows2 = db
        .prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC`)
        .all() as Array<{ name: string; bytes: number }>;
      const fts = rows2.filter((x) => x.name.startsWith('books_fts'));
      this.sizes.fts_index_mb = mb(fts.reduce((a, x) => a + x.bytes, 0));
      this.sizes.by_object_mb = Object.fromEntries(rows2.map((x) => [x.name, mb(x.bytes)]));
    } catch (e) {
      this.sizes.by_object_mb = `dbstat unavailable: ${(e as Error).message}`;
    }
    db.close();
    const seconds = secondsSince(t0);
    // queries run on a fresh read-only connection, as in the anchor
    this.db = new Database(this.file, { readonly: true });
    this.db.pragma('cache_size = -262144');
    this.top = this.db.prepare(
      `SELECT b.rid AS rid, b.title AS title FROM (
         SELECT rowid, bm25(books_fts, ${WEIGHTS.join(', ')}) AS score
         FROM books_fts WHERE books_fts MATCH ? ORDER BY score LIMIT 20
       ) r JOIN books b ON b.id = r.rowid ORDER BY r.score`,
    );
    this.counter = this.db.prepare('SELECT count(*) AS c FROM books_fts WHERE books_fts MATCH ?');
    this.counterUpTo = this.db.prepare(
      'SELECT count(*) AS c FROM books_fts WHERE books_fts MATCH ? AND rowid <= ?',
    );
    return {
      records: n,
      seconds,
      details: {
        read_segment_insert_s: loadS,
        jieba_segment_s: Number((Number(segNs) / 1e9).toFixed(2)),
        optimize_s: optimizeS,
      },
    };
  }

  private match(q: string): string | null {
    const terms = queryTerms(q);
    return terms.length ? terms.map(quote).join(' ') : null;
  }

  search(q: string): Promise<SearchResult> {
    const m = this.match(q);
    if (!this.top) throw new Error('build() first');
    const rows = m === null ? [] : this.top.all(m);
    return Promise.resolve({ total: null, hits: rows.map((r) => ({ id: r.rid, title: r.title })) });
  }

  count(q: string): Promise<number> {
    const m = this.match(q);
    if (!this.counter) throw new Error('build() first');
    return Promise.resolve(m === null ? 0 : (this.counter.get(m)?.c ?? 0));
  }

  countUpTo(q: string, records: number): Promise<number> {
    const m = this.match(q);
    if (!this.counterUpTo) throw new Error('build() first');
    return Promise.resolve(m === null ? 0 : (this.counterUpTo.get(m, records)?.c ?? 0));
  }

  sizeBytes(): Promise<number> {
    return Promise.resolve(statSync(this.file).size);
  }

  sizeDetails(): Promise<Record<string, unknown>> {
    return Promise.resolve(this.sizes);
  }

  memory(): MemoryReport {
    const m = procMem(process.pid);
    return {
      what: 'benchmark process (SQLite in-process, jieba dictionary loaded)',
      rssMb: mb(m?.rss ?? 0),
      peakMb: mb(m?.hwm ?? 0),
    };
  }

  close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    return Promise.resolve();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // not awaited: measure.ts imports this module, so it must finish evaluating first
  import('./measure.ts')
    .then((m) => m.runStandalone('fts5'))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
