/**
 * A small library for the embedded ILS's tests: a real database (SQLite file or a
 * PostgreSQL schema), a catalogue of a few records, three branches with hours, policies
 * and patrons, and a clock the test moves.
 */
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import type { ItemStatus } from '../types.ts';
import type { LoanPolicy } from './policy.ts';
import type { IlsTables } from './repository.ts';
import { EmbeddedIls } from './service.ts';

export const TZ = 'Asia/Shanghai';

/** Tuesday 8 December 2026, 10:00 in Shanghai. */
export const START = Date.parse('2026-12-08T02:00:00Z');

export const DAY = 86_400_000;

export interface TestRecord {
  readonly controlNumber: string;
  readonly title: string;
  readonly author?: string;
  readonly items: ReadonlyArray<{
    readonly barcode: string;
    /** A branch code or name, as catalogues have it. */
    readonly branch: string | null;
    readonly loanType?: string | null;
    readonly status?: string;
  }>;
}

interface CatalogueTables {
  catalog_records: {
    id?: number;
    control_number: string;
    format: string;
    title: string;
    year: number | null;
    language: string | null;
    material_type: string;
    data: string;
    marc: string;
    added_at: number;
    updated_at: number;
  };
  catalog_items: {
    record_id: number;
    barcode: string;
    branch: string | null;
    location: string | null;
    call_number: string | null;
    status: string;
    loan_type: string | null;
    volume: string | null;
  };
}

