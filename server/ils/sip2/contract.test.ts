import { pino } from 'pino';
import { describe } from 'vitest';
import { dialects } from '../../../test/support/databases.ts';
import { describeIlsContract } from '../contract.ts';
import { localTime } from '../embedded/calendar.ts';
import { EmbeddedConnector } from '../embedded/connector.ts';
import { PIN, TZ, createIlsFixture } from '../embedded/fixture.test-util.ts';
import { connectorAcsHandler } from './acs-handler.ts';
import type { Sip2Charset } from './charset.ts';
import { Sip2Connector } from './connector.ts';
import { Sip2Server } from './server.ts';

/**
 * The SIP2 connector passes the same contract as the embedded ILS, against a real peer:
 * Shulin's own SIP2 server in front of the embedded ILS, on loopback, in the character
 * sets Chinese libraries use.
 */
const variants: ReadonlyArray<{ charset: Sip2Charset; errorDetection: boolean }> = [
  { charset: 'utf-8', errorDetection: false },
  { charset: 'gbk', errorDetection: true },
];

describe.each(dialects)('the SIP2 connector on %s', (dialect) => {
  for (const { charset, errorDetection } of variants) {
    describeIlsContract(
      `sip2 (${charset}, error detection ${errorDetection ? 'on' : 'off'}, ${dialect})`,
      async () => {
        const f = await createIlsFixture(dialect);
        await f.ils.checkout('BOB', 'DREAM-1');
        await f.ils.checkout('BOB', '3BODY-1');
        await f.ils.checkout('CAROL', 'SICP-1');
        await f.ils.checkout('CAROL', 'SICP-2');
        await f.ils.placeHold('CAROL', { recordId: 'R-3BODY', pickupBranch: 'MAIN' });
        f.clock.set(localTime('2027-01-03', TZ, '09:00'));

        const logger = pino({ level: 'silent' });
        const server = new Sip2Server({
          handler: connectorAcsHandler({
            connector: new EmbeddedConnector(f.ils),
            institutionId: 'SHULIN',
            logger,
            clock: f.clock,
          }),
          logger,
          timezone: TZ,
          charset,
          errorDetection,
          credentials: { user: 'sc', password: 'sc-secret' },
        });
        const port = await server.listen();
        const connector = await Sip2Connector.open(
          {
            host: '127.0.0.1',
            port,
            tls: false,
            tlsCa: undefined,
            user: 'sc',
            password: 'sc-secret',
            location: 'MAIN',
            institution: 'SHULIN',
            charset,
            checksum: 'bytes',
            errorDetection,
            terminator: 'cr',
            timeoutMs: 5000,
            poolSize: 2,
          },
          { logger, timezone: TZ, clock: f.clock },
        );
        return {
          connector,
          patron: { barcode: 'BOB', password: PIN, name: 'Bob Smith' },
          renewableItem: 'DREAM-1',
          refusedItem: { barcode: '3BODY-1', code: 'ITEM_HAS_HOLD_FOR_OTHER' },
          chineseTitle: '红楼梦',
          holdable: { recordId: 'R-SICP' },
          pickupBranch: 'MAIN',
          knownItem: { barcode: 'SHELF-1', title: '书架上的书' },
          unknownItem: 'NO-SUCH-ITEM',
          cleanup: async () => {
            await connector.close();
            await server.close();
            await f.cleanup();
          },
        };
      },
    );
  }
});
