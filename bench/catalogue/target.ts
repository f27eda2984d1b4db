/**
 * What run.ts measures. Every engine (Shulin and the two peers) is wrapped in
 * a BenchTarget; measure.ts drives one target in a process of its own.
 */

export interface Hit {
  id: string;
  title: string;
}

export interface SearchResult {
  /** total matches, or null when the engine only fetched the top 20 (the FTS5 peer) */
  total: number | null;
  hits: Hit[];
  facets?: unknown;
}

export interface BuildReport {
  records: number;
  /** wall time of the import/index step that records/s is computed from */
  seconds: number;
  details?: Record<string, unknown>;
}

export interface MemoryReport {
  /** whose memory: this process, or the engine's server processes */
  what: string;
  rssMb: number;
  peakMb: number;
  details?: Record<string, unknown>;
}

export interface BenchTarget {
  readonly name: string;
  build(): Promise<BuildReport>;
  /** the timed call: top 20 (and, if the engine does it, total and facets) */
  search(q: string): Promise<SearchResult>;
  /** untimed exact hit count, for agreement and 0-hit checks */
  count(q: string): Promise<number>;
  /** optional: exact hit count among the first `records` records (agreement with a smaller peer) */
  countUpTo?(q: string, records: number): Promise<number>;
  sizeBytes(): Promise<number>;
  sizeDetails?(): Promise<Record<string, unknown>>;
  memory(): MemoryReport;
  /** a line for the report on what exactly was queried (index, ranking) */
  describe(): string;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** folder with records.mrc, records.ndjson, queries.json, meta.json */
  dataDir: string;
  /** how many records (a prefix of the data) this run uses */
  records: number;
  /** scratch folder owned by this target; removed by the caller */
  workDir: string;
  /** target-specific settings (e.g. zebraRecords) */
  settings: Map<string, string>;
}
