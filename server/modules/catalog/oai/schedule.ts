/**
 * The server's own OAI-PMH harvest (OAI_HARVEST_URL): a short while after start-up and
 * then every interval, one incremental harvest, exactly as `shulin import oai URL` runs
 * it. Of several instances on one PostgreSQL database only one harvests at a time: a
 * round that finds another instance harvesting is skipped, not queued behind it, and a
 * round never overlaps the previous one of the same instance. A failure (the repository
 * down, an answer that is not OAI-PMH, the database gone) is logged with its reason and
 * the next round starts again from the saved point; nothing here throws at the server.
 */
import type { Logger } from 'pino';
import type { Database } from '../../../platform/db/index.ts';
import { unlessLockedElsewhere } from '../../../platform/db/lock.ts';
import { HarvestError } from './errors.ts';
import {
  harvestOai,
  type HarvestDeps,
  type HarvestOptions,
  type HarvestProgress,
} from './harvest.ts';

export interface OaiHarvestScheduleDeps extends HarvestDeps {
  /** Where the lock that keeps instances from harvesting together is taken. */
  readonly database: Database;
  readonly logger: Logger;
}

export interface OaiHarvestScheduleOptions {
  /** The repository's base URL. */
  readonly url: string;
  /** The metadata format; undefined: the MARCXML one the repository offers. */
  readonly prefix?: string | undefined;
  readonly set?: string | undefined;
  /** Between the starts of two rounds. */
  readonly intervalMs: number;
  /** Between `start()` and the first round. */
  readonly initialDelayMs: number;
  /** HTTP behaviour: timeouts, retries, a fetch of one's own (tests). */
  readonly http?: HarvestOptions['http'];
}

/** What the latest rounds of this instance did, as `/healthz` shows it. */
export interface OaiHarvestStatus {
  /** False when the latest harvest failed; the next round tries again. */
  readonly ok: boolean;
  readonly url: string;
  /** A harvest is running in this instance now. */
  readonly running: boolean;
  /** When the latest harvest of this instance began (ISO 8601); null before the first. */
  readonly lastRunAt: string | null;
  /** How long it took; null while none has ended. */
  readonly seconds: number | null;
  /** What it changed (up to the failure, for a failed one) and the records it could not read. */
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly failed: number;
  /** Why it failed; null when it completed. */
  readonly error: string | null;
  /** When a round was last left to another instance that was harvesting. */
  readonly skippedAt: string | null;
  /** When the next round is due; null when the schedule is not running. */
  readonly nextRunAt: string | null;
}

/**
 * What one round came to: `harvested`; `failed` (logged); `skipped`, another instance
 * was harvesting; `busy`, this instance's previous round is still running; `stopped`,
 * the schedule was stopped before or during the round.
 */
export type OaiHarvestRound = 'harvested' | 'failed' | 'skipped' | 'busy' | 'stopped';

interface LastRun {
  readonly startedAt: number;
  progress: Pick<HarvestProgress, 'created' | 'updated' | 'deleted' | 'failed'>;
  seconds: number | null;
  error: string | null;
}

const NO_PROGRESS = Object.freeze({ created: 0, updated: 0, deleted: 0, failed: 0 });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * @example
 * const schedule = new OaiHarvestSchedule(
 *   { catalog, harvests: new HarvestRepository(tablesOf(database.db)), clock, database, logger },
 *   { url: 'https://opac.example.edu/cgi-bin/koha/oai.pl', intervalMs: 3_600_000, initialDelayMs: 10_000 },
 * );
 * schedule.start();
 * schedule.status(); // { ok: true, lastRunAt: '2026-…', created: 12, … }
 * await schedule.stop();
 */
export class OaiHarvestSchedule {
  readonly #deps: OaiHarvestScheduleDeps;
  readonly #options: OaiHarvestScheduleOptions;
  /** Instances harvesting other sources do not wait for each other. */
  readonly #lockKey: string;
  /** Aborted by `stop()`: the harvest ends at once. */
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #nextRunAt: number | null = null;
  #round: Promise<OaiHarvestRound> | undefined;
  #harvesting = false;
  #last: LastRun | undefined;
  #skippedAt: number | null = null;

  constructor(deps: OaiHarvestScheduleDeps, options: OaiHarvestScheduleOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#lockKey = `shulin-oai-harvest ${options.url} ${options.set ?? ''} ${options.prefix ?? ''}`;
  }