/** Writes records and items straight into the catalogue's tables. */
export async function insertCatalogue(tdb: TestDatabase, records: readonly TestRecord[]) {
  const db = tablesOf<CatalogueTables>(tdb.database.db);
  for (const record of records) {
    const { id } = await db
      .insertInto('catalog_records')
      .values({
        control_number: record.controlNumber,
        format: 'unimarc',
        title: record.title,
        year: 2020,
        language: 'chi',
        material_type: 'book',
        data: JSON.stringify({
          controlNumber: record.controlNumber,
          title: record.title,
          authors: record.author ? [{ name: record.author, role: 'author' }] : [],
        }),
        marc: '{}',
        added_at: 0,
        updated_at: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const item of record.items) {
      await db
        .insertInto('catalog_items')
        .values({
          record_id: Number(id),
          barcode: item.barcode,
          branch: item.branch,
          location: '借阅区',
          call_number: `I247/${record.controlNumber}`,
          status: item.status ?? 'available',
          loan_type: item.loanType ?? null,
          volume: null,
        })
        .execute();
    }
  }
}

/** The fixture's catalogue: item barcodes named for what the tests do with them. */
export const RECORDS = {
  dream: {
    controlNumber: 'R-DREAM',
    title: '红楼梦',
    author: '曹雪芹',
    items: [{ barcode: 'DREAM-1', branch: 'MAIN' }],
  },
  sicp: {
    controlNumber: 'R-SICP',
    title: 'Structure and Interpretation of Computer Programs',
    author: 'Abelson, Harold',
    items: [
      { barcode: 'SICP-1', branch: '总馆' },
      { barcode: 'SICP-2', branch: '理工分馆' },
    ],
  },
  dictionary: {
    controlNumber: 'R-DICT',
    title: '现代汉语词典',
    items: [{ barcode: 'DICT-1', branch: 'MAIN', loanType: 'reference' }],
  },
  threeBody: {
    controlNumber: 'R-3BODY',
    title: '三体',
    author: '刘慈欣',
    items: [{ barcode: '3BODY-1', branch: 'MAIN' }],
  },
  poems: {
    controlNumber: 'R-POEMS',
    title: '唐诗三百首',
    items: [{ barcode: 'POEMS-1', branch: 'SCI' }],
  },
  lost: {
    controlNumber: 'R-LOST',
    title: '失踪的书',
    items: [{ barcode: 'LOST-1', branch: 'MAIN', status: 'lost' }],
  },
  shelf: {
    controlNumber: 'R-SHELF',
    title: '书架上的书',
    items: Array.from({ length: 6 }, (_, i) => ({ barcode: `SHELF-${i + 1}`, branch: 'MAIN' })),
  },
} satisfies Record<string, TestRecord>;

export const POLICY: LoanPolicy = {
  name: '默认',
  patronType: null,
  itemType: null,
  branch: null,
  loanable: true,
  loanDays: 30,
  renewalsAllowed: 2,
  renewalDays: 30,
  renewFrom: 'due',
  renewWindowDays: 7,
  hardDueDate: null,
  holdsBlockRenewal: true,
  overduesBlockRenewal: true,
  fineLimit: 1000,
  finePerDay: 10,
  fineGraceDays: 3,
  fineCap: 1000,
  holdShelfDays: 5,
  maxLoans: 5,
  maxHolds: 3,
  holdsAllowed: true,
};

export interface MovableClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function movableClock(start = START): MovableClock {
  let now = start;
  return {
    now: () => now,
    set: (ms) => void (now = ms),
    advance: (ms) => void (now += ms),
  };
}

export interface IlsFixture {
  readonly tdb: TestDatabase;
  readonly ils: EmbeddedIls;
  readonly clock: MovableClock;
  /** Every item status change reported, in order. */
  readonly changes: Array<[string, ItemStatus]>;
  cleanup(): Promise<void>;
}

/** A fresh database with the catalogue and nothing else of the ILS (the demo's test). */
export async function createBareIls(
  dialect: 'sqlite' | 'postgres',
  records: readonly TestRecord[] = Object.values(RECORDS),
): Promise<IlsFixture> {
  const tdb = await createTestDatabase(dialect);
  await insertCatalogue(tdb, records);
  const clock = movableClock();
  const changes: Array<[string, ItemStatus]> = [];
  const ils = new EmbeddedIls({
    db: tablesOf<IlsTables>(tdb.database.db),
    dialect: tdb.database.dialect,
    clock,
    timezone: TZ,
    logger: pino({ level: 'silent' }),
    onItemStatusChange: (barcode, status) => void changes.push([barcode, status]),
  });
  return { tdb, ils, clock, changes, cleanup: () => tdb.cleanup() };
}

export const PIN = '123456';

/**
 * The fixture library: MAIN (总馆, every day) and SCI (理工分馆, closed on Sundays) take
 * holds, MED does not; National Day is closed everywhere. Patrons: `ALICE`, `BOB`,
 * `CAROL` (本科生), `BLOCKED`, `EXPIRED`.
 */
export async function createIlsFixture(dialect: 'sqlite' | 'postgres'): Promise<IlsFixture> {
  const fixture = await createBareIls(dialect);
  const { ils } = fixture;
  await ils.addBranch({ code: 'MAIN', name: '总馆', nameEn: 'Main Library', sortOrder: 1 });
  await ils.addBranch({ code: 'SCI', name: '理工分馆', nameEn: 'Science Library', sortOrder: 2 });
  await ils.addBranch({ code: 'MED', name: '医学分馆', pickup: false, sortOrder: 3 });
  const week = (days: number[]) =>
    days.map((weekday) => ({ weekday, opens: '08:00', closes: '22:00' }));
  await ils.setHours('MAIN', week([0, 1, 2, 3, 4, 5, 6]));
  await ils.setHours('SCI', week([1, 2, 3, 4, 5, 6]));
  await ils.setHours('MED', week([1, 2, 3, 4, 5]));
  for (let d = 1; d <= 7; d++) {
    await ils.addClosedDay({ date: `2027-10-0${d}`, note: '国庆节', noteEn: 'National Day' });
  }
  await ils.upsertPolicy(POLICY);
  await ils.upsertPolicy({ ...POLICY, name: '工具书', itemType: 'reference', loanable: false });
  await ils.upsertPolicy({ ...POLICY, name: '本科生', patronType: '本科生', maxLoans: 3 });
  await ils.upsertPolicy({
    ...POLICY,
    name: '本科生工具书',
    patronType: '本科生',
    itemType: 'reference',
    loanable: false,
  });
  const patrons = [
    { barcode: 'ALICE', name: '王小明', patronType: '本科生' },
    { barcode: 'BOB', name: 'Bob Smith', patronType: '研究生' },
    { barcode: 'CAROL', name: '李思雨', patronType: '研究生' },
    {
      barcode: 'BLOCKED',
      name: '赵婷',
      patronType: '本科生',
      blocked: true,
      blockNote: '请到服务台',
    },
    { barcode: 'EXPIRED', name: '钱进', patronType: '研究生', expiresOn: '2026-11-30' },
  ];
  await Promise.all(
    patrons.map((p) =>
      ils.createPatron({ ...p, pin: PIN, expiresOn: p.expiresOn ?? '2029-06-30' }),
    ),
  );
  return fixture;
}
