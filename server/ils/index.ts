/**
 * Opens the ILS the configuration names. The embedded ILS is always built: it is the
 * library's own data (branches, opening hours, the calendar) even when circulation
 * goes to another ILS over SIP2; with `ILS_CONNECTOR=embedded` it is the ILS too.
 */
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import { tablesOf, type Database } from '../platform/db/index.ts';
import { EmbeddedConnector } from './embedded/connector.ts';
import type { IlsTables } from './embedded/repository.ts';
import { EmbeddedIls } from './embedded/service.ts';
import { connectorAcsHandler } from './sip2/acs-handler.ts';
import { Sip2Connector } from './sip2/connector.ts';
import { Sip2Server } from './sip2/server.ts';
import type { IlsConnector, ItemStatus } from './types.ts';

export interface Ils {
  readonly connector: IlsConnector;
  readonly embedded: EmbeddedIls;
  /** Starts the SIP2 server in front of the connector when `SIP2_SERVER_PORT` is set. */
  startSip2Server(): Promise<Sip2Server | undefined>;
  close(): Promise<void>;
}

export interface IlsDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onItemStatusChange?: (barcode: string, status: ItemStatus) => void | Promise<void>;
  /** A connector to use instead of the configured one (tests). */
  readonly connector?: IlsConnector;
}

/**
 * @example
 * const ils = await openIls(config, { database, clock, logger });
 * await ils.connector.account({ barcode: '20260001' });
 */
export async function openIls(config: Config, deps: IlsDeps): Promise<Ils> {
  const logger = deps.logger.child({ module: 'ils' });
  const embedded = new EmbeddedIls({
    db: tablesOf<IlsTables>(deps.database.db),
    dialect: deps.database.dialect,
    clock: deps.clock,
    timezone: config.timezone,
    logger,
    ...(deps.onItemStatusChange ? { onItemStatusChange: deps.onItemStatusChange } : {}),
  });
  const connector: IlsConnector =
    deps.connector ??
    (config.ils.connector === 'sip2' && config.ils.sip2
      ? await Sip2Connector.open(config.ils.sip2, {
          logger,
          timezone: config.timezone,
          clock: deps.clock,
        })
      : new EmbeddedConnector(embedded));
  let server: Sip2Server | undefined;
  return {
    connector,
    embedded,
    async startSip2Server() {
      const settings = config.ils.sip2Server;
      if (!settings || server) return server;
      server = new Sip2Server({
        handler: connectorAcsHandler({
          connector,
          institutionId: config.ils.sip2?.institution ?? 'SHULIN',
          libraryName: 'Shulin',
          logger,
          clock: deps.clock,
        }),
        logger,
        timezone: config.timezone,
        host: settings.host,
        port: settings.port,
        credentials: { user: settings.user, password: settings.password },
      });
      await server.listen();
      return server;
    },
    async close() {
      await server?.close();
      await connector.close();
    },
  };
}
