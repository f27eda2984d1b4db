import { Hono } from 'hono';
import { z } from 'zod';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { LibraryService } from './service.ts';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date: YYYY-MM-DD')
  .refine((v) => {
    const parsed = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(v);
  }, 'not a calendar date');

const hoursQuery = z.object({ from: date.optional() });

/**
 * `/api/v1/library/branches` and `/api/v1/library/hours?from=YYYY-MM-DD`: the branches,
 * seven days of opening hours for each, and the holidays ahead. Public (guests and
 * outside researchers read them too) and briefly cacheable.
 *
 * @example
 * app.route('/api/v1', libraryRoutes(new LibraryService({ ils: ils.embedded, clock, timezone })));
 * // GET /api/v1/library/hours → { timezone, today, from, branches: [{ code, days: [...] }], holidays }
 */
export function libraryRoutes(library: LibraryService) {
  const routes = new Hono();

  routes.get('/library/branches', async (c) => {
    const branches = await library.branches();
    c.header('cache-control', 'public, max-age=300');
    return c.json({
      branches: branches.map((b) => ({
        code: b.code,
        name: b.name,
        nameEn: b.nameEn ?? null,
        address: b.address,
        latitude: b.latitude,
        longitude: b.longitude,
        pickup: b.pickup,
      })),
    });
  });

  routes.get('/library/hours', async (c) => {
    const parsed = hoursQuery.safeParse(c.req.query());
    if (!parsed.success) {
      throw new HttpProblem(400, 'INVALID_QUERY', 'Invalid query parameters', {
        errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    }
    // "Open now" changes by the minute; a minute of staleness is harmless.
    c.header('cache-control', 'public, max-age=60');
    return c.json(await library.hours(parsed.data.from));
  });

  return routes;
}
