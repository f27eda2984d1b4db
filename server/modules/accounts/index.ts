/**
 * Readers' accounts in Shulin: the openid ↔ card binding (with its lockout), reader
 * sessions and WeChat OAuth, the account at the ILS behind a short cache, the e-card
 * and the opt-in reading history. `createAccounts` builds the whole module for the
 * composition root.
 */
import type { Logger } from 'pino';
import type { IlsConnector } from '../../ils/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Config } from '../../platform/config.ts';
import { tablesOf, type Database } from '../../platform/db/index.ts';
import type { Kv } from '../../platform/kv/types.ts';
import type { WeChatApiClient } from '../../wechat/api/client.ts';
import { CatalogRepository, type CatalogTables } from '../catalog/repository.ts';
import { AccountService } from './account.ts';
import { BindingService } from './bindings.ts';
import { PasswordSealer } from './crypto.ts';
import { HistoryService } from './history.ts';
import { WeChatOauth } from './oauth.ts';
import { AccountsRepository, type AccountsTables } from './repository.ts';
import { accountRoutes } from './routes.ts';
import { ReaderSessions } from './sessions.ts';
import type { CatalogueTitles } from './titles.ts';

export { AccountService, accountCacheKey, type AccountSnapshot, type Reader } from './account.ts';
export { BindingService, parseBindScene, type BindResult } from './bindings.ts';
export { PasswordSealer, SealError } from './crypto.ts';
export {
  AccountsError,
  BindRefusal,
  ACCOUNTS_ERROR_CODES,
  type AccountsErrorCode,
} from './errors.ts';
export { renderEcard, type Symbology } from './ecard/index.ts';
export { HistoryService } from './history.ts';
export { WeChatOauth, safeNext } from './oauth.ts';
export { AccountsRepository, type AccountsTables, type Binding } from './repository.ts';
export { accountRoutes } from './routes.ts';
export { ReaderSessions, SESSION_COOKIE, type Session, type SessionData } from './sessions.ts';
export type { CatalogueTitles } from './titles.ts';

export interface AccountsDeps {
  readonly config: Pick<Config, 'publicUrl' | 'secret' | 'accounts' | 'timezone' | 'wechat'>;
  readonly database: Database;
  readonly kv: Kv;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly connector: IlsConnector;
  /** Where stand-in titles are looked up; default the catalogue in `database`. */
  readonly catalogue?: CatalogueTitles;
  readonly wechatApi: Pick<
    WeChatApiClient,
    'oauthAuthorizeUrl' | 'exchangeOauthCode' | 'createQrCode'
  >;
  /** Where `routes` will be mounted; default `/api/v1`. */
  readonly basePath?: string;
}

export interface Accounts {
  readonly repository: AccountsRepository;
  readonly bindings: BindingService;
  readonly accounts: AccountService;
  readonly history: HistoryService;
  readonly sessions: ReaderSessions;
  readonly oauth: WeChatOauth;
  /** Mount at `basePath`: `app.route('/api/v1', accounts.routes)`. */
  readonly routes: ReturnType<typeof accountRoutes>;
}

/**
 * Builds the accounts module.
 *
 * @example
 * const accounts = createAccounts({ config, database, kv, logger, clock, connector, wechatApi });
 * app.route('/api/v1', accounts.routes);
 */
export function createAccounts(deps: AccountsDeps): Accounts {
  const { config, kv, logger, clock, connector } = deps;
  const repository = new AccountsRepository(tablesOf<AccountsTables>(deps.database.db));
  const history = new HistoryService({ repository, clock });
  const accounts = new AccountService({
    connector,
    kv,
    history,
    catalogue: deps.catalogue ?? new CatalogRepository(tablesOf<CatalogTables>(deps.database.db)),
    logger,
    clock,
    cacheSeconds: config.accounts.accountCacheSeconds,
  });
  const bindings = new BindingService({
    repository,
    connector,
    accounts,
    kv,
    sealer: new PasswordSealer(config.secret.key),
    clock,
    logger,
    wechatApi: deps.wechatApi,
    maxAttempts: config.accounts.bindMaxAttempts,
    lockoutMinutes: config.accounts.bindLockoutMinutes,
  });
  const sessions = new ReaderSessions({
    kv,
    secret: config.secret.key,
    secure: config.publicUrl?.startsWith('https:') ?? false,
    clock,
  });
  const oauth = new WeChatOauth({ kv, wechatApi: deps.wechatApi, logger });
  const routes = accountRoutes({
    bindings,
    accounts,
    history,
    sessions,
    oauth,
    publicUrl: config.publicUrl,
    ecardSymbology: config.accounts.ecardSymbology,
    timezone: config.timezone,
    fakeWeChat: !config.wechat.configured,
    ...(deps.basePath ? { basePath: deps.basePath } : {}),
  });
  return { repository, bindings, accounts, history, sessions, oauth, routes };
}
