import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/support/app.ts';
import { dialects } from '../../../test/support/databases.ts';
import { signIn, startReaderApp } from './reader.test-util.ts';

// 三体 in the demo library, with copies; the other edition is not held.
const HELD = '9787500071273';
const NOT_HELD = '978-7-5366-9293-0';

describe.each(dialects)('the reader suggestions API on %s', (dialect) => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  const post = (cookie: string, body: unknown, headers: Record<string, string> = {}) =>
    t.request('/api/v1/me/suggestions', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'accept-language': 'en', ...headers },
      body: JSON.stringify(body),
    });
  const mine = async (cookie: string) => {
    const response = await t.request('/api/v1/me/suggestions', { headers: { cookie } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { suggestions: Record<string, unknown>[] }).suggestions;
  };

  beforeAll(async () => {
    t = await startReaderApp(dialect);
    alice = await signIn(t, '20260001');
    bob = await signIn(t, '20260002');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns away readers who are not signed in', async () => {
    const response = await t.request('/api/v1/me/suggestions', {
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: '请先登录或从公众号菜单进入。',
    });
  });

  it('records a suggestion by ISBN once per reader and counts each reader', async () => {
    const first = await post(alice, { isbn: NOT_HELD, note: 'for the SF reading group' });
    expect(first.status).toBe(201);
    const created = (await first.json()) as { created: boolean; suggestion: { id: number } };
    expect(created).toMatchObject({
      created: true,
      added: true,
      suggestion: {
        isbn: '9787536692930',
        status: 'open',
        supporters: 1,
        note: 'for the SF reading group',
      },
    });

    const repeat = await post(alice, { isbn: '7536692935' });
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({
      created: false,
      added: false,
      message: 'You have already suggested this book.',
      suggestion: { id: created.suggestion.id, supporters: 1 },
    });

    const other = await post(bob, { isbn: NOT_HELD });
    expect(other.status).toBe(201);
    expect(await other.json()).toMatchObject({
      created: false,
      added: true,
      suggestion: { id: created.suggestion.id, supporters: 2, note: null },
    });
    expect(await mine(alice)).toMatchObject([{ id: created.suggestion.id, supporters: 2 }]);
  });

  it('answers ALREADY_HELD with the record for a book the library has', async () => {
    const { hits } = await t.shulin.services.catalog.search({ q: `isbn:${HELD}`, facets: false });
    const record = hits.find((h) => h.items.total > 0);
    expect(record).toBeDefined();
    const response = await post(bob, { isbn: HELD }, { 'accept-language': 'zh-CN' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      code: 'ALREADY_HELD',
      recordId: record!.id,
      detail: '图书馆已有这本书，不必荐购。',
    });
    expect((await mine(bob)).map((s) => s.isbn)).not.toContain(HELD);
  });

  it('takes a title alone, refuses a bad ISBN and an empty request, newest first', async () => {
    const byTitle = await post(bob, { title: '  The Dispossessed ', author: 'Ursula K. Le Guin' });
    expect(byTitle.status).toBe(201);
    expect(await byTitle.json()).toMatchObject({
      suggestion: { isbn: null, title: 'The Dispossessed', author: 'Ursula K. Le Guin' },
    });
    // The same book asked for by another reader, spelt a little differently, is the same.
    const again = await post(alice, { title: 'the  dispossessed', author: 'ursula k. le guin' });
    expect(await again.json()).toMatchObject({ created: false, suggestion: { supporters: 2 } });

    const badIsbn = await post(bob, { isbn: '9787536692931' });
    expect(badIsbn.status).toBe(422);
    expect(await badIsbn.json()).toMatchObject({ code: 'INVALID_ISBN' });
    const empty = await post(bob, { note: 'something good' });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'TITLE_OR_ISBN' });

    expect((await mine(bob)).map((s) => s.title)).toEqual(['The Dispossessed', null]);
  });

  it('shows what acquisitions decided', async () => {
    const [latest] = await mine(alice);
    await t.shulin.services.conversation.suggestions.setStatus(Number(latest?.id), 'ordered');
    expect((await mine(alice))[0]).toMatchObject({ id: latest?.id, status: 'ordered' });
  });

  it('refuses writes from another origin', async () => {
    const response = await post(alice, { isbn: NOT_HELD }, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
  });
});
