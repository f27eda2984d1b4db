import { Hono } from 'hono';
import { z } from 'zod';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { CatalogService } from './service.ts';
import type { SearchFilters } from './search/types.ts';
import type { AutocompleteAnswer, NewArrivalsAnswer, RecordView, SearchAnswer } from './types.ts';

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .optional();

const searchQuery = z.object({
  q: z.string().max(500).default(''),
  sort: z.enum(['relevance', 'year', 'year-asc', 'title', 'added']).default('relevance'),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  facets: z.enum(['true', 'false']).default('true'),
  materialType: list,
  language: list,
  branch: list,
  subject: list,
  clc: list,
  yearFrom: z.coerce.number().int().min(0).max(3000).optional(),
  yearTo: z.coerce.number().int().min(0).max(3000).optional(),
  available: z.enum(['true', 'false']).optional(),
});

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new HttpProblem(400, 'INVALID_QUERY', 'Invalid query parameters', {
      errors: result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}

/**
 * `/api/v1/search`, `/api/v1/records/:id`, `/api/v1/autocomplete`,
 * `/api/v1/new-arrivals`: validate, one service call, present. What each answers is typed
 * in `types.ts`, which the reader pages import.
 */
export function catalogRoutes(catalog: CatalogService) {
  const routes = new Hono();

  routes.get('/search', async (c) => {
    const query = parse(searchQuery, c.req.query());
    const filters: SearchFilters = {
      ...(query.materialType ? { materialType: query.materialType } : {}),
      ...(query.language ? { language: query.language } : {}),
      ...(query.branch ? { branch: query.branch } : {}),
      ...(query.subject ? { subject: query.subject } : {}),
      ...(query.clc ? { clc: query.clc } : {}),
      ...(query.yearFrom !== undefined ? { yearFrom: query.yearFrom } : {}),
      ...(query.yearTo !== undefined ? { yearTo: query.yearTo } : {}),
      ...(query.available ? { available: query.available === 'true' } : {}),
    };
    const result = await catalog.search({
      q: query.q,
      sort: query.sort,
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
      facets: query.facets === 'true',
      filters,
    });
    const answer: SearchAnswer = { ...result, page: query.page, pageSize: query.pageSize };
    return c.json(answer);
  });

  routes.get('/records/:id', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new HttpProblem(400, 'INVALID_ID', 'Invalid record id');
    const stored = await catalog.record(id);
    if (!stored) throw new HttpProblem(404, 'RECORD_NOT_FOUND', 'No such record');
    const available = stored.items.filter((i) => i.status === 'available').length;
    const view: RecordView = {
      id: stored.id,
      ...stored.record,
      items: stored.items,
      availability: { total: stored.items.length, available },
      addedAt: new Date(stored.addedAt).toISOString(),
      marc: stored.marc,
    };
    return c.json(view);
  });

  routes.get('/autocomplete', (c) => {
    const { q, limit } = parse(
      z.object({
        q: z.string().max(100).default(''),
        limit: z.coerce.number().int().min(1).max(20).default(8),
      }),
      c.req.query(),
    );
    const answer: AutocompleteAnswer = { q, suggestions: catalog.complete(q, limit) };
    return c.json(answer);
  });

  routes.get('/new-arrivals', async (c) => {
    const { limit } = parse(
      z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      c.req.query(),
    );
    const answer: NewArrivalsAnswer = { hits: await catalog.newArrivals(limit) };
    return c.json(answer);
  });

  return routes;
}
