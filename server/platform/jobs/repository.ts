import type { Kysely } from 'kysely';

export interface JobsTable {
  id: string;
  name: string;
  key: string | null;
  payload: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface JobsTables {
  jobs: JobsTable;
}

export type JobRow = JobsTable;

/** The SQL of the in-process job queue; portable between SQLite and PostgreSQL. */
export class JobsRepository {
  constructor(private readonly db: Kysely<JobsTables>) {}

  /** Inserts the job unless one with the same key exists; returns the job's id either way. */
  async insert(job: JobRow): Promise<{ id: string; duplicate: boolean }> {
    const inserted = await this.db
      .insertInto('jobs')
      .values(job)
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 || job.key === null) {
      return { id: job.id, duplicate: false };
    }
    const existing = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('key', '=', job.key)
      .executeTakeFirstOrThrow();
    return { id: existing.id, duplicate: true };
  }

  async due(now: number, limit: number): Promise<JobRow[]> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'pending')
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .limit(limit)
      .execute();
  }

  /** Takes a pending job for this worker; false when another worker was first. */
  async claim(id: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        locked_until: now + leaseMs,
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async complete(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', locked_until: null, last_error: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async retry(id: string, runAt: number, error: string, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        status: 'pending',
        run_at: runAt,
        locked_until: null,
        last_error: error,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async fail(id: string, error: string, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'failed', locked_until: null, last_error: error, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Jobs whose worker died mid-run go back to the queue. */
  async releaseExpired(now: number): Promise<number> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'pending', locked_until: null, updated_at: now })
      .where('status', '=', 'running')
      .where('locked_until', '<', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async counts(): Promise<Record<JobRow['status'], number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const counts = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Finished jobs are kept a while so that their keys still deduplicate, then dropped. */
  async purgeDone(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('jobs')
      .where('status', '=', 'done')
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
