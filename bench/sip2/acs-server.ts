/**
 * The ACS side of the benchmark, in a process of its own: the embedded ILS on the
 * benchmark's database behind Shulin's SIP2 server (`connectorAcsHandler`), as
 * `SIP2_SERVER_PORT` runs it, on a loopback port of the system's choosing.
 *
 * The renewal repeat window is 0: in the product a renewal repeated within a minute is
 * answered from the first one (double taps), which would turn most benchmark renewals into
 * a lookup. Here every renewal decides and writes.
 *
 * Started by run.ts with fork(); argv[2] is JSON `{ url, searchPath? }`.
 */
import { pino } from 'pino';
import { EmbeddedConnector } from '../../server/ils/embedded/connector.ts';
import type { IlsTables } from '../../server/ils/embedded/repository.ts';
import { EmbeddedIls } from '../../server/ils/embedded/service.ts';
import { connectorAcsHandler } from '../../server/ils/sip2/acs-handler.ts';
import { Sip2Server } from '../../server/ils/sip2/server.ts';
import { openDatabase, tablesOf } from '../../server/platform/db/index.ts';
import { BENCH_INSTITUTION, BENCH_SC, BENCH_TZ } from './library.ts';

const { url, searchPath } = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  searchPath?: string;
};
const logger = pino({ level: 'silent' });
const database = openDatabase(url, searchPath ? { searchPath } : {});
const ils = new EmbeddedIls({
  db: tablesOf<IlsTables>(database.db),
  dialect: database.dialect,
  clock: { now: () => Date.now() },
  timezone: BENCH_TZ,
  logger,
  repeatWindowMs: 0,
});
const server = new Sip2Server({
  handler: connectorAcsHandler({
    connector: new EmbeddedConnector(ils),
    institutionId: BENCH_INSTITUTION,
    libraryName: '书林基准图书馆',
    logger,
  }),
  logger,
  timezone: BENCH_TZ,
  credentials: BENCH_SC,
});
const port = await server.listen();
process.send?.({ ready: true, port });
process.on('message', (message: { stop?: boolean }) => {
  if (!message.stop) return;
  void (async () => {
    await server.close();
    await database.close();
    process.send?.({ stopped: true });
    process.exit(0);
  })();
});
