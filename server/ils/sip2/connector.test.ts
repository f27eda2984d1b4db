import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sip2ClientConfig } from '../../platform/config.ts';
import { IlsConfigError, IlsRefusal, IlsUnavailableError } from '../errors.ts';
import { Sip2Framer } from './codec.ts';
import { Sip2Connector } from './connector.ts';
import { Sip2Server, type Sip2ServerOptions } from './server.ts';
import { INSTITUTION, ScriptedAcs, capturingLogger } from './testing.ts';

const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-03-25T02:00:00Z');
const silent = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ZHANG = { barcode: '1001', password: 's3cr3t-pw' };
const LI = { barcode: '1002', password: 'abcd' };

function config(port: number, overrides: Partial<Sip2ClientConfig> = {}): Sip2ClientConfig {
  return {
    host: '127.0.0.1',
    port,
    tls: false,
    tlsCa: undefined,
    user: 'sc',
    password: 'sc-pw',
    location: 'BR1',
    institution: INSTITUTION,
    charset: 'gbk',
    checksum: 'bytes',
    errorDetection: true,
    terminator: 'cr',
    timeoutMs: 2000,
    poolSize: 3,
    ...overrides,
  };
}

async function setup(
  options: { server?: Partial<Sip2ServerOptions>; config?: Partial<Sip2ClientConfig> } = {},
) {
  const handler = new ScriptedAcs();
  const server = new Sip2Server({
    handler,
    logger: silent,
    timezone: TZ,
    charset: 'gbk',
    errorDetection: true,
    credentials: { user: 'sc', password: 'sc-pw' },
    ...options.server,
  });
  const port = await server.listen();
  cleanups.push(() => server.close());
  const log = capturingLogger();
  const ils = await Sip2Connector.open(config(port, options.config), {
    logger: log.logger,
    timezone: TZ,
    clock: { now: () => NOW },
  });
  cleanups.push(() => ils.close());
  return { handler, server, port, ils, log };
}

