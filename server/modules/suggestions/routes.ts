import { Hono } from 'hono';
import { z } from 'zod';
import { t } from '../../i18n/index.ts';
import { BodyTooLarge, readBodyLimited } from '../../platform/http/body.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { normalizeIsbn } from '../../platform/text/isbn.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { ReaderSuggestion } from './repository.ts';
import {
  readerContext,
  readerProblem,
  type ReaderContextDeps,
  type RequestReader,
} from '../accounts/reader-context.ts';
import type { SuggestionService } from './service.ts';
import type { SuggestAnswer, SuggestionsAnswer, SuggestionView } from './types.ts';

export interface SuggestionRoutesDeps extends ReaderContextDeps {
  readonly suggestions: Pick<SuggestionService, 'suggest' | 'suggestTitle' | 'mine'>;
  readonly catalog: Pick<CatalogService, 'search'>;
}

const MAX_BODY_BYTES = 16 * 1024;

const suggestionBody = z.object({
  isbn: z.string().trim().max(32).optional(),
  title: z.string().trim().max(300).optional(),
  author: z.string().trim().max(200).optional(),
  note: z.string().trim().max(500).optional(),
});

const present = (s: ReaderSuggestion): SuggestionView => ({
  id: s.id,
  isbn: s.isbn13,
  title: s.title,
  author: s.author,
  publisher: s.publisher,
  status: s.status,
  supporters: s.supporters,
  note: s.note,
  suggestedAt: new Date(s.suggestedAt).toISOString(),
  updatedAt: new Date(s.updatedAt).toISOString(),
});

/**
 * `/api/v1/me/suggestions`: a signed-in reader's purchase suggestions (GET, newest first)
 * and a new one by ISBN or by title (POST). A book the library holds is answered 409
 * `ALREADY_HELD` with its record id; asking again for the same book answers 200 with the
 * suggestion as it stands. What each answers is typed in `types.ts`, which the reader
 * pages import.
 *
 * @example
 * app.route('/api/v1', suggestionRoutes({ suggestions, catalog, bindings, sessions, publicUrl }));
 * // POST /api/v1/me/suggestions {"isbn":"978-7-5366-9293-0"} → 201 { created, suggestion }
 */
export function suggestionRoutes(deps: SuggestionRoutesDeps) {
  const { readerOf, originCheck } = readerContext(deps);
  const routes = new Hono();
  routes.use('/me/suggestions', originCheck);

  const readBody = async (request: Request, reader: RequestReader) => {
    let json: unknown;
    try {
      const text = await readBodyLimited(request, MAX_BODY_BYTES);
      json = text === '' ? {} : JSON.parse(text);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        throw new HttpProblem(413, 'BODY_TOO_LARGE', 'Request body too large');
      }
      json = null;
    }
    const parsed = suggestionBody.safeParse(json);
    if (!parsed.success) {
      throw readerProblem(400, 'INVALID_REQUEST', 'accounts.INVALID_REQUEST', reader.locale, {
        errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    }
    return parsed.data;
  };

  routes.get('/me/suggestions', async (c) => {
    const reader = await readerOf(c);
    const mine = await deps.suggestions.mine(reader.key);
    const answer: SuggestionsAnswer = { suggestions: mine.map(present) };
    return c.json(answer);
  });

  routes.post('/me/suggestions', async (c) => {
    const reader = await readerOf(c);
    const body = await readBody(c.req.raw, reader);
    const common = {
      openid: reader.key,
      barcode: reader.barcode,
      note: body.note ?? null,
    };
    let outcome;
    if (body.isbn) {
      const isbn = normalizeIsbn(body.isbn);
      if (!isbn) {
        throw readerProblem(422, 'INVALID_ISBN', 'requests.INVALID_ISBN', reader.locale);
      }
      const { hits } = await deps.catalog.search({
        q: `isbn:${isbn.isbn13}`,
        limit: 5,
        facets: false,
      });
      const held = hits.find((hit) => hit.items.total > 0);
      if (held) {
        throw readerProblem(409, 'ALREADY_HELD', 'requests.ALREADY_HELD', reader.locale, {
          recordId: held.id,
          title: held.title,
        });
      }
      // A record without copies (on order, an e-book) still tells the title.
      const known = hits[0];
      outcome = await deps.suggestions.suggest({
        ...common,
        isbn: isbn.isbn13,
        title: body.title || known?.title || null,
        author: body.author || known?.authors[0] || null,
        publisher: known?.publisher ?? null,
      });
    } else if (body.title) {
      outcome = await deps.suggestions.suggestTitle({
        ...common,
        title: body.title,
        author: body.author ?? null,
      });
    } else {
      throw readerProblem(400, 'TITLE_OR_ISBN', 'requests.TITLE_OR_ISBN', reader.locale);
    }
    // The reader's own note and time come from their supporter row.
    const mine = (await deps.suggestions.mine(reader.key)).find(
      (s) => s.id === outcome.suggestion.id,
    );
    const suggestion = mine ?? {
      ...outcome.suggestion,
      note: null,
      suggestedAt: outcome.suggestion.updatedAt,
    };
    const answer: SuggestAnswer = {
      created: outcome.created,
      added: outcome.added,
      message: t(reader.locale, outcome.added ? 'requests.THANKS' : 'requests.ALREADY_ASKED'),
      suggestion: present(suggestion),
    };
    return c.json(answer, outcome.added ? 201 : 200);
  });

  return routes;
}
