/**
 * The contract every ILS connector passes: one suite, run against each connector
 * (`contract.test.ts`). A fixture names the patron and items of a small library the
 * connector can reach; each test gets a fresh one because renewals and holds change it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IlsRefusal, type RefusalCode } from './errors.ts';
import type { IlsConnector, RenewOutcome } from './types.ts';

export interface ContractFixture {
  readonly connector: IlsConnector;
  readonly patron: { readonly barcode: string; readonly password: string; readonly name: string };
  /** On loan to the patron, renewable now. */
  readonly renewableItem: string;
  /** On loan to the patron, and a renewal is refused with this code. */
  readonly refusedItem: { readonly barcode: string; readonly code: RefusalCode };
  /** The title of one of the patron's loans, in Chinese (checks the character set end to end). */
  readonly chineseTitle: string;
  /** Something the patron may place a hold on (not on loan to them). */
  readonly holdable: { readonly recordId?: string; readonly itemBarcode?: string };
  readonly pickupBranch?: string;
  /** An item that exists, with its title. */
  readonly knownItem: { readonly barcode: string; readonly title: string };
  readonly unknownItem: string;
  cleanup(): Promise<void>;
}

export function describeIlsContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`IlsConnector contract: ${name}`, () => {
    let f: ContractFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    const ref = () => ({ barcode: f.patron.barcode, password: f.patron.password });

    it('authenticates a patron and refuses a wrong password or an unknown card', async () => {
      const patron = await f.connector.authenticate(f.patron.barcode, f.patron.password);
      expect(patron.barcode).toBe(f.patron.barcode);
      expect(patron.name).toBe(f.patron.name);

      const wrong = await f.connector
        .authenticate(f.patron.barcode, `${f.patron.password}x`)
        .catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(IlsRefusal);
      expect((wrong as IlsRefusal).code).toBe('INVALID_CREDENTIALS');

      const unknown = await f.connector
        .authenticate('NO-SUCH-CARD-0000', 'whatever')
        .catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(IlsRefusal);
      expect(['PATRON_NOT_FOUND', 'INVALID_CREDENTIALS']).toContain((unknown as IlsRefusal).code);
    });

    it('shows the account: loans with titles and due dates, holds, fines', async () => {
      const account = await f.connector.account(ref());
      expect(account.patron.barcode).toBe(f.patron.barcode);
      const barcodes = account.loans.map((l) => l.itemBarcode);
      expect(barcodes).toEqual(expect.arrayContaining([f.renewableItem, f.refusedItem.barcode]));
      expect(account.loans.map((l) => l.title)).toContain(f.chineseTitle);
      for (const loan of account.loans) {
        expect(Number.isNaN(Date.parse(loan.dueAt))).toBe(false);
        expect(loan.title.length).toBeGreaterThan(0);
      }
      expect(account.currency).toMatch(/^[A-Z]{3}$/);
      expect(account.finesTotal).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(account.holds)).toBe(true);
    });

    it('renews a renewable loan to a later due date', async () => {
      const before = (await f.connector.account(ref())).loans.find(
        (l) => l.itemBarcode === f.renewableItem,
      )!;
      const [outcome] = await f.connector.renew(ref(), [f.renewableItem]);
      expect(outcome).toMatchObject({ ok: true, itemBarcode: f.renewableItem });
      const renewed = outcome as Extract<RenewOutcome, { ok: true }>;
      expect(Date.parse(renewed.dueAt)).toBeGreaterThan(Date.parse(before.dueAt));
      const after = (await f.connector.account(ref())).loans.find(
        (l) => l.itemBarcode === f.renewableItem,
      )!;
      expect(Date.parse(after.dueAt)).toBe(Date.parse(renewed.dueAt));
    });

    it('refuses a renewal with its reason and leaves the loan as it was', async () => {
      const before = (await f.connector.account(ref())).loans.find(
        (l) => l.itemBarcode === f.refusedItem.barcode,
      )!;
      const [outcome] = await f.connector.renew(ref(), [f.refusedItem.barcode]);
      expect(outcome).toMatchObject({
        ok: false,
        itemBarcode: f.refusedItem.barcode,
        code: f.refusedItem.code,
      });
      const after = (await f.connector.account(ref())).loans.find(
        (l) => l.itemBarcode === f.refusedItem.barcode,
      )!;
      expect(after.dueAt).toBe(before.dueAt);
    });

    it('renews all: one outcome per loan, the renewable one renewed', async () => {
      const loans = (await f.connector.account(ref())).loans;
      const outcomes = await f.connector.renewAll(ref());
      expect(outcomes.map((o) => o.itemBarcode).sort()).toEqual(
        loans.map((l) => l.itemBarcode).sort(),
      );
      expect(outcomes.find((o) => o.itemBarcode === f.renewableItem)?.ok).toBe(true);
      expect(outcomes.find((o) => o.itemBarcode === f.refusedItem.barcode)?.ok).toBe(false);
    });

    it('places a hold that shows in the account, and cancels it', async () => {
      if (!f.connector.capabilities.has('placeHold')) return;
      const placed = await f.connector.placeHold(ref(), {
        ...f.holdable,
        ...(f.pickupBranch ? { pickupBranch: f.pickupBranch } : {}),
      });
      expect(placed.ok).toBe(true);
      if (!placed.ok) return;
      const holds = (await f.connector.account(ref())).holds;
      expect(holds.map((h) => h.id)).toContain(placed.hold.id);

      const again = await f.connector.placeHold(ref(), {
        ...f.holdable,
        ...(f.pickupBranch ? { pickupBranch: f.pickupBranch } : {}),
      });
      expect(again).toMatchObject({ ok: false, code: 'HOLD_ALREADY_PLACED' });

      const cancelled = await f.connector.cancelHold(ref(), placed.hold.id);
      expect(cancelled.ok).toBe(true);
      const after = (await f.connector.account(ref())).holds;
      expect(after.map((h) => h.id)).not.toContain(placed.hold.id);
    });

    it('looks items up by barcode; an unknown barcode is null', async () => {
      const item = await f.connector.itemInfo(f.knownItem.barcode);
      expect(item).toMatchObject({ barcode: f.knownItem.barcode, title: f.knownItem.title });
      const onLoan = await f.connector.itemInfo(f.renewableItem);
      expect(onLoan?.status).toBe('checked-out');
      expect(onLoan?.dueAt).toBeTruthy();
      expect(await f.connector.itemInfo(f.unknownItem)).toBeNull();
    });

    it('answers a health check', async () => {
      const health = await f.connector.health();
      expect(health).toMatchObject({ ok: true, connector: f.connector.name });
    });
  });
}
