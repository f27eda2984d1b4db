import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { AccountsRepository, type AccountsTables, type SeenLoan } from './repository.ts';

const T0 = 1_774_000_000_000;

const loan = (itemBarcode: string, loanedAt: number | null, title = `Book ${itemBarcode}`) =>
  ({
    itemBarcode,
    recordId: `R-${itemBarcode}`,
    title,
    author: '作者',
    loanedAt,
  }) satisfies SeenLoan;

describe.each(dialects)('accounts repository on %s', (dialect) => {
  let tdb: TestDatabase;
  let repository: AccountsRepository;

  const bind = (openid: string, barcode: string, now = T0) =>
    repository.saveBinding({
      openid,
      barcode,
      patronName: '张三',
      passwordSealed: null,
      locale: null,
      now,
    });

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    repository = new AccountsRepository(tablesOf<AccountsTables>(tdb.database.db));
  });
  afterEach(async () => {
    await tdb.cleanup();
  });

  it('saves a binding and finds it by openid and by barcode, every field intact', async () => {
    const saved = await repository.saveBinding({
      openid: 'oA',
      barcode: 'S2024001',
      patronName: '张三',
      passwordSealed: 'v1.x.y',
      locale: 'en',
      now: T0,
    });
    expect(saved).toEqual({
      binding: {
        openid: 'oA',
        barcode: 'S2024001',
        patronName: '张三',
        passwordSealed: 'v1.x.y',
        locale: 'en',
        historyOptIn: false,
        boundAt: T0,
        updatedAt: T0,
      },
      movedFrom: null,
      replacedBarcode: null,
    });
    expect(await repository.bindingByOpenid('oA')).toEqual(saved.binding);
    expect(await repository.bindingByBarcode('S2024001')).toEqual(saved.binding);
    expect(await repository.bindingByOpenid('oB')).toBeNull();
  });

  it('moves a card bound elsewhere, deleting the old binding and its history', async () => {
    await bind('oA', 'S2024001');
    await repository.setHistoryOptIn('oA', true, T0);
    await repository.recordLoans('oA', [loan('31001', T0)], T0);
    await bind('oB', 'T1002');

    const moved = await bind('oB', 'S2024001', T0 + 1000);
    expect(moved.movedFrom).toBe('oA');
    expect(moved.replacedBarcode).toBe('T1002');
    expect(moved.binding).toMatchObject({ openid: 'oB', barcode: 'S2024001', historyOptIn: false });
    expect(await repository.bindingByOpenid('oA')).toBeNull();
    expect(await repository.bindingByBarcode('T1002')).toBeNull();
    expect((await repository.history('oA', { offset: 0, limit: 10 })).total).toBe(0);
  });

  it('re-binding the same card keeps the history choice and the first binding time', async () => {
    await bind('oA', 'S2024001');
    await repository.setHistoryOptIn('oA', true, T0);
    await repository.recordLoans('oA', [loan('31001', T0)], T0);
    const again = await bind('oA', 'S2024001', T0 + 5000);
    expect(again.binding).toMatchObject({ historyOptIn: true, boundAt: T0, updatedAt: T0 + 5000 });
    expect(again.movedFrom).toBeNull();
    expect((await repository.history('oA', { offset: 0, limit: 10 })).total).toBe(1);
  });

  it('binding a second card replaces the first and drops its history', async () => {
    await bind('oA', 'S2024001');
    await repository.setHistoryOptIn('oA', true, T0);
    await repository.recordLoans('oA', [loan('31001', T0)], T0);
    const second = await bind('oA', 'T1002');
    expect(second.replacedBarcode).toBe('S2024001');
    expect(second.binding.historyOptIn).toBe(false);
    expect(await repository.bindingByBarcode('S2024001')).toBeNull();
    expect((await repository.history('oA', { offset: 0, limit: 10 })).total).toBe(0);
  });

  it('survives two readers binding the same card at once: one binding remains', async () => {
    const results = await Promise.allSettled([bind('oA', 'S2024001'), bind('oB', 'S2024001')]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const holder = await repository.bindingByBarcode('S2024001');
    expect(['oA', 'oB']).toContain(holder?.openid);
    const others = await Promise.all([
      repository.bindingByOpenid('oA'),
      repository.bindingByOpenid('oB'),
    ]);
    expect(others.filter(Boolean)).toHaveLength(1);
  });

  it('deletes a binding with its history, and says when there was none', async () => {
    await bind('oA', 'S2024001');
    await repository.setHistoryOptIn('oA', true, T0);
    await repository.recordLoans('oA', [loan('31001', T0), loan('31002', T0)], T0);
    const deleted = await repository.deleteBinding('oA');
    expect(deleted?.barcode).toBe('S2024001');
    expect(await repository.bindingByOpenid('oA')).toBeNull();
    const rows = await tdb.database.db
      .selectFrom('reading_history' as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(0);
    expect(await repository.deleteBinding('oA')).toBeNull();
  });

  it('keeps the locale and the history choice; opting out deletes the history', async () => {
    expect(await repository.setHistoryOptIn('nobody', true, T0)).toBe(false);
    await bind('oA', 'S2024001');
    await repository.setLocale('oA', 'en', T0 + 1);
    expect(await repository.setHistoryOptIn('oA', true, T0 + 2)).toBe(true);
    expect(await repository.bindingByOpenid('oA')).toMatchObject({
      locale: 'en',
      historyOptIn: true,
      updatedAt: T0 + 2,
    });
    await repository.recordLoans('oA', [loan('31001', T0)], T0);
    expect(await repository.setHistoryOptIn('oA', false, T0 + 3)).toBe(true);
    expect((await repository.bindingByOpenid('oA'))?.historyOptIn).toBe(false);
    expect((await repository.history('oA', { offset: 0, limit: 10 })).total).toBe(0);
  });

  it('records loans once, marks the ones gone as returned, and counts a new loan of the same copy', async () => {
    await bind('oA', 'S2024001');
    await repository.recordLoans('oA', [loan('31001', T0), loan('31002', T0 + 10)], T0 + 100);
    await repository.recordLoans('oA', [loan('31001', T0), loan('31002', T0 + 10)], T0 + 200);
    let page = await repository.history('oA', { offset: 0, limit: 10 });
    expect(page.total).toBe(2);
    expect(page.entries.map((e) => [e.itemBarcode, e.returnedAt])).toEqual([
      ['31002', null],
      ['31001', null],
    ]);

    // 31002 returned; 31001 returned and borrowed again (a new loan date).
    await repository.recordLoans('oA', [loan('31001', T0 + 5000)], T0 + 300);
    page = await repository.history('oA', { offset: 0, limit: 10 });
    expect(page.entries.map((e) => [e.itemBarcode, e.loanedAt, e.returnedAt])).toEqual([
      ['31001', T0 + 5000, null],
      ['31002', T0 + 10, T0 + 300],
      ['31001', T0, T0 + 300],
    ]);
    expect(page.entries[0]).toMatchObject({
      recordId: 'R-31001',
      title: 'Book 31001',
      author: '作者',
    });

    // Paging, newest first.
    const second = await repository.history('oA', { offset: 1, limit: 1 });
    expect(second.total).toBe(3);
    expect(second.entries.map((e) => e.itemBarcode)).toEqual(['31002']);
  });

  it('dates a loan the ILS gives no date for by when it was first seen, and keeps it', async () => {
    await bind('oA', 'S2024001');
    await repository.recordLoans('oA', [loan('31001', null)], T0 + 100);
    await repository.recordLoans('oA', [loan('31001', null)], T0 + 900);
    const page = await repository.history('oA', { offset: 0, limit: 10 });
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({ loanedAt: T0 + 100, returnedAt: null });
  });
});
