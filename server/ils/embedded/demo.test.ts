import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { dialects } from '../../../test/support/databases.ts';
import { DEMO_HOLIDAYS, DEMO_PIN, DEMO_READERS, seedDemoIls } from './demo.ts';
import { createBareIls, type IlsFixture, type TestRecord } from './fixture.test-util.ts';

// A catalogue shaped like the demo's: branches named, single and multiple copies.
const catalogue: TestRecord[] = [
  ...Array.from({ length: 14 }, (_, i) => ({
    controlNumber: `SL${String(i + 1).padStart(8, '0')}`,
    title: `演示图书 ${i + 1}`,
    items: [{ barcode: `10000000${String(i + 1).padStart(2, '0')}`, branch: '总馆' }],
  })),
  {
    controlNumber: 'SL00000099',
    title: '两本复本',
    items: [
      { barcode: '1000000099', branch: '总馆' },
      { barcode: '2000000099', branch: '理工分馆' },
    ],
  },
];

const logger = pino({ level: 'silent' });

describe.each(dialects)('the demo library on %s', (dialect) => {
  let f: IlsFixture;
  beforeEach(async () => {
    f = await createBareIls(dialect, catalogue);
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('gives each demo reader the situation they are there to show', async () => {
    const { ils } = f;
    expect(await seedDemoIls(ils, logger)).toEqual({ seeded: true, loans: 9, holds: 3 });
    await expect(ils.authenticate('20260001', DEMO_PIN)).resolves.toMatchObject({
      name: '王小明',
    });

    const wang = await ils.account('20260001');
    expect(wang.loans.map((l) => [l.renewable, l.renewBlockedBy])).toEqual([
      [true, null],
      [false, 'TOO_EARLY'],
    ]);
    expect(wang.holds.map((h) => [h.status, h.queuePosition]).sort()).toEqual([
      ['awaiting-pickup', 1],
      ['not-yet-filled', 2],
    ]);

    const li = await ils.account('20260002');
    expect(li.loans.map((l) => l.overdue)).toEqual([true, false]);
    expect(li.loans.every((l) => l.renewBlockedBy === 'PATRON_HAS_OVERDUES')).toBe(true);
    expect(li.finesTotal).toBeGreaterThan(0);

    const emily = await ils.account('20260003');
    expect(emily.loans.map((l) => l.renewBlockedBy).sort()).toEqual([
      'ITEM_HAS_HOLD_FOR_OTHER',
      'RENEWAL_LIMIT_REACHED',
    ]);

    const zhang = await ils.account('20260004');
    expect(zhang.loans).toHaveLength(1);
    expect(zhang.holds[0]).toMatchObject({ queuePosition: 1, queueLength: 2 });

    expect((await ils.account('20260005')).blocks.map((b) => b.code)).toEqual(['MANUAL']);
    expect((await ils.account('20260006')).blocks.map((b) => b.code)).toEqual(['CARD_EXPIRED']);
    const chen = await ils.account('20260007');
    expect(chen.blocks.map((b) => b.code)).toEqual(['FINES_OVER_LIMIT']);
    expect(chen.loans[0]?.renewBlockedBy).toBe('FINES_OVER_LIMIT');

    expect((await ils.pickupLocations()).map((b) => b.name)).toEqual([
      '总馆',
      '理工分馆',
      '医学分馆',
    ]);
    const calendar = await ils.calendar();
    expect(calendar.hours('MED', '2026-10-01')).toMatchObject({ open: false, note: '国庆节' });
    expect(calendar.isOpen('MED', '2026-12-13')).toBe(false); // a Sunday
    expect(calendar.isOpen('MAIN', '2026-12-13')).toBe(true);
    expect(new Set(DEMO_HOLIDAYS.map((h) => h.date)).size).toBe(DEMO_HOLIDAYS.length);
    expect(DEMO_READERS.map((r) => r.barcode)).toContain('20260007');
  });

  it('changes nothing when run again', async () => {
    await seedDemoIls(f.ils, logger);
    const before = await f.ils.counts();
    const accounts = await Promise.all(DEMO_READERS.map((r) => f.ils.account(r.barcode)));
    expect(await seedDemoIls(f.ils, logger)).toEqual({ seeded: false, loans: 0, holds: 0 });
    expect(await f.ils.counts()).toEqual(before);
    expect(await Promise.all(DEMO_READERS.map((r) => f.ils.account(r.barcode)))).toEqual(accounts);
  });
});