  /** Schedules the first round after the initial delay, and the others every interval. */
  start(): void {
    if (this.#timer || this.#stopping.signal.aborted) return;
    this.#schedule(this.#options.initialDelayMs);
  }

  #schedule(delayMs: number): void {
    this.#nextRunAt = this.#deps.clock.now() + delayMs;
    this.#timer = setTimeout(() => {
      this.#schedule(this.#options.intervalMs);
      void this.runRound();
    }, delayMs);
    this.#timer.unref();
  }

  /** One round now (what the timer runs). Never rejects: failures are logged and reported. */
  async runRound(): Promise<OaiHarvestRound> {
    if (this.#stopping.signal.aborted) return 'stopped';
    if (this.#round) {
      // A first harvest of a large catalogue can outlast an interval or two.
      this.#deps.logger.info(
        { url: this.#options.url },
        'OAI harvest round skipped: the previous one is still running',
      );
      return 'busy';
    }
    this.#round = this.#run();
    try {
      return await this.#round;
    } finally {
      this.#round = undefined;
    }
  }

  async #run(): Promise<OaiHarvestRound> {
    const { logger, clock } = this.#deps;
    const { url } = this.#options;
    const startedAt = clock.now();
    try {
      const outcome = await unlessLockedElsewhere(this.#deps.database, this.#lockKey, () =>
        this.#harvest(startedAt),
      );
      if (!outcome.ran) {
        this.#skippedAt = startedAt;
        logger.info({ url }, 'OAI harvest round skipped: another instance is harvesting');
        return 'skipped';
      }
      return 'harvested';
    } catch (error) {
      if (this.#stopping.signal.aborted) {
        logger.info({ url }, 'OAI harvest stopped: Shulin is closing; the next start resumes it');
        return 'stopped';
      }
      const message = error instanceof Error ? error.message : String(error);
      const last = this.#last?.startedAt === startedAt ? this.#last : undefined;
      this.#last = {
        startedAt,
        progress: last?.progress ?? NO_PROGRESS,
        seconds: (clock.now() - startedAt) / 1000,
        error: message,
      };
      logger.warn(
        {
          url,
          code: error instanceof HarvestError ? error.code : undefined,
          oaiCode: error instanceof HarvestError ? error.oaiCode : undefined,
          err: error,
          nextRunAt: iso(this.#nextRunAt),
        },
        `OAI harvest failed: ${message}; the next round tries again`,
      );
      return 'failed';
    } finally {
      this.#harvesting = false;
    }
  }

  async #harvest(startedAt: number): Promise<void> {
    const { logger } = this.#deps;
    const { url, prefix, set, http } = this.#options;
    this.#harvesting = true;
    const run: LastRun = { startedAt, progress: NO_PROGRESS, seconds: null, error: null };
    const previous = this.#last;
    this.#last = run;
    const summary = await harvestOai(
      { catalog: this.#deps.catalog, harvests: this.#deps.harvests, clock: this.#deps.clock },
      {
        url,
        ...(prefix ? { prefix } : {}),
        ...(set ? { set } : {}),
        http: { ...http, signal: this.#stopping.signal },
        onProgress: (p) => (run.progress = p),
        onRetry: ({ reason, waitMs }) =>
          logger.info({ url, reason, waitMs }, 'OAI harvest request failed; retrying'),
      },
    ).catch((error: unknown) => {
      // A harvest cut short by stop() leaves the previous outcome standing.
      if (this.#stopping.signal.aborted) this.#last = previous;
      throw error;
    });
    run.progress = summary;
    run.seconds = summary.seconds;
    logger.info(
      {
        url,
        prefix: summary.prefix,
        set: summary.set,
        from: summary.from,
        pages: summary.pages,
        read: summary.read,
        created: summary.created,
        updated: summary.updated,
        deleted: summary.deleted,
        failed: summary.failed,
        problems: summary.problems.slice(0, 5),
        seconds: summary.seconds,
        nextFrom: summary.nextFrom,
      },
      'OAI harvest done',
    );
  }

  /** This instance's view, for `/healthz`. */
  status(): OaiHarvestStatus {
    const last = this.#last;
    return {
      ok: last === undefined || last.error === null,
      url: this.#options.url,
      running: this.#harvesting,
      lastRunAt: iso(last?.startedAt ?? null),
      seconds: last?.seconds ?? null,
      created: last?.progress.created ?? 0,
      updated: last?.progress.updated ?? 0,
      deleted: last?.progress.deleted ?? 0,
      failed: last?.progress.failed ?? 0,
      error: last?.error ?? null,
      skippedAt: iso(this.#skippedAt),
      nextRunAt: iso(this.#nextRunAt),
    };
  }

  /**
   * Stops the rounds. A harvest under way ends at once, mid-request or mid-pause before a
   * retry (what landed stays; the saved point does not move, so the next start repeats it
   * harmlessly).
   */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#nextRunAt = null;
    if (!this.#stopping.signal.aborted) {
      this.#stopping.abort(
        new HarvestError('STOPPED', `harvest of ${this.#options.url} stopped: Shulin is closing`),
      );
    }
    await this.#round;
  }
}
