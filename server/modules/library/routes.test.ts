import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { dialects } from '../../../test/support/databases.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { libraryRoutes } from './routes.ts';
import { LibraryService, type LibraryHours } from './service.ts';

// Monday 28 September 2026, 10:00 in Shanghai: National Day (1–7 October) is this week.
const NOW = Date.parse('2026-09-28T02:00:00Z');

describe.each(dialects)('the library hours API on %s', (dialect) => {
  let t: TestApp;
  // The routes on their own, over the test app's database and embedded ILS.
  const api = new Hono();
  api.onError((error, c) => problemResponse(c, error));

  beforeAll(async () => {
    t = await startTestApp({ dialect, overrides: { clock: { now: () => NOW } } });
    const { embedded } = t.shulin.services.ils;
    await embedded.addBranch({ code: 'MAIN', name: '总馆', nameEn: 'Main Library', sortOrder: 1 });
    await embedded.addBranch({
      code: 'MED',
      name: '医学分馆',
      nameEn: 'Medical Library',
      sortOrder: 2,
      pickup: false,
    });
    await embedded.setHours(
      'MAIN',
      [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '08:00', closes: '22:00' })),
    );
    // The medical library keeps no Sunday hours.
    await embedded.setHours(
      'MED',
      [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '08:00', closes: '21:00' })),
    );
    for (let day = 1; day <= 7; day++) {
      await embedded.addClosedDay({
        date: `2026-10-0${day}`,
        note: '国庆节',
        noteEn: 'National Day',
      });
    }
    await embedded.setCalendarException({
      branch: 'MED',
      date: '2026-10-10',
      closed: false,
      opens: '09:00',
      closes: '12:00',
      note: '校庆',
      noteEn: 'University Day',
    });
    const library = new LibraryService({
      ils: embedded,
      clock: { now: () => NOW },
      timezone: t.shulin.services.config.timezone,
    });
    api.route('/api/v1', libraryRoutes(library));
  });
  afterAll(async () => {
    await t?.close();
  });

  const hours = async (query = '') => {
    const res = await api.request(`/api/v1/library/hours${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as LibraryHours;
  };

  it('gives every branch seven days from today, with holidays applied', async () => {
    const body = await hours();
    expect(body.today).toBe('2026-09-28');
    expect(body.from).toBe('2026-09-28');
    expect(body.timezone).toBe('Asia/Shanghai');
    expect(body.branches.map((b) => b.code)).toEqual(['MAIN', 'MED']);
    const main = body.branches[0]!;
    expect(main.days).toHaveLength(7);
    expect(main.days[0]).toMatchObject({
      date: '2026-09-28',
      open: true,
      opens: '08:00',
      closes: '22:00',
    });
    expect(main.days[3]).toMatchObject({
      date: '2026-10-01',
      open: false,
      note: '国庆节',
      noteEn: 'National Day',
    });
    expect(main.openNow).toBe(true);
    expect(body.branches[1]!.pickup).toBe(false);
  });

  it('groups the holidays ahead into spans, for all branches or for one', async () => {
    const body = await hours();
    expect(body.holidays).toEqual([
      {
        from: '2026-10-01',
        to: '2026-10-07',
        closed: true,
        opens: null,
        closes: null,
        note: '国庆节',
        noteEn: 'National Day',
        branches: null,
      },
      {
        from: '2026-10-10',
        to: '2026-10-10',
        closed: false,
        opens: '09:00',
        closes: '12:00',
        note: '校庆',
        noteEn: 'University Day',
        branches: ['MED'],
      },
    ]);
  });

  it('starts the week where asked; a Sunday closes the medical library', async () => {
    const body = await hours('?from=2026-10-11');
    const med = body.branches.find((b) => b.code === 'MED')!;
    expect(med.days[0]).toMatchObject({ date: '2026-10-11', weekday: 0, open: false, note: null });
    expect(body.holidays).toEqual([]);
  });

  it('refuses a date that is not one', async () => {
    for (const from of ['2026-02-30', '28/09/2026', 'today']) {
      const res = await api.request(`/api/v1/library/hours?from=${from}`);
      expect(res.status, from).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('INVALID_QUERY');
    }
  });

  it('lists the branches', async () => {
    const res = await api.request('/api/v1/library/branches');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { branches: { code: string; nameEn: string | null }[] };
    expect(body.branches.map((b) => [b.code, b.nameEn])).toEqual([
      ['MAIN', 'Main Library'],
      ['MED', 'Medical Library'],
    ]);
  });
});
