import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { FeedbackRepository, type FeedbackTables } from './repository.ts';
import { FeedbackService, REPLY_WINDOW_MS } from './service.ts';

const T0 = 1_774_000_000_000;

describe.each(dialects)('reader feedback on %s', (dialect) => {
  let tdb: TestDatabase;
  let service: FeedbackService;
  let now = T0;
  beforeEach(async () => {
    now = T0;
    tdb = await createTestDatabase(dialect);
    service = new FeedbackService({
      repository: new FeedbackRepository(tablesOf<FeedbackTables>(tdb.database.db)),
      clock: { now: () => now },
    });
  });
  afterEach(async () => {
    await tdb.cleanup();
  });

  it('keeps one conversation per reader with its messages and the reply window', async () => {
    const first = await service.record({
      openid: 'o1',
      barcode: null,
      kind: 'text',
      body: '空调太冷',
      msgId: '1',
    });
    expect(first.conversation).toMatchObject({
      openid: 'o1',
      messages: 1,
      repliedAt: null,
      awaitingReply: true,
      replyBy: T0 + REPLY_WINDOW_MS,
    });
    now += 60_000;
    const second = await service.record({
      openid: 'o1',
      barcode: '20260001',
      kind: 'image',
      body: null,
      mediaId: 'm1',
      picUrl: 'http://p/1',
    });
    expect(second.conversation).toMatchObject({
      id: first.conversation.id,
      messages: 2,
      barcode: '20260001',
      lastInboundAt: T0 + 60_000,
      replyBy: T0 + 60_000 + REPLY_WINDOW_MS,
    });
    await service.record({ openid: 'o2', barcode: null, kind: 'text', body: '你好' });

    now += 60_000;
    expect((await service.recordReply('o1', '已调高温度'))?.direction).toBe('out');
    expect(await service.recordReply('nobody', 'x')).toBeNull();
    const thread = (await service.conversation('o1'))!;
    expect(thread.conversation).toMatchObject({
      messages: 3,
      repliedAt: T0 + 120_000,
      awaitingReply: false,
    });
    expect(thread.messages.map((m) => [m.direction, m.kind, m.body, m.mediaId])).toEqual([
      ['in', 'text', '空调太冷', null],
      ['in', 'image', null, 'm1'],
      ['out', 'text', '已调高温度', null],
    ]);
    expect((await service.awaitingReply()).map((c) => c.openid)).toEqual(['o2']);

    now += 60_000;
    await service.record({ openid: 'o1', barcode: null, kind: 'text', body: '谢谢' });
    expect((await service.awaitingReply()).map((c) => c.openid)).toEqual(['o2', 'o1']);
    expect((await service.conversation('o1'))?.conversation.barcode).toBe('20260001');
  });
});
