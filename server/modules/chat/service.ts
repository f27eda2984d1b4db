/**
 * The conversation: what the library's Official Account answers to each thing a reader
 * does in the chat window. Each method takes the reader's openid and what they sent, and
 * returns the reply in the reader's language; the handlers (handlers.ts) only route pushes
 * here. Slow answers (a slow ILS) need nothing special: the gateway sends whatever misses
 * WeChat's deadline as a customer-service message.
 */
import type { Logger } from 'pino';
import { localeOf, t, type Locale, type MessageKey } from '../../i18n/index.ts';
import type { LibraryCalendar, DayHours } from '../../ils/embedded/calendar.ts';
import { localDate } from '../../ils/embedded/calendar.ts';
import type { BranchDetail } from '../../ils/embedded/service.ts';
import { IlsRefusal, IlsUnavailableError } from '../../ils/errors.ts';
import { refusalText } from '../../ils/texts.ts';
import type { Hold, IlsConnector, Loan, RenewOutcome } from '../../ils/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Kv } from '../../platform/kv/types.ts';
import { findIsbns, normalizeIsbn } from '../../platform/text/isbn.ts';
import { foldWidth } from '../../platform/text/normalize.ts';
import type { Reply } from '../../wechat/replies.ts';
import type { AccountService, BindingService, Binding } from '../accounts/index.ts';
import { AccountsError } from '../accounts/index.ts';
import type { AutoReplyRule, AutoReplyService } from '../auto-replies/index.ts';
import type { CatalogService, HitView } from '../catalog/service.ts';
import type { FeedbackService } from '../feedback/index.ts';
import type { SuggestionService } from '../suggestions/index.ts';
import { clipText, fitList, textLink } from './fit.ts';
import { nearest } from './geo.ts';
import { looksLikeMessage, parseIntent, type Intent } from './intents.ts';
import { READER_PAGE, readerPageUrl } from './links.ts';

export interface ChatServiceDeps {
  readonly catalog: Pick<CatalogService, 'search' | 'record'>;
  readonly bindings: Pick<BindingService, 'bindingFor' | 'readerFor' | 'setLocale' | 'unbind'>;
  readonly accounts: Pick<AccountService, 'account' | 'renew' | 'renewAll'>;
  readonly connector: Pick<IlsConnector, 'itemInfo' | 'capabilities'>;
  /** Branches, their coordinates and the calendar: the embedded ILS keeps them whatever the connector. */
  readonly library: {
    branches(): Promise<BranchDetail[]>;
    calendar(): Promise<LibraryCalendar>;
  };
  readonly autoReplies: Pick<AutoReplyService, 'match'>;
  readonly suggestions: Pick<SuggestionService, 'suggest'>;
  readonly feedback: Pick<FeedbackService, 'record'>;
  readonly kv: Kv;
  readonly clock: Clock;
  /** `config.timezone`: due dates and opening hours are the library's local time. */
  readonly timezone: string;
  /** Absolute base of the reader pages: `config.publicUrl`, else where the demo runs. */
  readonly baseUrl: string;
  readonly logger: Logger;
}

/** A message a reader sent that may end up as feedback. */
export interface InboundMeta {
  readonly msgId?: string;
  /** `voice` when the text is WeChat's transcript of a voice message. */
  readonly kind?: 'text' | 'voice';
}

/** Search hits shown in the chat; the rest are a link away. */
const SEARCH_HITS = 3;
/** Loans and holds listed before "and N more". */
const LIST_ITEMS = 8;
/** An unbound reader's language choice is kept this long. */
const LOCALE_TTL_MS = 365 * 86_400_000;

interface Visit {
  readonly openid: string;
  readonly binding: Binding | null;
  readonly locale: Locale;
}

const localeKey = (openid: string) => `chat:locale:${openid}`;
const colon = (locale: Locale) => (locale === 'en' ? ': ' : '：');
const text = (content: string): Reply => ({ type: 'text', content: clipText(content) });
const foldTitle = (title: string) =>
  foldWidth(title)
    .toLowerCase()
    .replace(/[\p{P}\s]+/gu, '');

/**
 * @example
 * const chat = new ChatService({ catalog, bindings, accounts, connector, library, autoReplies,
 *   suggestions, feedback, kv, clock, timezone, baseUrl, logger });
 * await chat.text('o_reader', '三体'); // → { type: 'text', content: '找到 1 条与“三体”相关的结果：…' }
 */
