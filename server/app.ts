/**
 * The composition root. `buildApp(config, overrides)` builds everything Shulin
 * is made of (database, kv, jobs, the WeChat client and gateway, the modules and
 * their routes) and returns it unstarted; the CLI and the tests call the same
 * function. Nothing here is a global: two apps in one process share nothing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { except } from 'hono/combine';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { migrations } from './migrations/index.ts';
import { MessageLogRepository, type MessageLogTables } from './modules/message-log/repository.ts';
import { MessageLogWriter } from './modules/message-log/writer.ts';
import { CatalogRepository, type CatalogTables } from './modules/catalog/repository.ts';
import { seedDemoCatalogue } from './modules/catalog/demo.ts';
import { catalogRoutes } from './modules/catalog/routes.ts';
import { catalogAnalyzer } from './modules/catalog/search/analyzer.ts';
import { CatalogIndex } from './modules/catalog/search/engine.ts';
import { CatalogService } from './modules/catalog/service.ts';
import type { HarvestOptions } from './modules/catalog/oai/harvest.ts';
import { HarvestRepository, type HarvestTables } from './modules/catalog/oai/repository.ts';
import { OaiHarvestSchedule } from './modules/catalog/oai/schedule.ts';
import { createAccounts, type Accounts } from './modules/accounts/index.ts';
import { seedDemoIls } from './ils/embedded/demo.ts';
import { openIls, type Ils } from './ils/index.ts';
import type { IlsConnector } from './ils/types.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { openDatabase, tablesOf, type Database } from './platform/db/index.ts';
import { withDatabaseLock } from './platform/db/lock.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { HttpProblem, problemResponse } from './platform/http/problem.ts';
import { BullJobs } from './platform/jobs/bullmq.ts';
import { LocalJobs } from './platform/jobs/local.ts';
import { JobsRepository, type JobsTables } from './platform/jobs/repository.ts';
import type { Jobs } from './platform/jobs/types.ts';
import { createKv, type Kv } from './platform/kv/index.ts';
import { createLogger } from './platform/logger.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { WeChatApiClient } from './wechat/api/client.ts';
import { WeChatGateway } from './wechat/gateway.ts';
import { defineLateReplies } from './wechat/late-replies.ts';
import { MessageRouter } from './wechat/router.ts';
import { isCallbackUrl, wechatNodeHandler } from './wechat/node-handler.ts';
import { wechatRoutes } from './wechat/routes.ts';
import { simulatorRoutes } from './simulator/routes.ts';
import { createConversation, type Conversation } from './modules/chat/index.ts';
import { libraryRoutes, LibraryService } from './modules/library/index.ts';
import { jssdkRoutes, readerPagesRoutes } from './modules/pages/index.ts';

export interface AppOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly metrics?: Metrics;
  readonly database?: Database;
  readonly kv?: Kv;
  readonly jobs?: Jobs;
  /** WeChat's API base URL, e.g. a fake server started by the CLI or a test. */
  readonly wechatApiBase?: string;
  /** Extra handlers for the message pipeline (tests, benchmarks). */
  readonly configureRouter?: (router: MessageRouter) => void;
  /** Options for the in-process job backend. */
  readonly jobsPollMs?: number;
  /**
   * False for processes that only write to the catalogue (`shulin import`); servers
   * pick their records up by polling. Default true.
   */
  readonly catalogIndexing?: boolean;
  /** How often a server looks for catalogue records written elsewhere (ms); 0 disables. */
  readonly catalogRefreshMs?: number;
  /** An ILS connector to use instead of the configured one (tests). */
  readonly ilsConnector?: IlsConnector;
  /** How often waiting holds past their pickup date are expired (ms); 0 disables. */
  readonly holdExpiryMs?: number;
  /** Where the built reader pages are (default: the build of `web/reader`). */
  readonly readerPagesDir?: string;
  /**
   * The OAI_HARVEST_URL harvest's timing (tests): between rounds (default
   * OAI_HARVEST_INTERVAL_MINUTES), before the first (default 10 s), and its HTTP retries.
   */
  readonly oaiHarvest?: {
    readonly intervalMs?: number;
    readonly initialDelayMs?: number;
    readonly http?: HarvestOptions['http'];
  };
}

