import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTime } from '../embedded/calendar.ts';
import { EmbeddedConnector } from '../embedded/connector.ts';
import { PIN, TZ, createIlsFixture, type IlsFixture } from '../embedded/fixture.test-util.ts';
import { connectorAcsHandler } from './acs-handler.ts';
import type { Sip2AcsHandler, Sip2Session } from './server.ts';

const session: Sip2Session = { id: 1, remoteAddress: '127.0.0.1', user: 'sc' };

describe('the ACS over a connector', () => {
  let f: IlsFixture;
  let handler: Sip2AcsHandler;
  let authentications: number;

  beforeEach(async () => {
    f = await createIlsFixture('sqlite');
    await f.ils.checkout('BOB', 'DREAM-1');
    f.clock.set(localTime('2027-01-03', TZ, '09:00'));
    const connector = new EmbeddedConnector(f.ils);
    authentications = 0;
    const authenticate = connector.authenticate.bind(connector);
    connector.authenticate = (barcode, password) => {
      authentications++;
      return authenticate(barcode, password);
    };
    handler = connectorAcsHandler({
      connector,
      institutionId: 'SHULIN',
      logger: pino({ level: 'silent' }),
      clock: f.clock,
    });
  });
  afterEach(async () => {
    await f.cleanup();
  });

  const renew = (patronPassword?: string) =>
    handler.renew(
      {
        thirdPartyAllowed: false,
        noBlock: false,
        institutionId: 'SHULIN',
        patronId: 'BOB',
        itemId: 'DREAM-1',
        ...(patronPassword !== undefined ? { patronPassword } : {}),
      },
      session,
    );

  it('refuses a renewal sent with a wrong patron password, and renews nothing', async () => {
    const before = (await f.ils.account('BOB')).loans[0]!.dueAt;
    const refused = await renew('wrong');
    expect(refused).toMatchObject({ ok: false, screenMessages: ['证号或密码不正确。'] });
    expect((await f.ils.account('BOB')).loans[0]!.dueAt).toBe(before);
    expect(await renew(PIN)).toMatchObject({ ok: true, renewalOk: true });
  });

  it('renews without a password when the SC sends none (the SC vouches for the patron)', async () => {
    expect(await renew()).toMatchObject({ ok: true });
  });

  it('checks a right password once for a while, not on every message', async () => {
    const info = () =>
      handler.patronInformation(
        { summary: 'charged', institutionId: 'SHULIN', patronId: 'BOB', patronPassword: PIN },
        session,
      );
    const first = await info();
    expect(first).toMatchObject({ validPatron: true, validPatronPassword: true });
    expect(first.chargedItems).toEqual(['DREAM-1']);
    await info();
    await renew(PIN);
    expect(authentications).toBe(1);
    f.clock.set(localTime('2027-01-03', TZ, '09:10'));
    await info();
    expect(authentications).toBe(2);
  });

  it('tells an unknown patron from a wrong password', async () => {
    const unknown = await handler.patronInformation(
      { summary: null, institutionId: 'SHULIN', patronId: 'NOBODY', patronPassword: 'x' },
      session,
    );
    expect(unknown).toMatchObject({ validPatron: false });
    const wrong = await handler.patronInformation(
      { summary: null, institutionId: 'SHULIN', patronId: 'BOB', patronPassword: 'x' },
      session,
    );
    expect(wrong).toMatchObject({ validPatron: true, validPatronPassword: false });
  });
});
