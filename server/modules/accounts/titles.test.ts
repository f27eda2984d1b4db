import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hold, Loan } from '../../ils/types.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { briefRecord } from '../catalog/marc/testing.ts';
import { CatalogRepository, type CatalogTables, type TitleKeys } from '../catalog/repository.ts';
import type { Reader } from './account.ts';
import { startHarness, tiers, type Harness } from './harness.test-util.ts';
import { MemoryIlsConnector, type MemoryPatron } from './testing.ts';
import { titleKeys } from './titles.ts';

/**
 * Loans and holds the ILS named by identifier alone get the catalogue's title, on real
 * catalogue tables (SQLite, PostgreSQL), in one look-up per account. The SIP2 path end to
 * end is in sip2-titles.test.ts.
 */

function loan(itemBarcode: string, title: string, recordId: string | null = null): Loan {
  return {
    id: itemBarcode,
    itemBarcode,
    title,
    recordId,
    dueAt: '2026-04-01T15:59:00.000Z',
    overdue: false,
    renewable: null,
  };
}

function hold(
  id: string,
  title: string,
  ids: Partial<Pick<Hold, 'recordId' | 'itemBarcode'>> = {},
) {
  const entry: Hold = {
    id,
    title,
    ...ids,
    status: 'not-yet-filled',
    queuePosition: null,
    pickupBranch: null,
  };
  return entry;
}

/** 张三's account as a SIP2 ILS tells it: identifiers where the titles go, and some real titles. */
function patrons(): MemoryPatron[] {
  return [
    {
      barcode: 'S2024001',
      password: 'zhang-pass',
      name: '张三',
      loans: [
        loan('B-7001', 'B-7001'),
        loan('31002', '红楼梦', 'R2'),
        loan('B-9999', 'B-9999'),
        loan('B-7002', '  '),
      ],
      holds: [
        hold('title:900002', '900002'),
        hold('H2', '900001', { recordId: '900001' }),
        hold('title:NOPE-404', 'NOPE-404'),
        hold('H4', '活着'),
        hold('H5', 'Catch-22', { recordId: '900003' }),
      ],
    },
    {
      barcode: 'T1002',
      password: 'li-pass',
      name: '李四',
      loans: [loan('B-7001', '平凡的世界', '900001')],
      holds: [hold('H9', '围城', { recordId: '900002' })],
    },
  ];
}

const ZHANG: Reader = { barcode: 'S2024001', historyOptIn: false };
const LI: Reader = { barcode: 'T1002', historyOptIn: false };

describe('titleKeys', () => {
  it('looks up blank titles and titles that are the entry’s own identifier, nothing else', () => {
    expect(titleKeys(loan('B1', 'B1', 'R1'))).toEqual([
      { by: 'barcode', value: 'B1' },
      { by: 'controlNumber', value: 'R1' },
    ]);
    expect(titleKeys(hold('H', 'R1', { recordId: 'R1' }))).toEqual([
      { by: 'controlNumber', value: 'R1' },
    ]);
    expect(titleKeys(hold('H', '', { itemBarcode: 'B1' }))).toEqual([
      { by: 'barcode', value: 'B1' },
    ]);
    expect(titleKeys(loan('B1', '三体', 'R1'))).toEqual([]);
    // Named by its text alone (a SIP2 title-level hold): looked up when it is an identifier.
    expect(titleKeys(hold('title:0012345', '0012345'))).toEqual([
      { by: 'controlNumber', value: '0012345' },
      { by: 'barcode', value: '0012345' },
    ]);
    expect(titleKeys(hold('title:x', '活着'))).toEqual([]);
    expect(titleKeys(hold('title:x', 'Dune'))).toEqual([]);
    expect(titleKeys(hold('title:x', '12345 红楼梦'))).toEqual([]);
  });
});

