import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { dialects } from '../../../test/support/databases.ts';
import { EmbeddedConnector } from '../../ils/embedded/connector.ts';
import { DEMO_PIN, seedDemoIls } from '../../ils/embedded/demo.ts';
import { connectorAcsHandler } from '../../ils/sip2/acs-handler.ts';
import { Sip2Connector } from '../../ils/sip2/connector.ts';
import type {
  ItemInformationResponse,
  PatronInformationRequest,
  PatronInformationResponse,
} from '../../ils/sip2/messages.ts';
import { Sip2Server, type Sip2AcsHandler } from '../../ils/sip2/server.ts';
import { CatalogRepository } from '../catalog/repository.ts';
import { inProcessReader, type CookieJar } from './harness.test-util.ts';
import { loopbackSip2Config } from '../../ils/sip2/testing.ts';

/**
 * A reader's holds and loans over SIP2 carry the catalogue's titles. The ILS is the demo
 * library's embedded ILS behind Shulin's own SIP2 server, as a third-party ILS would be:
 * SIP2 lists a title-level hold by its title identifier (the record's control number) and
 * the connector shows that where the title goes. The ACS also lists a hold on a record the
 * catalogue lacks, and withholds one loan's title (an ILS that sends none).
 */
const ORIGIN = 'https://lib.example.edu';
const TZ = 'Asia/Shanghai';
const READER = '20260004';
const UNKNOWN_RECORD = 'ZZ-404';
const silent = pino({ level: 'silent' });

describe.each(dialects)('titles of a SIP2 account on %s', (dialect) => {
  let t: TestApp;
  let server: Sip2Server;
  let inner: Sip2AcsHandler | undefined;
  let embedded: EmbeddedConnector;
  /** Item barcodes whose title the ACS leaves blank. */
  const untitled = new Set<string>();

  // Shulin's ACS with the changes above: an extra title-level hold for READER, blank titles.
  const acs = new Proxy({} as Sip2AcsHandler, {
    get(_, name: keyof Sip2AcsHandler) {
      return async (...args: unknown[]) => {
        if (!inner) throw new Error('the ACS is not ready');
        const answer: unknown = await (inner[name] as (...a: unknown[]) => Promise<unknown>)(
          ...args,
        );
        if (name === 'patronInformation') {
          const request = args[0] as PatronInformationRequest;
          const info = answer as PatronInformationResponse;
          if (request.patronId !== READER || info.validPatron === false) return info;
          return {
            ...info,
            counts: { ...info.counts, unavailableHolds: (info.counts.unavailableHolds ?? 0) + 1 },
            ...(info.unavailableHoldItems
              ? { unavailableHoldItems: [...info.unavailableHoldItems, UNKNOWN_RECORD] }
              : {}),
          };
        }
        if (name === 'itemInformation') {
          const item = answer as ItemInformationResponse;
          return untitled.has(item.itemId) ? { ...item, titleId: '' } : item;
        }
        return answer;
      };
    },
  });

  beforeAll(async () => {
    server = new Sip2Server({ handler: acs, logger: silent, timezone: TZ });
    const port = await server.listen();
    const connector = new Sip2Connector(loopbackSip2Config(port), { logger: silent, timezone: TZ });
    t = await startTestApp({
      dialect,
      env: {
        SHULIN_DEMO: 'on',
        PUBLIC_URL: ORIGIN,
        SECRET_KEY: 'sip2-titles-test-key-0123456789abcd',
      },
      overrides: { ilsConnector: connector },
    });
    // The demo circulation is seeded only for the embedded connector: seed it behind SIP2.
    const ils = t.shulin.services.ils.embedded;
    await seedDemoIls(ils, silent);
    embedded = new EmbeddedConnector(ils);
    inner = connectorAcsHandler({ connector: embedded, institutionId: 'SHULIN', logger: silent });
  }, 60_000);
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  const request = (path: string, jar: CookieJar, init?: RequestInit) =>
    inProcessReader(t, ORIGIN).request(path, jar, init);

  /** A WeChat reader signed in and bound to READER's card. */
  async function signIn(openid: string): Promise<CookieJar> {
    const jar = await inProcessReader(t, ORIGIN).signIn(openid);
    const bound = await request('/api/v1/me/binding', jar, {
      method: 'POST',
      body: JSON.stringify({ barcode: READER, password: DEMO_PIN }),
    });
    expect(bound.status).toBe(201);
    return jar;
  }

  interface AccountBody {
    loans: Array<{ itemBarcode: string; title: string }>;
    holds: Array<{ id: string; title: string; status: string }>;
    cached: boolean;
  }

  it('shows the catalogue title of a title-level hold placed through SIP2, in one look-up', async () => {
    const jar = await signIn(`o-sip2-titles-${dialect}`);
    // A record whose only copy 王小明 has: the hold waits in the queue, listed by title id.
    const lent = (await embedded.account({ barcode: '20260001' })).loans[0]!;
    const placed = await request('/api/v1/me/holds', jar, {
      method: 'POST',
      body: JSON.stringify({ recordId: lent.recordId, pickupBranch: 'MAIN' }),
    });
    expect(placed.status).toBe(201);
    // The one loan of READER comes without a title from the ACS.
    const own = await embedded.account({ barcode: READER });
    const loan = own.loans[0]!;
    untitled.add(loan.itemBarcode);

    // What the connector itself says: the identifiers where the titles go.
    const raw = await t.shulin.services.ils.connector.account({
      barcode: READER,
      password: DEMO_PIN,
    });
    const rawTitles = raw.holds.map((h) => h.title);
    expect(rawTitles).toContain(lent.recordId);
    expect(rawTitles).toContain(UNKNOWN_RECORD);
    expect(raw.loans.map((l) => l.title)).toEqual([loan.itemBarcode]);

    const lookups = vi.spyOn(CatalogRepository.prototype, 'titlesOf');
    const response = await request('/api/v1/me/account', jar);
    expect(response.status).toBe(200);
    const account = (await response.json()) as AccountBody;
    expect(account.cached).toBe(false);

    const placedHold = account.holds.find((h) => h.id === `title:${lent.recordId}`)!;
    expect(placedHold).toMatchObject({ title: lent.title, status: 'not-yet-filled' });
    expect(lent.title).not.toBe(lent.recordId);
    // The demo's own hold of READER (first in a queue) is titled too.
    for (const held of own.holds) {
      expect(account.holds.find((h) => h.id === `title:${held.recordId}`)?.title).toBe(held.title);
    }
    // A record the catalogue lacks keeps the ILS's text.
    expect(account.holds.find((h) => h.id === `title:${UNKNOWN_RECORD}`)?.title).toBe(
      UNKNOWN_RECORD,
    );
    expect(account.loans).toEqual([
      expect.objectContaining({ itemBarcode: loan.itemBarcode, title: loan.title }),
    ]);
    expect(lookups).toHaveBeenCalledTimes(1);

    // The chat and the next page load read the cached account: no look-up again.
    const again = (await (await request('/api/v1/me/account', jar)).json()) as AccountBody;
    expect(again.cached).toBe(true);
    expect(again.holds.find((h) => h.id === `title:${lent.recordId}`)?.title).toBe(lent.title);
    expect(lookups).toHaveBeenCalledTimes(1);
  });
});
