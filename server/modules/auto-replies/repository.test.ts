import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { AutoRepliesRepository, type AutoRepliesTables } from './repository.ts';
import { AutoReplyService } from './service.ts';

const T0 = 1_774_000_000_000;

describe.each(dialects)('auto-replies on %s', (dialect) => {
  let tdb: TestDatabase;
  let repository: AutoRepliesRepository;
  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    repository = new AutoRepliesRepository(tablesOf<AutoRepliesTables>(tdb.database.db));
  });
  afterEach(async () => {
    await tdb.cleanup();
  });

  it('stores text and article rules and lists them by priority', async () => {
    const text = await repository.create(
      {
        matchType: 'exact',
        pattern: ' wifi ',
        priority: 0,
        reply: { type: 'text', content: '密码见服务台' },
      },
      T0,
    );
    const news = await repository.create(
      {
        matchType: 'regex',
        pattern: '^规则$',
        priority: 3,
        enabled: false,
        reply: {
          type: 'news',
          title: '规则',
          description: null,
          url: 'https://x.cn/r',
          picUrl: null,
        },
      },
      T0 + 1,
    );
    expect(text).toMatchObject({ pattern: 'wifi', enabled: true, createdAt: T0, updatedAt: T0 });
    expect(news.reply).toEqual({
      type: 'news',
      title: '规则',
      description: null,
      url: 'https://x.cn/r',
      picUrl: null,
    });
    expect(news.enabled).toBe(false);
    expect((await repository.list()).map((r) => r.id)).toEqual([news.id, text.id]);

    const updated = await repository.update(
      text.id,
      {
        matchType: 'contains',
        pattern: 'wifi',
        priority: 5,
        reply: { type: 'text', content: '新' },
      },
      T0 + 10,
    );
    expect(updated).toMatchObject({
      matchType: 'contains',
      priority: 5,
      updatedAt: T0 + 10,
      createdAt: T0,
    });
    expect(
      await repository.update(
        9999,
        { matchType: 'exact', pattern: 'x', priority: 0, reply: { type: 'text', content: 'x' } },
        T0,
      ),
    ).toBeNull();
    expect(await repository.delete(text.id)).toBe(true);
    expect(await repository.delete(text.id)).toBe(false);
    expect(await repository.get(text.id)).toBeNull();
  });

  it('serves the service: edits here apply at once, edits elsewhere after the refresh time', async () => {
    let now = T0;
    const clock = { now: () => now };
    const service = new AutoReplyService({ repository, clock, refreshMs: 10_000 });
    const other = new AutoReplyService({ repository, clock, refreshMs: 10_000 });
    expect(await service.match('停车')).toBeNull();
    expect(await other.match('停车')).toBeNull();
    await service.create({
      matchType: 'contains',
      pattern: '停车',
      priority: 0,
      reply: { type: 'text', content: '东门' },
    });
    expect((await service.match('哪里停车'))?.reply).toEqual({ type: 'text', content: '东门' });
    expect(await other.match('哪里停车')).toBeNull();
    now += 10_000;
    expect((await other.match('哪里停车'))?.pattern).toBe('停车');
  });
});
