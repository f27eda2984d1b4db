/**
 * The benchmark's library: a generated catalogue (one copy per title, Chinese titles),
 * one branch open every day, one loan policy under which a loan can be renewed again and
 * again, and N patrons with M loans each. Catalogue rows and patrons are written straight
 * into their tables (hashing thousands of PINs with argon2 would take minutes and measure
 * nothing); branches, the policy and the loans go through the embedded ILS.
 */
import type { CatalogTables } from '../../server/modules/catalog/repository.ts';
import { pino } from 'pino';
import { addDays, localDate } from '../../server/ils/embedded/calendar.ts';
import type { IlsTables } from '../../server/ils/embedded/repository.ts';
import { EmbeddedIls } from '../../server/ils/embedded/service.ts';
import { tablesOf, type Database } from '../../server/platform/db/index.ts';

export const BENCH_TZ = 'Asia/Shanghai';
export const BENCH_PIN = '246810';
export const BENCH_INSTITUTION = 'BENCH';
export const BENCH_SC = { user: 'bench-sc', password: 'bench-sc-secret' } as const;

export const patronBarcode = (i: number): string => `P${String(i).padStart(6, '0')}`;
export const itemBarcode = (patron: number, loan: number): string =>
  `I${String(patron).padStart(6, '0')}${String(loan).padStart(2, '0')}`;

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '小明思雨静伟婷芳军洋勇艳杰娟涛超秀英华';
const WORDS = ['春秋', '山河', '星辰', '江湖', '岁月', '长安', '故乡', '远方', '城南', '边疆'];
const KINDS = ['史话', '札记', '笔记', '简史', '新论', '漫谈', '纪事', '考', '录', '集'];

const nameOf = (i: number) =>
  `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 13 + 5) % GIVEN.length]}`;
const titleOf = (i: number) =>
  `${WORDS[i % WORDS.length]}${KINDS[Math.floor(i / WORDS.length) % KINDS.length]}（第${i + 1}册）`;

async function chunks<T>(rows: readonly T[], size: number, fn: (chunk: T[]) => Promise<void>) {
  for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size));
}

export interface LibrarySummary {
  readonly patrons: number;
  readonly loans: number;
  readonly seconds: number;
}

/** Fills a migrated, empty database. */
export async function createBenchLibrary(
  database: Database,
  size: { patrons: number; loansEach: number },
): Promise<LibrarySummary> {
  const started = performance.now();
  const now = Date.now();
  const catalogue = tablesOf<CatalogTables>(database.db);
  const ils = new EmbeddedIls({
    db: tablesOf<IlsTables>(database.db),
    dialect: database.dialect,
    clock: { now: () => Date.now() },
    timezone: BENCH_TZ,
    logger: pino({ level: 'silent' }),
  });

  const items: Array<{ controlNumber: string; barcode: string; title: string }> = [];
  for (let p = 0; p < size.patrons; p++) {
    for (let l = 0; l < size.loansEach; l++) {
      const n = items.length;
      items.push({
        controlNumber: `BENCH${String(n).padStart(8, '0')}`,
        barcode: itemBarcode(p, l),
        title: titleOf(n),
      });
    }
  }
  await chunks(items, 500, async (chunk) => {
    const ids = await catalogue
      .insertInto('catalog_records')
      .values(
        chunk.map((item) => ({
          control_number: item.controlNumber,
          format: 'unimarc',
          title: item.title,
          year: 2020,
          language: 'chi',
          material_type: 'book',
          data: JSON.stringify({ controlNumber: item.controlNumber, title: item.title }),
          marc: '{}',
          added_at: now,
          updated_at: now,
        })),
      )
      .returning(['id', 'control_number'])
      .execute();
    const idOf = new Map(ids.map((r) => [r.control_number, Number(r.id)]));
    await catalogue
      .insertInto('catalog_items')
      .values(
        chunk.map((item) => ({
          record_id: idOf.get(item.controlNumber) as number,
          barcode: item.barcode,
          branch: 'MAIN',
          location: '借阅区',
          call_number: `I247/${item.controlNumber}`,
          status: 'available',
          loan_type: null,
          volume: null,
        })),
      )
      .execute();
  });

  await ils.addBranch({ code: 'MAIN', name: '总馆', nameEn: 'Main Library' });
  await ils.setHours(
    'MAIN',
    [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '08:00', closes: '22:00' })),
  );
  // Renewable without end: no limit, no window, one more day from the due date each time.
  await ils.upsertPolicy({
    name: 'bench',
    patronType: null,
    itemType: null,
    branch: null,
    loanable: true,
    loanDays: 30,
    renewalsAllowed: null,
    renewalDays: 1,
    renewFrom: 'due',
    renewWindowDays: null,
    hardDueDate: null,
    holdsBlockRenewal: true,
    overduesBlockRenewal: false,
    fineLimit: null,
    finePerDay: 0,
    fineGraceDays: 0,
    fineCap: null,
    holdShelfDays: 5,
    maxLoans: null,
    maxHolds: null,
    holdsAllowed: true,
  });

  const today = localDate(now, BENCH_TZ);
  const expiresOn = addDays(today, 3 * 365);
  await ils.createPatron({
    barcode: patronBarcode(0),
    name: nameOf(0),
    patronType: '本科生',
    pin: BENCH_PIN,
    expiresOn,
  });
  const ilsDb = tablesOf<IlsTables>(database.db);
  const { pin_hash } = await ilsDb
    .selectFrom('ils_patrons')
    .select('pin_hash')
    .where('barcode', '=', patronBarcode(0))
    .executeTakeFirstOrThrow();
  const rest = Array.from({ length: size.patrons - 1 }, (_, i) => i + 1);
  await chunks(rest, 500, async (chunk) => {
    await ilsDb
      .insertInto('ils_patrons')
      .values(
        chunk.map((i) => ({
          barcode: patronBarcode(i),
          name: nameOf(i),
          patron_type: '本科生',
          pin_hash,
          email: null,
          expires_on: expiresOn,
          blocked: 0,
          block_note: null,
          created_at: now,
        })),
      )
      .execute();
  });

  const calendar = await ils.calendar();
  const dueAt = calendar.dueAt('MAIN', addDays(today, 20));
  let loans = 0;
  const lend = async (p: number) => {
    for (let l = 0; l < size.loansEach; l++) {
      const outcome = await ils.importLoan({
        patronBarcode: patronBarcode(p),
        itemBarcode: itemBarcode(p, l),
        loanedAt: now - 10 * 86_400_000,
        dueAt,
        branch: 'MAIN',
      });
      if (!outcome.ok) throw new Error(`loan ${itemBarcode(p, l)} refused: ${outcome.code}`);
      loans++;
    }
  };
  // PostgreSQL takes the loans on several connections; SQLite has one writer anyway.
  const lanes = database.dialect === 'postgres' ? 8 : 1;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let p = lane; p < size.patrons; p += lanes) await lend(p);
    }),
  );
  return {
    patrons: size.patrons,
    loans,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
