import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../../../test/support/databases.ts';
import { describeIlsContract } from '../contract.ts';
import { IlsRefusal } from '../errors.ts';
import { localTime } from './calendar.ts';
import { EmbeddedConnector } from './connector.ts';
import { PIN, TZ, createIlsFixture, type IlsFixture } from './fixture.test-util.ts';

describe.each(dialects)('EmbeddedConnector on %s', (dialect) => {
  describeIlsContract(`embedded (${dialect})`, async () => {
    const f = await createIlsFixture(dialect);
    await f.ils.checkout('BOB', 'DREAM-1');
    await f.ils.checkout('BOB', '3BODY-1');
    await f.ils.checkout('CAROL', 'SICP-1');
    await f.ils.checkout('CAROL', 'SICP-2');
    await f.ils.placeHold('CAROL', { recordId: 'R-3BODY', pickupBranch: 'MAIN' });
    // Within a week of the loans' due date (7 January): renewable unless held.
    f.clock.set(localTime('2027-01-03', TZ, '09:00'));
    return {
      connector: new EmbeddedConnector(f.ils),
      patron: { barcode: 'BOB', password: PIN, name: 'Bob Smith' },
      renewableItem: 'DREAM-1',
      refusedItem: { barcode: '3BODY-1', code: 'ITEM_HAS_HOLD_FOR_OTHER' },
      chineseTitle: '红楼梦',
      holdable: { recordId: 'R-SICP' },
      pickupBranch: 'MAIN',
      knownItem: { barcode: 'SHELF-1', title: '书架上的书' },
      unknownItem: 'NO-SUCH-ITEM',
      cleanup: () => f.cleanup(),
    };
  });

  describe('as a connector', () => {
    let f: IlsFixture;
    let connector: EmbeddedConnector;
    beforeEach(async () => {
      f = await createIlsFixture(dialect);
      connector = new EmbeddedConnector(f.ils);
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('says what it is and what it can do', () => {
      expect(connector.name).toBe('embedded');
      expect(connector.needsPatronPassword).toBe(false);
      expect([...connector.capabilities].sort()).toEqual([
        'account',
        'authenticate',
        'cancelHold',
        'checkin',
        'checkout',
        'itemInfo',
        'pickupLocations',
        'placeHold',
        'renew',
        'renewAll',
      ]);
    });

    it('throws refusals from authenticate and returns them as outcomes elsewhere', async () => {
      const error = await connector.authenticate('BOB', 'wrong').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IlsRefusal);
      expect(await connector.checkout({ barcode: 'BLOCKED' }, 'SHELF-1')).toEqual({
        ok: false,
        code: 'PATRON_BLOCKED',
      });
      expect(await connector.cancelHold({ barcode: 'BOB' }, '999')).toEqual({
        ok: false,
        code: 'HOLD_NOT_FOUND',
      });
    });

    it('checks out and in, at a named branch', async () => {
      expect(await connector.checkout({ barcode: 'BOB' }, 'DREAM-1')).toMatchObject({ ok: true });
      await connector.placeHold({ barcode: 'ALICE' }, { recordId: 'R-DREAM', pickupBranch: 'SCI' });
      expect(await connector.checkin('DREAM-1', 'SCI')).toMatchObject({
        ok: true,
        holdFor: { patronBarcode: 'ALICE', pickupBranch: { code: 'SCI' } },
      });
      expect((await connector.itemInfo('DREAM-1'))?.status).toBe('on-hold-shelf');
      expect((await connector.pickupLocations()).map((b) => b.code)).toEqual(['MAIN', 'SCI']);
    });

    it('reports ill health when the database is gone', async () => {
      expect(await connector.health()).toMatchObject({ ok: true, connector: 'embedded' });
      await f.tdb.database.close();
      expect(await connector.health()).toMatchObject({ ok: false, connector: 'embedded' });
    });
  });
});