export class ChatService {
  readonly #deps: ChatServiceDeps;
  readonly #dateFormat: Intl.DateTimeFormat;

  constructor(deps: ChatServiceDeps) {
    this.#deps = deps;
    this.#dateFormat = new Intl.DateTimeFormat('sv-SE', {
      timeZone: deps.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  /** The reader's language: their choice on the binding, else the one kept for the openid. */
  async localeFor(openid: string, binding?: Binding | null): Promise<Locale> {
    const known = binding === undefined ? await this.#deps.bindings.bindingFor(openid) : binding;
    if (known?.locale) return localeOf(known.locale);
    return localeOf(await this.#deps.kv.get(localeKey(openid)));
  }

  /** A text message (or a voice transcript): auto-replies first, then the intents. */
  async text(openid: string, content: string, meta: InboundMeta = {}): Promise<Reply> {
    const visit = await this.#visit(openid);
    const rule = await this.#deps.autoReplies.match(content);
    if (rule) return this.#autoReply(rule);
    const intent = parseIntent(content);
    return this.#guard(visit, () => this.#answer(visit, intent, content, meta));
  }

  /** A voice message WeChat could not transcribe. */
  async voiceUnrecognized(openid: string): Promise<Reply> {
    const { locale } = await this.#visit(openid);
    return text(t(locale, 'chat.voice.unrecognized'));
  }

  /** 我的借阅: the loans with due dates, or the binding link. */
  async loans(openid: string): Promise<Reply> {
    const visit = await this.#visit(openid);
    return this.#guard(visit, () => this.#loans(visit));
  }

  /** 开馆时间: today and the coming week per branch. */
  async hours(openid: string): Promise<Reply> {
    const visit = await this.#visit(openid);
    return text(await this.#hours(visit.locale));
  }

  /** 扫码查书: the scanned ISBN's record and availability (or an item barcode's status). */
  async scanSearch(openid: string, code: string): Promise<Reply> {
    const visit = await this.#visit(openid);
    return this.#guard(visit, async () => {
      const isbn = normalizeIsbn(code) ?? findIsbns(code)[0] ?? null;
      if (isbn) return text(await this.#book(visit, isbn.isbn13));
      return text(await this.#item(visit, code));
    });
  }

  /** 扫码续借: the reader's loan of the scanned item (barcode, or ISBN among their loans) renewed. */
  async scanRenew(openid: string, code: string): Promise<Reply> {
    const visit = await this.#visit(openid);
    return this.#guard(visit, () => this.#renewScanned(visit, code.trim()));
  }

  /** 扫码荐购: "we have it" with availability, or a purchase suggestion recorded. */
  async scanRecommend(openid: string, code: string): Promise<Reply> {
    const visit = await this.#visit(openid);
    const isbn = normalizeIsbn(code) ?? findIsbns(code)[0] ?? null;
    if (!isbn) return text(t(visit.locale, 'chat.scan.notIsbn'));
    return this.#guard(visit, () => this.#recommend(visit, isbn.isbn13));
  }

  /** A scan button pressed without a scan result (a plain click with that key). */
  async scanHint(openid: string, renew: boolean): Promise<Reply> {
    const { locale } = await this.#visit(openid);
    return text(t(locale, renew ? 'chat.renew.scanHint' : 'chat.scan.notIsbn'));
  }

  /** A location message: the nearest branch, its distance and today's hours. */
  async location(openid: string, latitude: number, longitude: number): Promise<Reply> {
    const { locale } = await this.#visit(openid);
    const branches = await this.#deps.library.branches();
    const found = nearest({ latitude, longitude }, branches);
    if (!found) return text(t(locale, 'chat.location.none'));
    const calendar = await this.#deps.library.calendar();
    const day = calendar.hours(found.place.code, this.#today());
    return text(
      t(locale, 'chat.location.nearest', {
        branch: this.#branchName(found.place, locale),
        distance: this.#distance(found.metres, locale),
        address: found.place.address ?? '—',
        hours: this.#dayText(day, locale),
      }),
    );
  }

  /**
   * A follow: a welcome listing what the account does, with the binding link; through a
   * binding QR code (`qrscene_bind:<desk>`), the binding flow itself.
   */
  async welcome(openid: string, bindDesk?: { desk: string | null }): Promise<Reply> {
    const visit = await this.#visit(openid);
    if (bindDesk) return this.bindFlow(openid, bindDesk.desk);
    const { locale, binding } = visit;
    const greeting = binding
      ? t(locale, 'chat.welcome.bound', { name: binding.patronName ?? binding.barcode })
      : '';
    const bindLine = binding ? '' : t(locale, 'chat.bind.prompt', { link: this.#bindLink(locale) });
    return text([greeting, t(locale, 'chat.welcome'), bindLine].filter(Boolean).join('\n'));
  }

  /** The binding flow started at a service desk's QR code: the bind page, the desk carried along. */
  async bindFlow(openid: string, desk: string | null): Promise<Reply> {
    const { locale } = await this.#visit(openid);
    return text(t(locale, 'chat.bind.desk', { link: this.#bindLink(locale, desk) }));
  }

  /** Images and anything else the account cannot answer: kept as feedback and acknowledged. */
  async feedback(
    openid: string,
    message: {
      kind: string;
      body: string | null;
      mediaId?: string | null;
      picUrl?: string | null;
      msgId?: string | null;
    },
  ): Promise<Reply> {
    const visit = await this.#visit(openid);
    return this.#feedback(visit, message);
  }

  // ------------------------------------------------------------------ intents

  async #answer(visit: Visit, intent: Intent, content: string, meta: InboundMeta): Promise<Reply> {
    const { locale } = visit;
    switch (intent.kind) {
      case 'empty':
      case 'help':
        return text(t(locale, 'chat.help'));
      case 'language':
        return this.#setLanguage(visit, intent.locale);
      case 'recommend':
        return intent.isbn13
          ? this.#recommend(visit, intent.isbn13)
          : text(t(locale, 'chat.recommend.hint'));
      case 'isbn':
        return text(await this.#book(visit, intent.isbn13));
      case 'loans':
        return this.#loans(visit);
      case 'renew':
        return this.#renewAll(visit);
      case 'holds':
        return this.#holds(visit);
      case 'hours':
        return text(await this.#hours(locale));
      case 'bind':
        return text(
          visit.binding
            ? t(locale, 'chat.bind.already', {
                barcode: visit.binding.barcode,
                link: this.#bindLink(locale),
              })
            : t(locale, 'chat.bind.prompt', { link: this.#bindLink(locale) }),
        );
      case 'unbind': {
        if (!visit.binding) return text(t(locale, 'chat.unbind.notBound'));
        await this.#deps.bindings.unbind(visit.openid);
        return text(t(locale, 'chat.unbind.done', { barcode: visit.binding.barcode }));
      }
      case 'search':
        return this.#search(visit, intent.q, content, meta);
    }
  }

  async #visit(openid: string): Promise<Visit> {
    const binding = await this.#deps.bindings.bindingFor(openid);
    return { openid, binding, locale: await this.localeFor(openid, binding) };
  }

  async #setLanguage(visit: Visit, locale: Locale): Promise<Reply> {
    await this.#deps.kv.set(localeKey(visit.openid), locale, { ttlMs: LOCALE_TTL_MS });
    if (visit.binding) await this.#deps.bindings.setLocale(visit.openid, locale);
    return text(t(locale, 'chat.language.set'));
  }

  #autoReply(rule: AutoReplyRule): Reply {
    const reply = rule.reply;
    if (reply.type === 'text') return text(reply.content);
    return {
      type: 'news',
      articles: [
        {
          title: reply.title,
          ...(reply.description ? { description: reply.description } : {}),
          ...(reply.url ? { url: reply.url } : {}),
          ...(reply.picUrl ? { picUrl: reply.picUrl } : {}),
        },
      ],
    };
  }

  /** Readers are told what went wrong in their words; faults the gateway does not see. */
  async #guard(visit: Visit, run: () => Promise<Reply>): Promise<Reply> {
    const { locale } = visit;
    try {
      return await run();
    } catch (error) {
      if (error instanceof IlsUnavailableError) {
        return text(refusalText(locale, 'ILS_UNAVAILABLE'));
      }
      if (error instanceof IlsRefusal) {
        const ils = error.ilsMessage && error.code === 'ILS_REFUSED' ? ` ${error.ilsMessage}` : '';
        return text(refusalText(locale, error.code) + ils);
      }
      if (error instanceof AccountsError) {
        if (error.code === 'NOT_BOUND' || error.code === 'UNAUTHENTICATED') {
          return text(t(locale, 'chat.bind.prompt', { link: this.#bindLink(locale) }));
        }
        const key = `accounts.${error.code}` as MessageKey;
        const sentence = t(locale, key, error.params);
        return text(
          error.code === 'REBIND_REQUIRED' ? `${sentence}\n${this.#bindLink(locale)}` : sentence,
        );
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------ the catalogue

  async #search(visit: Visit, q: string, original: string, meta: InboundMeta): Promise<Reply> {
    const { locale } = visit;
    const catalog = this.#deps.catalog;
    let result = await catalog.search({ q, limit: SEARCH_HITS, facets: false });
    let header = t(locale, 'chat.search.header', { total: result.total, q });
    let shownQuery = q;
    if (result.total === 0 && result.suggestion) {
      const suggestion = result.suggestion;
      result = await catalog.search({ q: suggestion, limit: SEARCH_HITS, facets: false });
      header = t(locale, 'chat.search.didYouMean', { q, suggestion });
      shownQuery = suggestion;
    }
    if (result.total === 0) {
      // A sentence that finds nothing is a message to the library, not a search.
      if (looksLikeMessage(original)) {
        return this.#feedback(visit, {
          kind: meta.kind ?? 'text',
          body: original,
          msgId: meta.msgId ?? null,
        });
      }
      return text(t(locale, 'chat.search.none', { q }));
    }
    const items = result.hits.map(
      (hit, i) =>
        `${i + 1}. ${this.#title(hit.title, locale)}${hit.authors[0] ? ` ${hit.authors[0]}` : ''}` +
        `${hit.year ? ` ${hit.year}` : ''}\n   ${this.#availability(hit.items, locale)}`,
    );
    const link = textLink(
      this.#url(READER_PAGE.search(shownQuery)),
      t(locale, 'chat.link.allResults', { total: result.total }),
    );
    return text(fitList({ head: [header], items, tail: [link] }));
  }

  /** The record an ISBN leads to, with availability; "not held" with the offer to recommend. */
  async #book(visit: Visit, isbn13: string): Promise<string> {
    const { locale } = visit;
    const hit = await this.#held(isbn13);
    if (!hit) return t(locale, 'chat.isbn.notHeld', { isbn: isbn13 });
    return this.#bookCard(hit, locale);
  }

  /** The catalogue's record for an ISBN when the library holds copies of it. */
  async #held(isbn13: string): Promise<HitView | null> {
    const result = await this.#deps.catalog.search({
      q: `isbn:${isbn13}`,
      limit: 5,
      facets: false,
    });
    return result.hits.find((hit) => hit.items.total > 0) ?? null;
  }

  async #bookCard(hit: HitView, locale: Locale): Promise<string> {
    const lines = [this.#title(hit.title, locale)];
    const by = [
      hit.authors.slice(0, 3).join(locale === 'en' ? '; ' : '，'),
      hit.publisher,
      hit.year,
    ]
      .filter(Boolean)
      .join(' · ');
    if (by) lines.push(by);
    if (hit.callNumber)
      lines.push(t(locale, 'chat.book.callNumber', { callNumber: hit.callNumber }));
    lines.push(
      t(locale, 'chat.book.holdings', { availability: this.#availability(hit.items, locale) }),
    );
    const stored = await this.#deps.catalog.record(hit.id);
    if (stored && stored.items.length > 0) {
      const branches = await this.#deps.library.branches();
      const byBranch = new Map<string, { total: number; available: number }>();
      for (const item of stored.items) {
        const name = this.#branchLabel(item.branch, branches, locale);
        const counts = byBranch.get(name) ?? { total: 0, available: 0 };
        counts.total++;
        if (item.status === 'available') counts.available++;
        byBranch.set(name, counts);
      }
      for (const [name, counts] of byBranch) {
        lines.push(`  ${name}${colon(locale)}${this.#availability(counts, locale)}`);
      }
    }
    lines.push(textLink(this.#url(READER_PAGE.record(hit.id)), t(locale, 'chat.link.details')));
    return lines.join('\n');
  }

  /** A scanned code that is not an ISBN: an item barcode, as the ILS knows it. */
  async #item(visit: Visit, code: string): Promise<string> {
    const { locale } = visit;
    const connector = this.#deps.connector;
    const barcode = code.trim();
    if (!barcode || barcode.length > 64 || !connector.capabilities.has('itemInfo')) {
      return t(locale, 'chat.scan.notIsbn');
    }
    const item = await connector.itemInfo(barcode);
    if (!item || !item.title) return t(locale, 'chat.scan.notIsbn');
    const status =
      item.status === 'available' || item.status === 'checked-out'
        ? t(locale, `chat.itemStatus.${item.status}`)
        : t(locale, 'chat.itemStatus.other');
    return t(locale, 'chat.scan.item', {
      title: item.title,
      barcode: item.barcode,
      status,
    });
  }

  async #recommend(visit: Visit, isbn13: string): Promise<Reply> {
    const { locale } = visit;
    const hit = await this.#held(isbn13);
    if (hit) {
      return text(`${t(locale, 'chat.recommend.held')}\n${await this.#bookCard(hit, locale)}`);
    }
    // A record without copies still tells the title (a record kept for an order, an e-book).
    const known = (
      await this.#deps.catalog.search({ q: `isbn:${isbn13}`, limit: 1, facets: false })
    ).hits[0];
    const outcome = await this.#deps.suggestions.suggest({
      isbn: isbn13,
      openid: visit.openid,
      barcode: visit.binding?.barcode ?? null,
      title: known?.title ?? null,
      author: known?.authors[0] ?? null,
      publisher: known?.publisher ?? null,
    });
    const { suggestion } = outcome;
    const book = suggestion.title
      ? t(locale, 'chat.recommend.book', {
          title: suggestion.title,
          isbn: isbn13,
        })
      : t(locale, 'chat.recommend.isbnOnly', { isbn: isbn13 });
    if (outcome.created) return text(t(locale, 'chat.recommend.thanks', { book }));
    const count = suggestion.supporters;
    return text(
      outcome.added
        ? t(locale, 'chat.recommend.supported', { book, count })
        : t(locale, 'chat.recommend.already', { book, count }),
    );
  }

  // ------------------------------------------------------------------ the account

  async #reader(visit: Visit) {
    if (!visit.binding) throw new AccountsError('NOT_BOUND');
    return this.#deps.bindings.readerFor({ openid: visit.openid });
  }

  async #loans(visit: Visit): Promise<Reply> {
    const { locale } = visit;
    const reader = await this.#reader(visit);
    const { account } = await this.#deps.accounts.account(reader);
    const name = account.patron.name || visit.binding?.patronName || reader.barcode;
    if (account.loans.length === 0) return text(t(locale, 'chat.loans.none', { name }));
    const loans = [...account.loans].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    const accountLink = textLink(this.#url(READER_PAGE.account), t(locale, 'chat.link.account'));
    return text(
      fitList({
        head: [t(locale, 'chat.loans.header', { name, count: loans.length })],
        items: loans.map((loan, i) => this.#loanLine(loan, i, locale)),
        maxItems: LIST_ITEMS,
        more: (count) => t(locale, 'chat.loans.more', { count, link: accountLink }),
        tail: [t(locale, 'chat.loans.footer')],
      }),
    );
  }

  #loanLine(loan: Loan, index: number, locale: Locale): string {
    return t(locale, 'chat.loans.item', {
      index: index + 1,
      title: loan.title,
      due: this.#day(loan.dueAt),
      overdue: loan.overdue ? t(locale, 'chat.loans.overdue') : '',
    });
  }

  async #holds(visit: Visit): Promise<Reply> {
    const { locale } = visit;
    const reader = await this.#reader(visit);
    const { account } = await this.#deps.accounts.account(reader);
    if (account.holds.length === 0) return text(t(locale, 'chat.holds.none'));
    const accountLink = textLink(this.#url(READER_PAGE.account), t(locale, 'chat.link.account'));
    return text(
      fitList({
        head: [t(locale, 'chat.holds.header', { count: account.holds.length })],
        items: account.holds.map((hold, i) =>
          t(locale, 'chat.holds.item', {
            index: i + 1,
            title: hold.title,
            status: this.#holdStatus(hold, locale),
          }),
        ),
        maxItems: LIST_ITEMS,
        more: (count) => t(locale, 'chat.loans.more', { count, link: accountLink }),
      }),
    );
  }

  #holdStatus(hold: Hold, locale: Locale): string {
    switch (hold.status) {
      case 'awaiting-pickup': {
        const branch = hold.pickupBranch
          ? locale === 'en'
            ? (hold.pickupBranch.nameEn ?? hold.pickupBranch.name)
            : hold.pickupBranch.name
          : '—';
        return hold.pickupBy
          ? t(locale, 'chat.holds.ready', { branch, date: this.#day(hold.pickupBy) })
          : t(locale, 'chat.holds.readyNoDate', { branch });
      }
      case 'in-transit':
        return t(locale, 'chat.holds.inTransit');
      case 'not-yet-filled':
        return hold.queuePosition
          ? t(locale, 'chat.holds.position', { position: hold.queuePosition })
          : t(locale, 'chat.holds.queued');
    }
  }

  async #renewAll(visit: Visit): Promise<Reply> {
    const { locale } = visit;
    const reader = await this.#reader(visit);
    const { account } = await this.#deps.accounts.account(reader);
    if (account.loans.length === 0) return text(t(locale, 'chat.renew.none'));
    const outcomes = await this.#deps.accounts.renewAll(reader);
    return text(this.#renewals(outcomes, account.loans, locale));
  }

  async #renewScanned(visit: Visit, code: string): Promise<Reply> {
    const { locale } = visit;
    const reader = await this.#reader(visit);
    const { account } = await this.#deps.accounts.account(reader);
    const wanted = code.toUpperCase();
    let matches = account.loans.filter((loan) => loan.itemBarcode.toUpperCase() === wanted);
    const isbn = matches.length === 0 ? (normalizeIsbn(code) ?? findIsbns(code)[0]) : undefined;
    if (isbn) {
      const { hits } = await this.#deps.catalog.search({
        q: `isbn:${isbn.isbn13}`,
        limit: 10,
        facets: false,
      });
      const records = new Set(hits.map((hit) => hit.controlNumber));
      // Over SIP2 a loan may not name its record: then the title has to do.
      const titles = new Set(hits.map((hit) => foldTitle(hit.title)));
      matches = account.loans.filter((loan) =>
        loan.recordId ? records.has(loan.recordId) : titles.has(foldTitle(loan.title)),
      );
    }
    if (matches.length === 0) return text(t(locale, 'chat.renew.notOnLoan', { code }));
    const outcomes = await this.#deps.accounts.renew(
      reader,
      matches.map((loan) => loan.itemBarcode),
    );
    return text(this.#renewals(outcomes, account.loans, locale));
  }

  #renewals(outcomes: readonly RenewOutcome[], loans: readonly Loan[], locale: Locale): string {
    const titleOf = (o: RenewOutcome) =>
      o.title ?? loans.find((loan) => loan.itemBarcode === o.itemBarcode)?.title ?? o.itemBarcode;
    const lines = outcomes.map((o) =>
      o.ok
        ? t(locale, 'chat.renew.ok', { title: titleOf(o), due: this.#day(o.dueAt) })
        : t(locale, 'chat.renew.refused', {
            title: titleOf(o),
            reason:
              refusalText(locale, o.code, { earliest: this.#day(o.earliest) }) +
              (o.code === 'ILS_REFUSED' && o.message ? ` ${o.message}` : ''),
          }),
    );
    return fitList({ head: [t(locale, 'chat.renew.header')], items: lines });
  }

  // ------------------------------------------------------------------ the library

  async #hours(locale: Locale): Promise<string> {
    const branches = await this.#deps.library.branches();
    if (branches.length === 0) return t(locale, 'chat.hours.none');
    const calendar = await this.#deps.library.calendar();
    const today = this.#today();
    const head = [t(locale, 'chat.hours.today', { date: this.#dateLabel(today, locale) })];
    const todayLines = branches.map(
      (b) =>
        `${this.#branchName(b, locale)}${colon(locale)}${this.#dayText(calendar.hours(b.code, today), locale)}`,
    );
    const weekBlocks = branches.map((b) => {
      const spans = this.#spans(calendar.week(b.code, today));
      return [
        this.#branchName(b, locale),
        ...spans.map((span) => {
          const from = this.#dateLabel(span.from.date, locale);
          const range =
            span.to.date === span.from.date
              ? from
              : `${from} – ${this.#dateLabel(span.to.date, locale)}`;
          return `  ${range}${colon(locale)}${this.#dayText(span.from, locale)}`;
        }),
      ].join('\n');
    });
    return fitList({
      head: [...head, ...todayLines, '', t(locale, 'chat.hours.week')],
      items: weekBlocks,
    });
  }

  /** Consecutive days with the same hours, as one span. */
  #spans(days: readonly DayHours[]): Array<{ from: DayHours; to: DayHours }> {
    const spans: Array<{ from: DayHours; to: DayHours }> = [];
    for (const day of days) {
      const last = spans[spans.length - 1];
      if (
        last &&
        last.to.open === day.open &&
        last.to.opens === day.opens &&
        last.to.closes === day.closes &&
        last.to.note === day.note
      ) {
        last.to = day;
      } else {
        spans.push({ from: day, to: day });
      }
    }
    return spans;
  }

  #dayText(day: DayHours, locale: Locale): string {
    const note = locale === 'en' ? (day.noteEn ?? day.note) : day.note;
    if (!day.open) {
      return note ? t(locale, 'chat.hours.closedNote', { note }) : t(locale, 'chat.hours.closed');
    }
    const hours = day.opens && day.closes ? `${day.opens}–${day.closes}` : '—';
    return note ? hours + t(locale, 'chat.hours.note', { note }) : hours;
  }

  #dateLabel(date: string, locale: Locale): string {
    const weekday = t(
      locale,
      `chat.weekday.${new Date(`${date}T00:00:00Z`).getUTCDay()}` as MessageKey,
    );
    const monthDay = date.slice(5);
    return locale === 'en' ? `${weekday} ${monthDay}` : `${monthDay} ${weekday}`;
  }

  #distance(metres: number, locale: Locale): string {
    return metres < 1000
      ? t(locale, 'chat.distance.m', { value: Math.max(10, Math.round(metres / 10) * 10) })
      : t(locale, 'chat.distance.km', { value: (metres / 1000).toFixed(1) });
  }

  #branchName(branch: BranchDetail, locale: Locale): string {
    return locale === 'en' ? (branch.nameEn ?? branch.name) : branch.name;
  }

  /** An item's branch (a code or a name, as the catalogue has it) in the reader's language. */
  #branchLabel(value: string | null, branches: readonly BranchDetail[], locale: Locale): string {
    if (!value) return '—';
    const branch = branches.find((b) => b.code === value || b.name === value || b.nameEn === value);
    return branch ? this.#branchName(branch, locale) : value;
  }

  // ------------------------------------------------------------------ feedback

  async #feedback(
    visit: Visit,
    message: {
      kind: string;
      body: string | null;
      mediaId?: string | null;
      picUrl?: string | null;
      msgId?: string | null;
    },
  ): Promise<Reply> {
    const { conversation } = await this.#deps.feedback.record({
      openid: visit.openid,
      barcode: visit.binding?.barcode ?? null,
      ...message,
    });
    this.#deps.logger.info(
      { openid: visit.openid, kind: message.kind, conversation: conversation.id },
      'reader feedback recorded',
    );
    return text(t(visit.locale, 'chat.feedback.received'));
  }

  // ------------------------------------------------------------------ presentation

  #availability(items: { total: number; available: number }, locale: Locale): string {
    if (items.total === 0) return t(locale, 'chat.availability.noItems');
    if (items.available === 0) return t(locale, 'chat.availability.none');
    return t(locale, 'chat.availability.some', items);
  }

  #title(title: string, locale: Locale): string {
    return locale === 'en' ? title : `《${title}》`;
  }

  #today(): string {
    return localDate(this.#deps.clock.now(), this.#deps.timezone);
  }

  #day(iso: string | null | undefined): string {
    const time = iso ? Date.parse(iso) : NaN;
    return Number.isFinite(time) ? this.#dateFormat.format(time) : '';
  }

  #url(page: string): string {
    return readerPageUrl(this.#deps.baseUrl, page);
  }

  #bindLink(locale: Locale, desk?: string | null): string {
    return textLink(this.#url(READER_PAGE.bind(desk)), t(locale, 'chat.link.bind'));
  }
}
