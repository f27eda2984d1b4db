import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../../test/support/databases.ts';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { DEMO_PIN } from '../../ils/embedded/demo.ts';
import { inProcessReader, type CookieJar } from './harness.test-util.ts';

/**
 * The reader's account end to end on the composed app: the demo library (catalogue and
 * embedded ILS seeded as `npm start` seeds them), WeChat OAuth through the fake WeChat
 * API, binding, loans, renewals with their reasons, holds, the e-card.
 */
const ORIGIN = 'https://lib.example.edu';

describe.each(dialects)('a demo reader on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      dialect,
      env: {
        SHULIN_DEMO: 'on',
        PUBLIC_URL: ORIGIN,
        SECRET_KEY: 'demo-library-test-key-0123456789ab',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const request = (path: string, jar: CookieJar, init?: RequestInit) =>
    inProcessReader(t, ORIGIN).request(path, jar, init);
  const signIn = (openid: string) => inProcessReader(t, ORIGIN).signIn(openid);

  const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

  interface Loan {
    itemBarcode: string;
    title: string;
    dueAt: string;
    renewable: boolean | null;
    renewBlockedBy?: string | null;
    renewBlockedText?: string | null;
  }

  it('binds a card, lists loans, renews one and is told why another cannot be renewed', async () => {
    const jar = await signIn(`o-demo-${dialect}-1`);
    const wrong = await request(
      '/api/v1/me/binding',
      jar,
      post({ barcode: '20260001', password: '000000' }),
    );
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });

    const bound = await request(
      '/api/v1/me/binding',
      jar,
      post({ barcode: '20260001', password: DEMO_PIN }),
    );
    expect(bound.status).toBe(201);

    const account = (await (await request('/api/v1/me/account', jar)).json()) as {
      patron: { name: string };
      loans: Loan[];
      holds: unknown[];
    };
    expect(account.patron.name).toBe('王小明');
    const renewable = account.loans.find((l) => l.renewable === true)!;
    const early = account.loans.find((l) => l.renewBlockedBy === 'TOO_EARLY')!;
    expect(renewable).toBeDefined();
    expect(early).toBeDefined();
    // The reader is told from when: a date, not a placeholder.
    expect(early.renewBlockedText).toMatch(/最早可在 \d{4}-\d{2}-\d{2} 续借/);
    expect(account.holds.length).toBeGreaterThan(0);

    const renewed = await request(
      '/api/v1/me/renewals',
      jar,
      post({ items: [renewable.itemBarcode, early.itemBarcode] }),
    );
    expect(renewed.status).toBe(200);
    const outcomes = (await renewed.json()) as {
      outcomes: Array<{
        ok: boolean;
        itemBarcode: string;
        code?: string;
        dueAt?: string;
        reason?: string;
      }>;
    };
    const first = outcomes.outcomes.find((o) => o.itemBarcode === renewable.itemBarcode)!;
    const second = outcomes.outcomes.find((o) => o.itemBarcode === early.itemBarcode)!;
    expect(first.ok).toBe(true);
    expect(Date.parse(first.dueAt!)).toBeGreaterThan(Date.parse(renewable.dueAt));
    expect(second).toMatchObject({ ok: false, code: 'TOO_EARLY' });
    expect(JSON.stringify(second)).toMatch(/还未到可续借时间/);

    // The account shows the new due date at once (the cache was refreshed by the action).
    const after = (await (await request('/api/v1/me/account', jar)).json()) as {
      loans: Loan[];
    };
    expect(after.loans.find((l) => l.itemBarcode === renewable.itemBarcode)!.dueAt).toBe(
      first.dueAt,
    );

    const ecard = await request('/api/v1/me/ecard.svg', jar);
    expect(ecard.status).toBe(200);
    expect(ecard.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await ecard.text()).toContain('20260001');
  });

  it('tells a reader in English that another reader holds the book', async () => {
    const jar = await signIn(`o-demo-${dialect}-2`);
    expect(
      (await request('/api/v1/me/binding', jar, post({ barcode: '20260003', password: DEMO_PIN })))
        .status,
    ).toBe(201);
    await request('/api/v1/me/locale', jar, {
      method: 'PUT',
      body: JSON.stringify({ locale: 'en' }),
    });
    const account = (await (await request('/api/v1/me/account', jar)).json()) as {
      loans: Loan[];
    };
    const held = account.loans.find((l) => l.renewBlockedBy === 'ITEM_HAS_HOLD_FOR_OTHER')!;
    expect(held).toBeDefined();
    const renewed = await request('/api/v1/me/renewals', jar, post({ items: [held.itemBarcode] }));
    const body = JSON.stringify(await renewed.json());
    expect(body).toContain('ITEM_HAS_HOLD_FOR_OTHER');
    expect(body).toMatch(/Another reader has placed a hold/);
  });

  it('places a hold on a title out on loan, shows its place in the queue, and cancels it', async () => {
    const jar = await signIn(`o-demo-${dialect}-3`);
    expect(
      (await request('/api/v1/me/binding', jar, post({ barcode: '20260004', password: DEMO_PIN })))
        .status,
    ).toBe(201);
    // A record whose every copy is on loan to someone else: a held loan of reader 20260003.
    const other = await t.shulin.services.ils.connector.account({ barcode: '20260003' });
    const target = other.loans.find((l) => l.recordId)!;
    const pickups = (await (await request('/api/v1/pickup-locations', jar)).json()) as {
      locations: Array<{ code: string }>;
    };
    const placed = await request(
      '/api/v1/me/holds',
      jar,
      post({ recordId: target.recordId, pickupBranch: pickups.locations[0]!.code }),
    );
    const body = (await placed.json()) as { hold?: { id: string; queuePosition: number | null } };
    expect([200, 201]).toContain(placed.status);
    expect(body.hold!.queuePosition).toBeGreaterThanOrEqual(1);
    const cancelled = await request(`/api/v1/me/holds/${encodeURIComponent(body.hold!.id)}`, jar, {
      method: 'DELETE',
      headers: { origin: ORIGIN },
    });
    expect(cancelled.status).toBe(204);
    const holds = (await (await request('/api/v1/me/account', jar)).json()) as {
      holds: Array<{ id: string }>;
    };
    expect(holds.holds.map((h) => h.id)).not.toContain(body.hold!.id);
  });
});