async function refusal(promise: Promise<unknown>): Promise<IlsRefusal> {
  const error = await promise.then(
    () => {
      throw new Error('expected an IlsRefusal');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IlsRefusal);
  return error as IlsRefusal;
}

describe('Sip2Connector against a scripted ACS', () => {
  it('authenticates: ok, wrong password, unknown patron', async () => {
    const { ils } = await setup();
    expect(ils.name).toBe('sip2');
    expect(ils.needsPatronPassword).toBe(true);
    expect(await ils.authenticate('1001', 's3cr3t-pw')).toEqual({
      barcode: '1001',
      name: '张三',
      patronType: null,
      email: 'reader@example.edu.cn',
      expiresOn: '2030-06-30',
    });
    const wrong = await refusal(ils.authenticate('1001', 'guess'));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.ilsMessage).toBe('Invalid patron or password');
    expect((await refusal(ils.authenticate('9999', 'x'))).code).toBe('PATRON_NOT_FOUND');
  });

  it('authenticates with 23 when the ACS does not offer 63', async () => {
    const handler = new ScriptedAcs();
    handler.supported = handler.supported.filter((m) => m !== 'patronInformation');
    const server = new Sip2Server({ handler, logger: silent, timezone: TZ });
    const port = await server.listen();
    cleanups.push(() => server.close());
    const ils = await Sip2Connector.open(config(port, { charset: 'utf-8', user: undefined }), {
      logger: silent,
      timezone: TZ,
    });
    cleanups.push(() => ils.close());
    expect(ils.capabilities.has('account')).toBe(false);
    expect((await ils.authenticate('1002', 'abcd')).name).toBe('Li Si');
    expect((await refusal(ils.authenticate('1002', 'nope'))).code).toBe('INVALID_CREDENTIALS');
    expect(handler.calls.patronStatus).toBe(2);
    expect(handler.calls.patronInformation).toBeUndefined();
  });

  it('reads the account: loans with Chinese titles and due dates, holds, fines, messages', async () => {
    const { ils, handler } = await setup();
    const account = await ils.account(ZHANG);
    expect(account.patron).toMatchObject({ barcode: '1001', name: '张三' });
    expect(account.loans).toEqual([
      {
        id: 'B001',
        itemBarcode: 'B001',
        title: '红楼梦',
        callNumber: 'I242.4/C129',
        dueAt: '2026-04-01T15:59:59.000Z',
        overdue: false,
        renewable: null,
      },
      {
        id: 'B002',
        itemBarcode: 'B002',
        title: '三体',
        callNumber: null,
        dueAt: '2026-03-20T15:59:59.000Z',
        overdue: true,
        renewable: null,
      },
    ]);
    expect(account.holds).toEqual([
      expect.objectContaining({
        id: 'B003',
        itemBarcode: 'B003',
        title: '三体Ⅱ：黑暗森林',
        status: 'awaiting-pickup',
      }),
      expect.objectContaining({ id: 'title:rec-7', title: 'rec-7', status: 'not-yet-filled' }),
    ]);
    expect(account.fines).toEqual([
      { id: 'fine-1', amount: 0.5, type: 'overdue', description: '0.50 逾期罚款 红楼梦' },
    ]);
    expect(account.finesTotal).toBe(0.5);
    expect(account.currency).toBe('CNY');
    expect(account.blocks).toEqual([]);
    expect(account.messages).toEqual(['请按时还书']);
    // One 63 per category the ACS lists separately.
    expect(handler.calls.patronInformation).toBe(4);
  });

  it('pages through a long loan list with BP/BQ', async () => {
    const { ils, handler } = await setup();
    const patron = handler.library.patrons.get('1001');
    patron!.loans = ['B001', 'B002', 'B003', 'B004', 'B005'];
    handler.library.items.set('B005', {
      title: '围城',
      status: '04',
      due: new Date('2026-04-10T15:59:59Z'),
      renewRefusal: null,
    });
    handler.pageSize = 2;
    const account = await ils.account(ZHANG);
    expect(account.loans.map((l) => l.itemBarcode)).toEqual([
      'B001',
      'B002',
      'B003',
      'B004',
      'B005',
    ]);
    expect(account.loans[4]).toMatchObject({ title: '围城', dueAt: '2026-04-10T15:59:59.000Z' });
    // 1 + 2 pages of charged items, then holds, unavailable holds and fines.
    expect(handler.calls.patronInformation).toBe(6);
  });

  it('turns patron status flags into blocks, and an expired card into CARD_EXPIRED', async () => {
    const { ils } = await setup();
    const account = await ils.account(LI);
    expect(account.blocks.map((b) => b.code).sort()).toEqual([
      'CARD_EXPIRED',
      'FINES_OVER_LIMIT',
      'RENEWAL_DENIED',
    ]);
    expect(account.finesTotal).toBe(12);
    expect(account.loans).toEqual([]);
    expect((await refusal(ils.account({ barcode: '1001', password: 'old' }))).code).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('renews one item, and reports a refusal with the ILS’s words', async () => {
    const { ils } = await setup();
    const [ok, refused, notMine] = await ils.renew(ZHANG, ['B001', 'B002', 'B004']);
    expect(ok).toEqual({
      ok: true,
      itemBarcode: 'B001',
      title: '红楼梦',
      dueAt: '2026-05-01T15:59:59.000Z',
      message: null,
    });
    expect(refused).toMatchObject({
      ok: false,
      itemBarcode: 'B002',
      title: '三体',
      code: 'RENEWAL_LIMIT_REACHED',
      message: '续借次数已达上限',
    });
    expect(notMine).toMatchObject({ ok: false, code: 'LOAN_NOT_FOUND' });
  });

  it('renews all (65) and fetches the new due dates', async () => {
    const { ils, handler } = await setup();
    const outcomes = await ils.renewAll(ZHANG);
    expect(outcomes).toEqual([
      {
        ok: true,
        itemBarcode: 'B001',
        title: '红楼梦',
        dueAt: '2026-05-01T15:59:59.000Z',
        message: '部分图书续借次数已达上限',
      },
      {
        ok: false,
        itemBarcode: 'B002',
        code: 'RENEWAL_LIMIT_REACHED',
        message: '部分图书续借次数已达上限',
      },
    ]);
    expect(handler.calls.renewAll).toBe(1);
  });

  it('renews all item by item when the ACS has no 65', async () => {
    const handler = new ScriptedAcs();
    handler.supported = handler.supported.filter((m) => m !== 'renewAll');
    const server = new Sip2Server({ handler, logger: silent, timezone: TZ });
    const port = await server.listen();
    cleanups.push(() => server.close());
    const ils = await Sip2Connector.open(config(port, { charset: 'utf-8', user: undefined }), {
      logger: silent,
      timezone: TZ,
    });
    cleanups.push(() => ils.close());
    expect(ils.capabilities.has('renewAll')).toBe(true);
    const outcomes = await ils.renewAll(ZHANG);
    expect(outcomes.map((o) => [o.itemBarcode, o.ok])).toEqual([
      ['B001', true],
      ['B002', false],
    ]);
    expect(handler.calls.renewAll).toBeUndefined();
    expect(handler.calls.renew).toBe(2);
  });

  it('places and cancels holds, title-level and copy-level', async () => {
    const { ils } = await setup();
    const copy = await ils.placeHold(ZHANG, { itemBarcode: 'B004', pickupBranch: '总馆' });
    expect(copy).toMatchObject({
      ok: true,
      hold: {
        id: 'B004',
        itemBarcode: 'B004',
        title: 'Perl 5 desktop reference',
        status: 'not-yet-filled',
        queuePosition: 1,
        pickupBranch: { code: '总馆', name: '总馆' },
      },
    });
    const again = await ils.placeHold(ZHANG, { itemBarcode: 'B004' });
    expect(again).toEqual({
      ok: false,
      code: 'HOLD_ALREADY_PLACED',
      message: 'Patron already has a hold on this item',
    });
    const title = await ils.placeHold(ZHANG, { recordId: 'rec-42' });
    expect(title).toMatchObject({ ok: true, hold: { id: 'title:rec-42', recordId: 'rec-42' } });
    expect(await ils.cancelHold(ZHANG, 'title:rec-42')).toMatchObject({ ok: true });
    expect(await ils.cancelHold(ZHANG, 'B004')).toMatchObject({ ok: true });
    expect(await ils.cancelHold(ZHANG, 'B004')).toEqual({
      ok: false,
      code: 'HOLD_NOT_FOUND',
      message: 'No such hold',
    });
  });

  it('looks items up: known, on the hold shelf, unknown', async () => {
    const { ils } = await setup();
    expect(await ils.itemInfo('B001')).toEqual({
      barcode: 'B001',
      title: '红楼梦',
      status: 'checked-out',
      dueAt: '2026-04-01T15:59:59.000Z',
      location: '总馆三楼',
      callNumber: 'I242.4/C129',
      holdQueueLength: 0,
    });
    expect((await ils.itemInfo('B003'))?.status).toBe('on-hold-shelf');
    expect(await ils.itemInfo('NOPE')).toBeNull();
  });

  it('checks out and in', async () => {
    const { ils } = await setup();
    expect(await ils.checkout(ZHANG, 'B004')).toEqual({
      ok: true,
      itemBarcode: 'B004',
      title: 'Perl 5 desktop reference',
      dueAt: '2026-04-15T15:59:59.000Z',
      message: null,
    });
    expect(await ils.checkout(ZHANG, 'B004')).toEqual({
      ok: false,
      code: 'ITEM_ALREADY_CHECKED_OUT',
      message: 'Item already checked out',
    });
    expect(await ils.checkin('B004')).toMatchObject({
      ok: true,
      itemBarcode: 'B004',
      holdFor: null,
    });
    expect(await ils.checkin('B004')).toEqual({
      ok: false,
      code: 'ITEM_NOT_CHECKED_OUT',
      message: 'Item not checked out',
    });
  });

  it('has no pickup locations, and capabilities from BX', async () => {
    const { ils } = await setup();
    expect(await ils.pickupLocations()).toEqual([]);
    expect([...ils.capabilities].sort()).toEqual([
      'account',
      'authenticate',
      'cancelHold',
      'checkin',
      'checkout',
      'itemInfo',
      'placeHold',
      'renew',
      'renewAll',
    ]);
    const health = await ils.health();
    expect(health).toMatchObject({ ok: true, connector: 'sip2' });
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('drops capabilities the ACS does not list (holds off, as in many deployments)', async () => {
    const handler = new ScriptedAcs();
    handler.supported = handler.supported.filter((m) => m !== 'hold' && m !== 'checkout');
    const server = new Sip2Server({ handler, logger: silent, timezone: TZ });
    const port = await server.listen();
    cleanups.push(() => server.close());
    const ils = new Sip2Connector(config(port, { charset: 'utf-8', user: undefined }), {
      logger: silent,
      timezone: TZ,
    });
    cleanups.push(() => ils.close());
    // Before the first status everything but pickup locations is assumed.
    expect(ils.capabilities.has('placeHold')).toBe(true);
    expect(ils.capabilities.has('pickupLocations')).toBe(false);
    await ils.health();
    expect(ils.capabilities.has('placeHold')).toBe(false);
    expect(ils.capabilities.has('cancelHold')).toBe(false);
    expect(ils.capabilities.has('checkout')).toBe(false);
    expect(ils.capabilities.has('renew')).toBe(true);
  });

  it('never logs patron passwords', async () => {
    const { ils, log } = await setup();
    await ils.authenticate('1001', 's3cr3t-pw');
    await ils.account(ZHANG);
    await ils.renew(ZHANG, ['B001']);
    expect(log.text()).toContain('AD[redacted]');
    expect(log.text()).not.toContain('s3cr3t-pw');
    expect(log.text()).not.toContain('sc-pw');
  });
});

describe('Sip2Connector when things go wrong', () => {
  it('open() throws IlsConfigError on a refused login', async () => {
    const handler = new ScriptedAcs();
    const server = new Sip2Server({
      handler,
      logger: silent,
      timezone: TZ,
      credentials: { user: 'sc', password: 'right' },
    });
    const port = await server.listen();
    cleanups.push(() => server.close());
    await expect(
      Sip2Connector.open(config(port, { charset: 'utf-8', password: 'wrong' }), {
        logger: silent,
        timezone: TZ,
      }),
    ).rejects.toBeInstanceOf(IlsConfigError);
  });

  it('open() starts anyway when the ILS is unreachable, and works once it is up', async () => {
    const probe = new Sip2Server({ handler: new ScriptedAcs(), logger: silent, timezone: TZ });
    const port = await probe.listen();
    await probe.close();
    const log = capturingLogger();
    const ils = await Sip2Connector.open(
      config(port, { charset: 'utf-8', user: undefined, timeoutMs: 500 }),
      {
        logger: log.logger,
        timezone: TZ,
      },
    );
    cleanups.push(() => ils.close());
    expect(log.lines.some((l) => l.level === 40 && /not reachable at start-up/.test(l.msg))).toBe(
      true,
    );
    expect(await ils.health()).toMatchObject({ ok: false, connector: 'sip2' });
    await expect(ils.authenticate('1001', 's3cr3t-pw')).rejects.toBeInstanceOf(IlsUnavailableError);
    const server = new Sip2Server({
      handler: new ScriptedAcs(),
      logger: silent,
      timezone: TZ,
      port,
    });
    await server.listen();
    cleanups.push(() => server.close());
    expect((await ils.authenticate('1001', 's3cr3t-pw')).name).toBe('张三');
  });

  it('a slow ILS → IlsUnavailableError within the timeout; the next call works', async () => {
    const { ils, handler } = await setup({ config: { timeoutMs: 300 } });
    handler.itemDelayMs = 800;
    const started = Date.now();
    await expect(ils.itemInfo('B001')).rejects.toBeInstanceOf(IlsUnavailableError);
    await expect(ils.account(ZHANG)).rejects.toThrow(/no reply to 17 within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2 * 300 + 2000);
    handler.itemDelayMs = 0;
    expect(await ils.itemInfo('B002')).toMatchObject({ title: '三体' });
  });

  it('an unreadable reply or a failing ACS → IlsUnavailableError', async () => {
    // A peer that answers SC status properly and everything else with a truncated 18.
    const peer = createServer((socket) => {
      const framer = new Sip2Framer();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const frame of framer.push(chunk)) {
          const reply = frame.toString('latin1').startsWith('99')
            ? `98YYYYNN01000320260301    1000002.00AO${INSTITUTION}|BXYYYYYYYYYYYYYYYY|`
            : '1803';
          socket.write(`${reply}\r`);
        }
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => peer.close(() => resolve())));
    const port = (peer.address() as AddressInfo).port;
    const garbled = new Sip2Connector(
      config(port, { charset: 'utf-8', user: undefined, errorDetection: false }),
      { logger: silent, timezone: TZ },
    );
    cleanups.push(() => garbled.close());
    await expect(garbled.itemInfo('B001')).rejects.toThrow(/reply could not be read/);
    await expect(garbled.itemInfo('B001')).rejects.toBeInstanceOf(IlsUnavailableError);

    const { ils, handler } = await setup();
    handler.itemInformation = () => Promise.reject(new Error('database gone'));
    await expect(ils.itemInfo('B001')).rejects.toBeInstanceOf(IlsUnavailableError);
    expect(await ils.placeHold(ZHANG, { itemBarcode: 'B004' })).toMatchObject({ ok: true });
  });
});