describe.each(tiers)('catalogue titles in the account on $name', (tier) => {
  let h: Harness;
  let lookups: TitleKeys[];
  let broken: boolean;

  beforeEach(async () => {
    lookups = [];
    broken = false;
    h = await startHarness(tier, {
      connector: new MemoryIlsConnector({ patrons: patrons() }),
      catalogue: (inner) => ({
        titlesOf: async (keys) => {
          lookups.push(keys);
          if (broken) throw new Error('catalogue tables unreadable');
          return inner.titlesOf(keys);
        },
      }),
    });
    await new CatalogRepository(tablesOf<CatalogTables>(h.tdb.database.db)).upsert(
      [
        briefRecord('900001', '平凡的世界', ['B-7001']),
        briefRecord('900002', '围城', ['B-7002']),
        briefRecord('900003', '第二十二条军规', []),
      ],
      Date.now(),
    );
  });
  afterEach(async () => {
    await h.close();
  });

  it('shows the catalogue’s title for identifiers, keeps real titles and unknown identifiers, in one look-up', async () => {
    const { account, cached } = await h.accounts.accounts.account(ZHANG);
    expect(cached).toBe(false);
    expect(account.loans.map((l) => [l.itemBarcode, l.title])).toEqual([
      ['B-7001', '平凡的世界'],
      ['31002', '红楼梦'],
      ['B-9999', 'B-9999'],
      ['B-7002', '围城'],
    ]);
    expect(account.holds.map((x) => [x.id, x.title])).toEqual([
      ['title:900002', '围城'],
      ['H2', '平凡的世界'],
      ['title:NOPE-404', 'NOPE-404'],
      ['H4', '活着'],
      // A real title is the ILS's to give, even where the catalogue words it otherwise.
      ['H5', 'Catch-22'],
    ]);
    expect(lookups).toHaveLength(1);
    expect([...lookups[0]!.barcodes].sort()).toEqual(
      ['900002', 'B-7001', 'B-7002', 'B-9999', 'NOPE-404'].sort(),
    );
    expect([...lookups[0]!.controlNumbers].sort()).toEqual(['900001', '900002', 'NOPE-404']);

    // The cached account carries the titles: no second look-up.
    const again = await h.accounts.accounts.account(ZHANG);
    expect(again.cached).toBe(true);
    expect(again.account.holds[0]!.title).toBe('围城');
    expect(lookups).toHaveLength(1);
    await h.accounts.accounts.invalidate(ZHANG.barcode);
    await h.accounts.accounts.account(ZHANG);
    expect(lookups).toHaveLength(2);
  });

  it('does not ask the catalogue when the ILS gave every title', async () => {
    const { account } = await h.accounts.accounts.account(LI);
    expect(account.loans[0]!.title).toBe('平凡的世界');
    expect(account.holds[0]!.title).toBe('围城');
    expect(lookups).toHaveLength(0);
  });

  it('keeps the ILS’s text when the catalogue cannot be read', async () => {
    broken = true;
    const { account } = await h.accounts.accounts.account(ZHANG);
    expect(account.loans[0]!.title).toBe('B-7001');
    expect(account.holds[0]!.title).toBe('900002');
    expect(lookups).toHaveLength(1);
    expect(h.logs.some((line) => line.includes('catalogue titles not looked up'))).toBe(true);
  });

  it('titles renewal answers the ILS gave only a barcode for', async () => {
    const outcomes = await h.accounts.accounts.renew(ZHANG, ['B-7001', 'B-9999']);
    expect(outcomes.map((o) => [o.itemBarcode, o.ok, o.title])).toEqual([
      ['B-7001', true, '平凡的世界'],
      ['B-9999', true, 'B-9999'],
    ]);
    expect(lookups).toHaveLength(1);
  });

  it('titles the hold a cancellation answers with', async () => {
    const outcome = await h.accounts.accounts.cancelHold(ZHANG, 'H2');
    expect(outcome).toMatchObject({ ok: true, hold: { id: 'H2', title: '平凡的世界' } });
    const refused = await h.accounts.accounts.cancelHold(ZHANG, 'H2');
    expect(refused).toMatchObject({ ok: false, code: 'HOLD_NOT_FOUND' });
    expect(lookups).toHaveLength(1);
  });
});
