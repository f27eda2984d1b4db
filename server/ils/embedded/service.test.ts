import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { IlsTables } from './repository.ts';
import { dialects } from '../../../test/support/databases.ts';
import { IlsRefusal, type RefusalCode } from '../errors.ts';
import type { HoldOutcome, RenewOutcome } from '../types.ts';
import { endOfLocalDay, localTime } from './calendar.ts';
import {
  DAY,
  PIN,
  POLICY,
  RECORDS,
  START,
  TZ,
  createIlsFixture,
  type IlsFixture,
} from './fixture.test-util.ts';
import type { EmbeddedIls } from './service.ts';

const iso = (ms: number) => new Date(ms).toISOString();

async function holdId(outcome: Promise<HoldOutcome>): Promise<string> {
  const result = await outcome;
  if (!result.ok) throw new Error(`hold refused: ${result.code}`);
  return result.hold.id;
}

async function loanOf(ils: EmbeddedIls, patron: string, item: string) {
  return (await ils.account(patron)).loans.find((l) => l.itemBarcode === item);
}

describe.each(dialects)('the embedded ILS on %s', (dialect) => {
  let f: IlsFixture;
  let ils: EmbeddedIls;

  beforeEach(async () => {
    f = await createIlsFixture(dialect);
    ils = f.ils;
  });
  afterEach(async () => {
    await f.cleanup();
  });

  describe('patrons', () => {
    it('authenticates by barcode and PIN; a wrong PIN or barcode is refused alike', async () => {
      await expect(ils.authenticate('ALICE', PIN)).resolves.toMatchObject({
        barcode: 'ALICE',
        name: '王小明',
        patronType: '本科生',
        expiresOn: '2029-06-30',
      });
      for (const [barcode, pin] of [
        ['ALICE', '654321'],
        ['NOBODY', PIN],
      ] as const) {
        const error = await ils.authenticate(barcode, pin).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(IlsRefusal);
        expect((error as IlsRefusal).code).toBe('INVALID_CREDENTIALS');
      }
    });

    it('lets a blocked patron sign in and shows the blocks in the account', async () => {
      await expect(ils.authenticate('BLOCKED', PIN)).resolves.toMatchObject({ barcode: 'BLOCKED' });
      expect((await ils.account('BLOCKED')).blocks).toEqual([
        { code: 'MANUAL', message: '请到服务台' },
      ]);
      expect((await ils.account('EXPIRED')).blocks).toEqual([{ code: 'CARD_EXPIRED' }]);
      await expect(ils.account('NOBODY')).rejects.toMatchObject({ code: 'PATRON_NOT_FOUND' });
    });

    it('keeps an existing patron when created again, and changes one on request', async () => {
      const again = await ils.createPatron({
        barcode: 'ALICE',
        name: 'Someone else',
        patronType: '教师',
        pin: '000000',
      });
      expect(again).toMatchObject({ created: false, patron: { name: '王小明' } });
      await expect(ils.authenticate('ALICE', PIN)).resolves.toBeTruthy();
      await ils.updatePatron('ALICE', { pin: '999999', blocked: true, blockNote: '欠款' });
      await expect(ils.authenticate('ALICE', '999999')).resolves.toBeTruthy();
      expect((await ils.account('ALICE')).blocks[0]).toEqual({ code: 'MANUAL', message: '欠款' });
    });
  });

  describe('checkout and checkin', () => {
    it('lends for the policy’s period, due at the end of a local day, and tells the catalogue', async () => {
      const outcome = await ils.checkout('BOB', 'DREAM-1');
      // 8 December + 30 days = 7 January 2027.
      expect(outcome).toEqual({
        ok: true,
        itemBarcode: 'DREAM-1',
        title: '红楼梦',
        dueAt: iso(endOfLocalDay('2027-01-07', TZ)),
      });
      expect(f.changes).toEqual([['DREAM-1', 'checked-out']]);
      expect(await ils.itemInfo('DREAM-1')).toMatchObject({
        status: 'checked-out',
        dueAt: iso(endOfLocalDay('2027-01-07', TZ)),
        branch: { code: 'MAIN', name: '总馆' },
        recordId: 'R-DREAM',
      });
      const loan = await loanOf(ils, 'BOB', 'DREAM-1');
      expect(loan).toMatchObject({
        title: '红楼梦',
        author: '曹雪芹',
        recordId: 'R-DREAM',
        overdue: false,
        renewals: 0,
        renewalsAllowed: 2,
        renewable: false,
        renewBlockedBy: 'TOO_EARLY',
      });
    });

    it('moves the due date off a day the branch is closed', async () => {
      await ils.addClosedDay({
        branch: 'MAIN',
        date: '2027-01-07',
        note: '盘点',
        noteEn: 'Stocktaking',
      });
      await ils.addClosedDay({ date: '2027-01-08', note: '休馆' });
      const outcome = await ils.checkout('BOB', 'DREAM-1');
      expect(outcome).toMatchObject({ ok: true, dueAt: iso(endOfLocalDay('2027-01-09', TZ)) });
      // SCI is closed on Sundays: a loan there due on Sunday 10 January moves to Monday.
      f.clock.set(START + 3 * DAY);
      const sci = await ils.checkout('BOB', 'SICP-2');
      expect(sci).toMatchObject({ ok: true, dueAt: iso(endOfLocalDay('2027-01-11', TZ)) });
    });

    it('refuses with the reason', async () => {
      await ils.checkout('BOB', 'DREAM-1');
      const refusals: Array<[string, string, RefusalCode]> = [
        ['NOBODY', 'SHELF-1', 'PATRON_NOT_FOUND'],
        ['BOB', 'NO-SUCH-ITEM', 'ITEM_NOT_FOUND'],
        ['CAROL', 'DREAM-1', 'ITEM_ALREADY_CHECKED_OUT'],
        ['BOB', 'DREAM-1', 'ITEM_ALREADY_CHECKED_OUT'],
        ['BOB', 'DICT-1', 'ITEM_NOT_LOANABLE'],
        ['BOB', 'LOST-1', 'ITEM_LOST'],
        ['BLOCKED', 'SHELF-1', 'PATRON_BLOCKED'],
        ['EXPIRED', 'SHELF-1', 'CARD_EXPIRED'],
      ];
      for (const [patron, item, code] of refusals) {
        expect(await ils.checkout(patron, item), `${patron} ${item}`).toEqual({ ok: false, code });
      }
    });

    it('stops at the patron type’s loan limit', async () => {
      for (const item of ['SHELF-1', 'SHELF-2', 'SHELF-3']) {
        expect((await ils.checkout('ALICE', item)).ok).toBe(true);
      }
      expect(await ils.checkout('ALICE', 'SHELF-4')).toEqual({
        ok: false,
        code: 'LOAN_LIMIT_REACHED',
      });
      // Graduate students have the fallback policy's five.
      for (const item of ['SHELF-4', 'SHELF-5', 'SHELF-6', 'DREAM-1', '3BODY-1']) {
        expect((await ils.checkout('BOB', item)).ok).toBe(true);
      }
    });

    it('takes an item back once, charging the overdue fine once', async () => {
      await ils.checkout('BOB', 'DREAM-1');
      const due = endOfLocalDay('2027-01-07', TZ);
      // Returned on 17 January: 10 days late, 3 days' grace, 0.10 元 a day.
      f.clock.set(localTime('2027-01-17', TZ, '15:00'));
      const before = await ils.account('BOB');
      expect(before.loans[0]).toMatchObject({ overdue: true, dueAt: iso(due) });
      expect(before.fines).toEqual([
        expect.objectContaining({
          id: expect.stringMatching(/^accruing-/),
          amount: 0.7,
          type: 'overdue',
        }),
      ]);
      expect(before.finesTotal).toBe(0.7);

      expect(await ils.checkin('DREAM-1')).toEqual({
        ok: true,
        itemBarcode: 'DREAM-1',
        title: '红楼梦',
        holdFor: null,
      });
      expect(await ils.checkin('DREAM-1')).toEqual({ ok: false, code: 'ITEM_NOT_CHECKED_OUT' });
      const after = await ils.account('BOB');
      expect(after.loans).toEqual([]);
      expect(after.fines).toEqual([
        expect.objectContaining({
          amount: 0.7,
          type: 'overdue',
          itemBarcode: 'DREAM-1',
          title: '红楼梦',
        }),
      ]);
      expect(after.finesTotal).toBe(0.7);
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('available');
      expect(f.changes).toEqual([
        ['DREAM-1', 'checked-out'],
        ['DREAM-1', 'available'],
      ]);

      const fineId = after.fines[0]!.id;
      expect(await ils.payFine(fineId)).toBe(true);
      expect(await ils.payFine(fineId)).toBe(false);
      expect((await ils.account('BOB')).finesTotal).toBe(0);
    });

    it('charges no more than the cap, and blocks at the fine limit', async () => {
      await ils.checkout('BOB', 'DREAM-1');
      f.clock.set(localTime('2027-12-01', TZ, '10:00'));
      expect((await ils.account('BOB')).finesTotal).toBe(10);
      await ils.checkin('DREAM-1');
      await ils.addFine('BOB', { type: 'lost', amount: 35, description: '遗失赔偿' });
      const account = await ils.account('BOB');
      expect(account.finesTotal).toBe(45);
      expect(account.blocks).toEqual([{ code: 'FINES_OVER_LIMIT' }]);
      expect(await ils.checkout('BOB', 'SHELF-1')).toEqual({ ok: false, code: 'FINES_OVER_LIMIT' });
    });
  });

  describe('renewals', () => {
    beforeEach(async () => {
      await ils.checkout('BOB', 'DREAM-1');
      // Inside the seven-day window before the due date (7 January).
      f.clock.set(localTime('2027-01-03', TZ, '09:00'));
    });

    it('renews from the due date, then reports a repeat as the same renewal', async () => {
      const [first] = await ils.renew('BOB', ['DREAM-1']);
      expect(first).toEqual({
        ok: true,
        itemBarcode: 'DREAM-1',
        title: '红楼梦',
        dueAt: iso(endOfLocalDay('2027-02-06', TZ)),
        renewals: 1,
      });
      f.clock.advance(30_000);
      const [again] = await ils.renew('BOB', ['DREAM-1']);
      expect(again).toMatchObject({
        ok: true,
        alreadyRenewed: true,
        renewals: 1,
        dueAt: first?.ok ? first.dueAt : '',
      });
      expect(await loanOf(ils, 'BOB', 'DREAM-1')).toMatchObject({ renewals: 1 });
    });

    it('refuses with the reason and leaves the loan as it was', async () => {
      expect(await ils.renew('CAROL', ['DREAM-1'])).toEqual([
        { ok: false, itemBarcode: 'DREAM-1', code: 'LOAN_NOT_FOUND' },
      ]);
      expect(await ils.renew('NOBODY', ['DREAM-1'])).toEqual([
        { ok: false, itemBarcode: 'DREAM-1', code: 'PATRON_NOT_FOUND' },
      ]);
      f.clock.set(localTime('2026-12-20', TZ, '09:00'));
      expect(await ils.renew('BOB', ['DREAM-1'])).toEqual([
        {
          ok: false,
          itemBarcode: 'DREAM-1',
          title: '红楼梦',
          code: 'TOO_EARLY',
          dueAt: iso(endOfLocalDay('2027-01-07', TZ)),
          earliest: iso(localTime('2026-12-31', TZ)),
        },
      ]);
      expect(await loanOf(ils, 'BOB', 'DREAM-1')).toMatchObject({ renewals: 0 });
    });

    it('refuses when another reader holds the title', async () => {
      await holdId(ils.placeHold('CAROL', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }));
      const [outcome] = await ils.renew('BOB', ['DREAM-1']);
      expect(outcome).toMatchObject({ ok: false, code: 'ITEM_HAS_HOLD_FOR_OTHER' });
      expect(await loanOf(ils, 'BOB', 'DREAM-1')).toMatchObject({
        renewable: false,
        renewBlockedBy: 'ITEM_HAS_HOLD_FOR_OTHER',
      });
    });

    it('stops at the renewal limit', async () => {
      expect((await ils.renew('BOB', ['DREAM-1']))[0]?.ok).toBe(true);
      // A second renewal, later, inside the next window.
      f.clock.set(localTime('2027-02-01', TZ, '09:00'));
      expect((await ils.renew('BOB', ['DREAM-1']))[0]).toMatchObject({ ok: true, renewals: 2 });
      f.clock.set(localTime('2027-03-05', TZ, '09:00'));
      expect((await ils.renew('BOB', ['DREAM-1']))[0]).toMatchObject({
        ok: false,
        code: 'RENEWAL_LIMIT_REACHED',
      });
    });

    it('refuses an overdue patron and one whose item was declared lost', async () => {
      await ils.importLoan({
        patronBarcode: 'BOB',
        itemBarcode: '3BODY-1',
        loanedAt: START - 40 * DAY,
        dueAt: START - 10 * DAY,
      });
      expect((await ils.renew('BOB', ['DREAM-1']))[0]).toMatchObject({
        code: 'PATRON_HAS_OVERDUES',
      });
      await ils.checkin('3BODY-1');
      expect(await ils.setLoanItemState('DREAM-1', 'claimed-returned')).toBe(true);
      expect((await ils.renew('BOB', ['DREAM-1']))[0]).toMatchObject({ code: 'ITEM_LOST' });
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('claimed-returned');
    });

    it('renews all: one outcome per loan', async () => {
      await ils.checkout('BOB', 'SHELF-1');
      const outcomes = await ils.renewAll('BOB');
      expect(outcomes.map((o) => [o.itemBarcode, o.ok])).toEqual([
        ['DREAM-1', true],
        ['SHELF-1', false],
      ]);
      expect(outcomes[1]).toMatchObject({ code: 'TOO_EARLY' });
    });

    it('renews once when twenty requests for one loan arrive together', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => ils.renew('BOB', ['DREAM-1'])),
      );
      const flat: RenewOutcome[] = outcomes.flat();
      expect(flat.every((o) => o.ok)).toBe(true);
      expect(flat.filter((o) => o.ok && !o.alreadyRenewed)).toHaveLength(1);
      const due = iso(endOfLocalDay('2027-02-06', TZ));
      expect(new Set(flat.map((o) => (o.ok ? o.dueAt : '')))).toEqual(new Set([due]));
      expect(await loanOf(ils, 'BOB', 'DREAM-1')).toMatchObject({ renewals: 1, dueAt: due });
    });
  });

  describe('holds', () => {
    beforeEach(async () => {
      await ils.checkout('BOB', 'DREAM-1');
    });

    it('places a hold with its place in the queue, and refuses a second', async () => {
      const placed = await ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'SCI' });
      expect(placed).toEqual({
        ok: true,
        hold: {
          id: expect.any(String),
          recordId: 'R-DREAM',
          itemBarcode: null,
          title: '红楼梦',
          status: 'not-yet-filled',
          queuePosition: 1,
          queueLength: 1,
          pickupBranch: { code: 'SCI', name: '理工分馆', nameEn: 'Science Library' },
          placedAt: iso(START),
          pickupBy: null,
          expiresAt: null,
        },
      });
      expect(await ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'MAIN' })).toEqual({
        ok: false,
        code: 'HOLD_ALREADY_PLACED',
      });
      const carol = await ils.placeHold('CAROL', { itemBarcode: 'DREAM-1', pickupBranch: 'MAIN' });
      expect(carol).toMatchObject({ ok: true, hold: { queuePosition: 2, itemBarcode: 'DREAM-1' } });
      expect((await ils.account('ALICE')).holds[0]).toMatchObject({
        queuePosition: 1,
        queueLength: 2,
      });
      expect((await ils.itemInfo('DREAM-1'))?.holdQueueLength).toBe(2);
    });

    it('refuses holds with the reason', async () => {
      await ils.placeHold('CAROL', { recordId: 'R-DREAM', pickupBranch: 'MAIN' });
      await ils.checkout('ALICE', 'SHELF-1');
      await ils.checkout('CAROL', 'SHELF-2');
      await ils.checkout('CAROL', 'SHELF-3');
      await ils.checkout('CAROL', 'SHELF-4');
      await ils.checkout('CAROL', 'SHELF-5');
      await ils.checkout('CAROL', 'SHELF-6');
      const refusals: Array<[string, Parameters<EmbeddedIls['placeHold']>[1], RefusalCode]> = [
        ['NOBODY', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }, 'PATRON_NOT_FOUND'],
        ['BLOCKED', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }, 'PATRON_BLOCKED'],
        ['EXPIRED', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }, 'CARD_EXPIRED'],
        ['ALICE', { recordId: 'R-NONE', pickupBranch: 'MAIN' }, 'ITEM_NOT_FOUND'],
        ['ALICE', { itemBarcode: 'NO-ITEM', pickupBranch: 'MAIN' }, 'ITEM_NOT_FOUND'],
        ['ALICE', {}, 'ITEM_NOT_FOUND'],
        ['ALICE', { recordId: 'R-DREAM' }, 'PICKUP_LOCATION_REQUIRED'],
        ['ALICE', { recordId: 'R-DREAM', pickupBranch: 'MED' }, 'PICKUP_LOCATION_INVALID'],
        ['ALICE', { recordId: 'R-DREAM', pickupBranch: 'NOWHERE' }, 'PICKUP_LOCATION_INVALID'],
        ['ALICE', { recordId: 'R-DICT', pickupBranch: 'MAIN' }, 'HOLD_NOT_ALLOWED'],
        ['ALICE', { recordId: 'R-LOST', pickupBranch: 'MAIN' }, 'HOLD_NOT_ALLOWED'],
        ['BOB', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }, 'ALREADY_ON_LOAN_TO_PATRON'],
        ['CAROL', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }, 'HOLD_ALREADY_PLACED'],
      ];
      for (const [patron, request, code] of refusals) {
        expect(
          await ils.placeHold(patron, request),
          `${patron} ${JSON.stringify(request)}`,
        ).toEqual({
          ok: false,
          code,
        });
      }
      // A copy on the shelf: borrow it instead.
      expect(
        await ils.placeHold('ALICE', { recordId: 'R-3BODY', pickupBranch: 'MAIN' }),
      ).toMatchObject({
        ok: false,
        code: 'HOLD_NOT_ALLOWED',
        message: expect.any(String),
      });
      // CAROL has five loans and one hold; the limit is three holds.
      await ils.checkout('BOB', '3BODY-1');
      await ils.checkout('BOB', 'SICP-1');
      await ils.checkout('BOB', 'SICP-2');
      await holdId(ils.placeHold('CAROL', { recordId: 'R-3BODY', pickupBranch: 'MAIN' }));
      await holdId(ils.placeHold('CAROL', { recordId: 'R-SICP', pickupBranch: 'MAIN' }));
      await ils.checkout('BOB', 'POEMS-1');
      expect(await ils.placeHold('CAROL', { recordId: 'R-POEMS', pickupBranch: 'MAIN' })).toEqual({
        ok: false,
        code: 'HOLD_LIMIT_REACHED',
      });
    });

    it('traps a returned item for the first in line, then lends it to them alone', async () => {
      const alice = await holdId(
        ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }),
      );
      f.clock.advance(60_000);
      await holdId(ils.placeHold('CAROL', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }));
      // Returned on Friday 11 December at 10:00.
      f.clock.set(localTime('2026-12-11', TZ, '10:00'));
      expect(await ils.checkin('DREAM-1')).toEqual({
        ok: true,
        itemBarcode: 'DREAM-1',
        title: '红楼梦',
        holdFor: {
          patronBarcode: 'ALICE',
          pickupBranch: { code: 'MAIN', name: '总馆', nameEn: 'Main Library' },
        },
      });
      expect(f.changes.at(-1)).toEqual(['DREAM-1', 'on-hold-shelf']);
      expect((await ils.account('ALICE')).holds).toEqual([
        expect.objectContaining({
          id: alice,
          status: 'awaiting-pickup',
          itemBarcode: 'DREAM-1',
          queuePosition: 1,
          // Five open days at MAIN (open every day): 16 December.
          pickupBy: iso(endOfLocalDay('2026-12-16', TZ)),
        }),
      ]);
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('on-hold-shelf');
      expect(await ils.checkout('CAROL', 'DREAM-1')).toEqual({
        ok: false,
        code: 'ITEM_HAS_HOLD_FOR_OTHER',
      });
      expect(await ils.checkout('ALICE', 'DREAM-1')).toMatchObject({ ok: true });
      expect((await ils.account('ALICE')).holds).toEqual([]);
      expect((await ils.account('CAROL')).holds[0]).toMatchObject({
        queuePosition: 1,
        queueLength: 1,
        status: 'not-yet-filled',
      });
    });

    it('counts only open days on the hold shelf', async () => {
      await ils.addClosedDay({ date: '2026-12-14', note: '停电' });
      await ils.addClosedDay({ branch: 'MAIN', date: '2026-12-15', note: '盘点' });
      await holdId(ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }));
      f.clock.set(localTime('2026-12-11', TZ, '10:00'));
      await ils.checkin('DREAM-1');
      expect((await ils.account('ALICE')).holds[0]?.pickupBy).toBe(
        iso(endOfLocalDay('2026-12-18', TZ)),
      );
    });

    it('sends an item for another branch in transit until it arrives there', async () => {
      await holdId(ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'SCI' }));
      expect(await ils.checkin('DREAM-1')).toMatchObject({
        ok: true,
        holdFor: { patronBarcode: 'ALICE', pickupBranch: { code: 'SCI' } },
      });
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('in-transit');
      expect((await ils.account('ALICE')).holds[0]).toMatchObject({
        status: 'in-transit',
        pickupBy: null,
      });
      // Checked in again at MAIN: still on its way.
      expect(await ils.checkin('DREAM-1')).toEqual({ ok: false, code: 'ITEM_NOT_CHECKED_OUT' });
      f.clock.set(localTime('2026-12-12', TZ, '10:00'));
      expect(await ils.receiveInTransit('DREAM-1')).toMatchObject({ ok: true });
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('on-hold-shelf');
      // Saturday 12th; SCI is closed on Sundays: 14, 15, 16, 17, 18 December.
      expect((await ils.account('ALICE')).holds[0]).toMatchObject({
        status: 'awaiting-pickup',
        pickupBy: iso(endOfLocalDay('2026-12-18', TZ)),
      });
      expect(f.changes.slice(1)).toEqual([
        ['DREAM-1', 'in-transit'],
        ['DREAM-1', 'on-hold-shelf'],
      ]);
    });

    it('expires a hold left on the shelf and passes the item to the next in line', async () => {
      await holdId(ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }));
      f.clock.advance(1000);
      await holdId(ils.placeHold('CAROL', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }));
      f.clock.set(localTime('2026-12-11', TZ, '10:00'));
      await ils.checkin('DREAM-1');
      expect(await ils.expireHolds(endOfLocalDay('2026-12-16', TZ))).toBe(0);
      const later = localTime('2026-12-17', TZ, '08:00');
      f.clock.set(later);
      expect(await ils.expireHolds()).toBe(1);
      expect(await ils.expireHolds()).toBe(0);
      expect((await ils.account('ALICE')).holds).toEqual([]);
      expect((await ils.account('CAROL')).holds[0]).toMatchObject({
        status: 'awaiting-pickup',
        itemBarcode: 'DREAM-1',
        queuePosition: 1,
        pickupBy: iso(endOfLocalDay('2026-12-22', TZ)),
      });
      f.clock.set(localTime('2026-12-23', TZ, '08:00'));
      expect(await ils.expireHolds()).toBe(1);
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('available');
      // Told when the catalogue's copy of the status changes: the item stayed on the
      // hold shelf when it passed from ALICE to CAROL.
      expect(f.changes.slice(1)).toEqual([
        ['DREAM-1', 'on-hold-shelf'],
        ['DREAM-1', 'available'],
      ]);
      const item = await (f.tdb.database.db as Kysely<IlsTables>)
        .selectFrom('catalog_items')
        .select('status')
        .where('barcode', '=', 'DREAM-1')
        .executeTakeFirstOrThrow();
      expect(item.status).toBe('available');
    });

    it('cancels a hold; a cancelled hold on the shelf releases the item to the next', async () => {
      const alice = await holdId(
        ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }),
      );
      f.clock.advance(1000);
      const carol = await holdId(
        ils.placeHold('CAROL', { recordId: 'R-DREAM', pickupBranch: 'SCI' }),
      );
      expect(await ils.cancelHold('CAROL', alice)).toEqual({ ok: false, code: 'HOLD_NOT_FOUND' });
      expect(await ils.cancelHold('ALICE', 'not-a-number')).toEqual({
        ok: false,
        code: 'HOLD_NOT_FOUND',
      });
      await ils.checkin('DREAM-1');
      expect(await ils.cancelHold('ALICE', alice)).toMatchObject({
        ok: true,
        hold: { id: alice, status: 'awaiting-pickup' },
      });
      expect(await ils.cancelHold('ALICE', alice)).toEqual({ ok: false, code: 'HOLD_NOT_FOUND' });
      // CAROL collects at SCI: the item goes there.
      expect((await ils.account('CAROL')).holds[0]).toMatchObject({
        id: carol,
        status: 'in-transit',
        itemBarcode: 'DREAM-1',
      });
      expect(await ils.cancelHold('CAROL', carol)).toMatchObject({ ok: true });
      expect((await ils.itemInfo('DREAM-1'))?.status).toBe('available');
    });

    it('keeps a consistent queue when twenty readers place a hold at once', async () => {
      const barcodes = Array.from({ length: 20 }, (_, i) => `READER-${String(i).padStart(2, '0')}`);
      await Promise.all(
        barcodes.map((barcode) =>
          ils.createPatron({ barcode, name: barcode, patronType: '研究生', pin: PIN }),
        ),
      );
      const outcomes = await Promise.all(
        barcodes.map((barcode) =>
          ils.placeHold(barcode, { recordId: 'R-DREAM', pickupBranch: 'MAIN' }),
        ),
      );
      // Each placement reports its place as seen inside its own transaction: only
      // placements serialised per record see 1..20 with no repeats.
      expect(
        outcomes
          .map((o) => (o.ok ? o.hold.queuePosition : o.code))
          .sort((a, b) => Number(a) - Number(b)),
      ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const positions = await Promise.all(
        barcodes.map(async (barcode) => (await ils.account(barcode)).holds[0]!),
      );
      expect(positions.map((h) => h.queuePosition).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(new Set(positions.map((h) => h.queueLength))).toEqual(new Set([20]));
      // The same readers again, at once: no second hold for anyone.
      const again = await Promise.all(
        barcodes.map((barcode) =>
          ils.placeHold(barcode, { recordId: 'R-DREAM', pickupBranch: 'MAIN' }),
        ),
      );
      expect(again.every((o) => !o.ok && o.code === 'HOLD_ALREADY_PLACED')).toBe(true);
      // The first in the queue is the first the returned item goes to.
      const first = barcodes[positions.findIndex((h) => h.queuePosition === 1)]!;
      expect(await ils.checkin('DREAM-1')).toMatchObject({ holdFor: { patronBarcode: first } });
    });
    it('places one hold when one reader taps twenty times at once', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          ils.placeHold('ALICE', { recordId: 'R-DREAM', pickupBranch: 'MAIN' }),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(new Set(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.code))).toEqual(
        new Set(['HOLD_ALREADY_PLACED']),
      );
      expect((await ils.account('ALICE')).holds).toHaveLength(1);
    });
  });

  describe('branches and calendar', () => {
    it('lists branches, pickup locations and a week of hours', async () => {
      expect((await ils.branches()).map((b) => [b.code, b.pickup])).toEqual([
        ['MAIN', true],
        ['SCI', true],
        ['MED', false],
      ]);
      expect((await ils.pickupLocations()).map((b) => b.code)).toEqual(['MAIN', 'SCI']);
      await ils.addClosedDay({
        branch: 'SCI',
        date: '2026-12-10',
        note: '盘点',
        noteEn: 'Stocktaking',
      });
      const week = await ils.week('SCI');
      expect(week.map((d) => [d.date, d.open])).toEqual([
        ['2026-12-08', true],
        ['2026-12-09', true],
        ['2026-12-10', false],
        ['2026-12-11', true],
        ['2026-12-12', true],
        ['2026-12-13', false],
        ['2026-12-14', true],
      ]);
      expect(week[2]).toMatchObject({ note: '盘点', noteEn: 'Stocktaking' });
      await ils.removeCalendarException('SCI', '2026-12-10');
      expect((await ils.week('SCI'))[2]?.open).toBe(true);
    });

    it('replaces a policy with the same criteria instead of adding one', async () => {
      const before = await ils.policies();
      const id = await ils.upsertPolicy({ ...POLICY, name: '默认', loanDays: 14 });
      const after = await ils.policies();
      expect(after).toHaveLength(before.length);
      expect(after.find((p) => p.id === id)).toMatchObject({ loanDays: 14, patronType: null });
    });
  });

  it('keeps the catalogue’s own status for an item it does not have on loan', async () => {
    expect(await ils.itemInfo('LOST-1')).toMatchObject({ status: 'lost', title: '失踪的书' });
    expect(await ils.itemInfo('DICT-1')).toMatchObject({ status: 'available', dueAt: null });
    expect(await ils.itemInfo('NOPE')).toBeNull();
    expect(RECORDS.sicp.items.map((i) => i.barcode)).toContain('SICP-1');
    expect(await ils.itemInfo('SICP-1')).toMatchObject({ branch: { code: 'MAIN' } });
  });
});