export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly database: Database;
  readonly kv: Kv;
  readonly jobs: Jobs;
  readonly wechatApi: WeChatApiClient;
  readonly router: MessageRouter;
  readonly gateway: WeChatGateway;
  readonly messageLog: MessageLogRepository;
  readonly catalog: CatalogService;
  readonly ils: Ils;
  readonly accounts: Accounts;
  readonly conversation: Conversation;
}

export interface ShulinApp {
  readonly app: Hono<AppEnv>;
  readonly services: Services;
  readonly fetch: (request: Request) => Response | Promise<Response>;
  /** The node:http listener `serve` uses: the WeChat callback on its fast path, the rest through Hono. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts the background work (the job worker). */
  start(): Promise<void>;
  /** Stops taking work, finishes what is running, flushes logs and closes connections. */
  close(): Promise<void>;
}

export type AppEnv = { Variables: { requestId: string } };

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<ShulinApp> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const metrics = overrides.metrics ?? createMetrics();
  const database = overrides.database ?? openDatabase(config.database.url);
  await migrateToLatest(database, migrations);
  const kv = overrides.kv ?? createKv({ redisUrl: config.redisUrl });
  const jobs: Jobs =
    overrides.jobs ??
    (config.redisUrl
      ? new BullJobs({ redisUrl: config.redisUrl, logger, metrics })
      : new LocalJobs({
          repository: new JobsRepository(tablesOf<JobsTables>(database.db)),
          logger,
          metrics,
          clock,
          ...(overrides.jobsPollMs ? { pollMs: overrides.jobsPollMs } : {}),
        }));

  const wechatApi = new WeChatApiClient({
    appid: config.wechat.appid,
    secret: config.wechat.secret,
    baseUrl: overrides.wechatApiBase ?? config.wechat.apiBase,
    // A fake WeChat (demo mode, tests) plays the OAuth pages too.
    ...(overrides.wechatApiBase ? { oauthBase: overrides.wechatApiBase } : {}),
    kv,
    logger,
    onTokenRefresh: (kind) => metrics.wechatTokenRefreshes.inc({ kind }),
  });

  const catalog = new CatalogService({
    repository: new CatalogRepository(tablesOf<CatalogTables>(database.db), database.sqlite),
    index: new CatalogIndex(catalogAnalyzer),
    logger,
    clock,
    indexing: overrides.catalogIndexing ?? true,
  });

  const ils = await openIls(config, {
    database,
    clock,
    logger,
    // The embedded ILS has written the item's new status to the catalogue: show it now.
    onItemStatusChange: () => catalog.refresh().then(() => undefined),
    ...(overrides.ilsConnector ? { connector: overrides.ilsConnector } : {}),
  });
  const accounts = createAccounts({
    config,
    database,
    kv,
    logger,
    clock,
    connector: ils.connector,
    wechatApi,
  });

  // The server keeps the catalogue current from the ILS's OAI-PMH repository, if one is set.
  const oaiHarvest =
    config.oaiHarvest &&
    new OaiHarvestSchedule(
      {
        catalog,
        harvests: new HarvestRepository(tablesOf<HarvestTables>(database.db)),
        clock,
        database,
        logger,
      },
      {
        url: config.oaiHarvest.url,
        prefix: config.oaiHarvest.prefix,
        set: config.oaiHarvest.set,
        intervalMs: overrides.oaiHarvest?.intervalMs ?? config.oaiHarvest.intervalMinutes * 60_000,
        initialDelayMs: overrides.oaiHarvest?.initialDelayMs ?? 10_000,
        http: overrides.oaiHarvest?.http,
      },
    );

  const messageLog = new MessageLogRepository(
    tablesOf<MessageLogTables>(database.db),
    database.bulk,
  );
  const messageLogWriter = new MessageLogWriter({ repository: messageLog, logger });
  const conversation = createConversation({
    database,
    kv,
    clock,
    logger,
    catalog,
    ils,
    accounts,
    timezone: config.timezone,
    baseUrl: config.publicUrl ?? `http://localhost:${config.port}`,
    publicUrl: config.publicUrl,
    staffToken: config.staffApiToken,
  });
  const router = new MessageRouter();
  // Handlers added by the caller (tests, benchmarks) come first.
  overrides.configureRouter?.(router);
  conversation.configure(router);
  const gateway = new WeChatGateway({
    settings: config.wechat,
    router,
    kv,
    logger,
    clock,
    metrics,
    lateReplies: defineLateReplies({ jobs, api: wechatApi, kv, logger }),
    messageLog: {
      record: (entry) =>
        messageLogWriter.record({
          dedupe_key: entry.dedupeKey,
          openid: entry.openid,
          account: entry.account,
          msg_type: entry.msgType,
          event: entry.event,
          summary: entry.summary,
          mode: entry.mode,
          received_at: entry.receivedAt,
          latency_ms: entry.latencyMs,
          outcome: entry.outcome,
          reply_type: entry.replyType,
          reply_summary: entry.replySummary,
          request_id: entry.requestId,
        }),
    },
  });

  const observe = (info: {
    requestId: string;
    method: string;
    route: string;
    path: string;
    status: number;
    ms: number;
  }) => {
    metrics.httpRequests.inc({
      method: info.method,
      route: info.route,
      status: String(info.status),
    });
    // Each push already has its line in the message log (and refusals a warning), so
    // the access-log line of the busiest route is debug-level.
    const level = info.route === '/wechat' && info.status < 400 ? 'debug' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        requestId: info.requestId,
        method: info.method,
        path: info.path,
        status: info.status,
        ms: Math.round(info.ms * 10) / 10,
      },
      'request',
    );
  };

  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    // Set before the handler runs: a header added to a finished response costs a copy of it.
    c.header('x-request-id', requestId);
    await next();
    observe({
      requestId,
      method: c.req.method,
      route: c.req.routePath || 'unmatched',
      path: c.req.path,
      status: c.res.status,
      ms: performance.now() - started,
    });
  });
  // WeChat's servers read XML, not pages: security headers are for what browsers load.
  app.use('*', except('/wechat', secureHeaders()));
  app.onError((error, c) => {
    if (!(error instanceof HttpProblem)) {
      logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    }
    return problemResponse(c, error);
  });
  app.notFound((c) => problemResponse(c, new HttpProblem(404, 'NOT_FOUND', 'Not found')));

  app.route('/wechat', wechatRoutes({ gateway, maxBodyBytes: config.wechat.maxBodyBytes, logger }));
  app.route('/api/v1', catalogRoutes(catalog));
  app.route('/api/v1', accounts.routes);
  app.route('/api/v1', conversation.routes);
  app.route(
    '/api/v1',
    libraryRoutes(new LibraryService({ ils: ils.embedded, clock, timezone: config.timezone })),
  );
  app.route('/api/v1', jssdkRoutes({ wechatApi, publicUrl: config.publicUrl, logger }));
  app.route(
    '/m',
    readerPagesRoutes({
      logger,
      ...(overrides.readerPagesDir ? { distDir: overrides.readerPagesDir } : {}),
    }),
  );
  app.route(
    '/simulator',
    simulatorRoutes({
      wechat: config.wechat,
      wechatApi,
      wechatApiBase: overrides.wechatApiBase ?? config.wechat.apiBase,
      publicUrl: config.publicUrl,
      setting: config.simulator,
      logger,
    }),
  );

  app.get('/healthz', async (c) => {
    const check = async (probe: () => Promise<void>) => {
      try {
        await probe();
        return { ok: true };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    };
    const ilsCheck = async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ ok: false; connector: string; detail: string }>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, connector: ils.connector.name, detail: 'no answer in 3 s' }),
          3000,
        );
      });
      try {
        return await Promise.race([
          ils.connector.health().catch((error: unknown) => ({
            ok: false,
            connector: ils.connector.name,
            detail: (error as Error).message,
          })),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    };
    const [db, kvCheck, jobsStatus, ilsStatus] = await Promise.all([
      check(() => database.ping()),
      check(() => kv.ping()),
      jobs.status(),
      ilsCheck(),
    ]);
    // A library system that is down degrades the account features, not the service.
    const ok = db.ok && kvCheck.ok && jobsStatus.ok;
    return c.json(
      {
        status: ok ? 'ok' : 'degraded',
        checks: {
          db: { ...db, dialect: database.dialect },
          kv: { ...kvCheck, backend: kv.backend },
          jobs: jobsStatus,
          catalog: { loaded: catalog.loaded, records: catalog.size },
          ils: ilsStatus,
          // A failed harvest leaves the catalogue as it was: reported, not degraded.
          ...(oaiHarvest ? { oaiHarvest: oaiHarvest.status() } : {}),
        },
      },
      ok ? 200 : 503,
    );
  });

  app.get('/metrics', async (c) => {
    await jobs.status(); // refreshes the pending-jobs gauge
    return c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
    });
  });

  app.get('/', (c) =>
    c.html(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>书林 Shulin</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.6">` +
        `<h1>书林 Shulin</h1><p>图书馆微信公众号服务正在运行。<br>The library's WeChat service is running.</p>` +
        `<ul><li>WeChat callback URL: <code>/wechat</code></li><li><a href="/healthz">/healthz</a></li><li><a href="/metrics">/metrics</a></li></ul></body></html>`,
    ),
  );

  const services: Services = {
    config,
    logger,
    clock,
    metrics,
    database,
    kv,
    jobs,
    wechatApi,
    router,
    gateway,
    messageLog,
    catalog,
    ils,
    accounts,
    conversation,
  };

  const honoListener = getRequestListener(app.fetch);
  const callback = wechatNodeHandler({
    gateway,
    maxBodyBytes: config.wechat.maxBodyBytes,
    logger,
    observe: (info) => observe({ ...info, route: '/wechat', path: '/wechat' }),
  });
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (isCallbackUrl(req.url)) callback(req, res);
    else void honoListener(req, res);
  };

  let closed = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let holdTimer: NodeJS.Timeout | undefined;
  let started = false;
  return {
    app,
    services,
    listener,
    fetch: (request) => app.fetch(request),
    async start() {
      if (started) return;
      started = true;
      await catalog.load();
      if (config.demo) {
        // Instances starting together on one database seed it once, one after the other.
        await withDatabaseLock(database, 'shulin-demo-seed', async () => {
          await seedDemoCatalogue(catalog, logger);
          if (ils.connector.name === 'embedded') await seedDemoIls(ils.embedded, logger);
        });
      }
      const holdsEvery = overrides.holdExpiryMs ?? 60_000;
      if (holdsEvery > 0 && ils.connector.name === 'embedded') {
        holdTimer = setInterval(() => {
          ils.embedded
            .expireHolds()
            .catch((error: unknown) => logger.error({ err: error }, 'hold expiry failed'));
        }, holdsEvery);
        holdTimer.unref();
      }
      await ils.startSip2Server();
      const every = overrides.catalogRefreshMs ?? 5000;
      if (every > 0) {
        refreshTimer = setInterval(() => {
          catalog
            .refresh()
            .catch((error: unknown) => logger.error({ err: error }, 'catalogue refresh failed'));
        }, every);
        refreshTimer.unref();
      }
      oaiHarvest?.start();
      await jobs.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(refreshTimer);
      clearInterval(holdTimer);
      await oaiHarvest?.stop();
      await gateway.close();
      await jobs.stop();
      await messageLogWriter.close();
      await ils.close();
      if ('close' in jobs && typeof jobs.close === 'function')
        await (jobs.close as () => Promise<void>)();
      if (!overrides.kv) await kv.close();
      if (!overrides.database) await database.close();
      logger.flush?.();
    },
  };
}
