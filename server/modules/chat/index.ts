/**
 * The Official Account's conversation, composed: auto-replies, purchase suggestions and
 * feedback over the database, the ChatService over the catalogue, the accounts and the
 * library calendar, its handlers on the router, and the staff routes.
 */
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Ils } from '../../ils/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { tablesOf, type Database } from '../../platform/db/index.ts';
import type { Kv } from '../../platform/kv/types.ts';
import type { MessageRouter } from '../../wechat/router.ts';
import type { Accounts } from '../accounts/index.ts';
import {
  AutoRepliesRepository,
  AutoReplyService,
  autoReplyRoutes,
  type AutoRepliesTables,
} from '../auto-replies/index.ts';
import type { CatalogService } from '../catalog/service.ts';
import { FeedbackRepository, FeedbackService, type FeedbackTables } from '../feedback/index.ts';
import { feedbackRoutes } from '../feedback/routes.ts';
import {
  SuggestionService,
  SuggestionsRepository,
  type SuggestionsTables,
} from '../suggestions/index.ts';
import { suggestionRoutes } from '../suggestions/routes.ts';
import { configureChat } from './handlers.ts';
import { ChatService } from './service.ts';

export { configureChat } from './handlers.ts';
export { ChatService, type ChatServiceDeps, type InboundMeta } from './service.ts';
export { parseIntent, looksLikeMessage, voiceText, type Intent } from './intents.ts';
export { clipText, fitList, textLink } from './fit.ts';
export { readerPageUrl, READER_PAGE } from './links.ts';
export { haversineMetres, nearest } from './geo.ts';

export interface ConversationDeps {
  readonly database: Database;
  readonly kv: Kv;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly catalog: CatalogService;
  readonly ils: Pick<Ils, 'connector' | 'embedded'>;
  readonly accounts: Pick<Accounts, 'bindings' | 'accounts' | 'sessions'>;
  /** `config.timezone` */
  readonly timezone: string;
  /** Absolute base for links to reader pages: `config.publicUrl`, else the server's own address. */
  readonly baseUrl: string;
  /** Bearer token of the staff API (`/api/v1/auto-replies`); without one it answers 403. */
  readonly staffToken: string | undefined;
  /**
   * `config.publicUrl`: the reader routes accept writes from its origin only; without it,
   * from the request's own host.
   */
  readonly publicUrl?: string | undefined;
}

export interface Conversation {
  readonly chat: ChatService;
  readonly autoReplies: AutoReplyService;
  readonly suggestions: SuggestionService;
  readonly feedback: FeedbackService;
  /**
   * Mount at `/api/v1`: the auto-replies staff API, and the reader's purchase suggestions
   * (`/me/suggestions`) and feedback (`/me/feedback`).
   */
  readonly routes: Hono;
  /** Registers the conversation's handlers on the router. */
  configure(router: MessageRouter): void;
}

/**
 * Builds the conversation for the composition root.
 *
 * @example
 * const conversation = createConversation({ database, kv, clock, logger, catalog, ils, accounts,
 *   timezone: config.timezone, baseUrl: config.publicUrl ?? `http://localhost:${config.port}`,
 *   staffToken: config.staffApiToken });
 * conversation.configure(router);
 * app.route('/api/v1', conversation.routes);
 */
export function createConversation(deps: ConversationDeps): Conversation {
  const { database, clock } = deps;
  const autoReplies = new AutoReplyService({
    repository: new AutoRepliesRepository(tablesOf<AutoRepliesTables>(database.db)),
    clock,
  });
  const suggestions = new SuggestionService({
    repository: new SuggestionsRepository(tablesOf<SuggestionsTables>(database.db)),
    clock,
  });
  const feedback = new FeedbackService({
    repository: new FeedbackRepository(tablesOf<FeedbackTables>(database.db)),
    clock,
  });
  const chat = new ChatService({
    catalog: deps.catalog,
    bindings: deps.accounts.bindings,
    accounts: deps.accounts.accounts,
    connector: deps.ils.connector,
    library: deps.ils.embedded,
    autoReplies,
    suggestions,
    feedback,
    kv: deps.kv,
    clock,
    timezone: deps.timezone,
    baseUrl: deps.baseUrl,
    logger: deps.logger.child({ module: 'chat' }),
  });
  const reader = {
    bindings: deps.accounts.bindings,
    sessions: deps.accounts.sessions,
    publicUrl: deps.publicUrl,
  };
  const routes = new Hono();
  routes.route('/', autoReplyRoutes({ autoReplies, staffToken: deps.staffToken }));
  routes.route('/', suggestionRoutes({ ...reader, suggestions, catalog: deps.catalog }));
  routes.route('/', feedbackRoutes({ ...reader, feedback }));
  return {
    chat,
    autoReplies,
    suggestions,
    feedback,
    routes,
    configure: (router) => {
      configureChat(router, chat);
    },
  };
}
