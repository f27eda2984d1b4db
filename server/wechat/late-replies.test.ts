import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { tablesOf } from '../platform/db/index.ts';
import { LocalJobs } from '../platform/jobs/local.ts';
import { JobsRepository, type JobsTables } from '../platform/jobs/repository.ts';
import { MemoryKv } from '../platform/kv/memory.ts';
import { createMetrics } from '../platform/metrics.ts';
import { WeChatApiClient } from './api/client.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from './fake/index.ts';
import { defineLateReplies } from './late-replies.ts';

const APPID = 'wxlate000000000001';
const OPENID = 'oLateReader000000000000000001';

describe('late replies through the customer-service API', () => {
  let fake: RunningFakeWeChatApi;
  let tdb: TestDatabase;
  let jobs: LocalJobs;
  let repository: JobsRepository;
  let lateReplies: ReturnType<typeof defineLateReplies>;

  beforeEach(async () => {
    fake = await startFakeWeChatApi({ accounts: { appid: APPID, secret: 's' } });
    tdb = await createTestDatabase('sqlite');
    const logger = pino({ level: 'silent' });
    const kv = new MemoryKv();
    repository = new JobsRepository(tablesOf<JobsTables>(tdb.database.db));
    jobs = new LocalJobs({
      repository,
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      clock: { now: () => Date.now() },
      pollMs: 10,
    });
    const api = new WeChatApiClient({
      appid: APPID,
      secret: 's',
      baseUrl: fake.url,
      kv,
      retryDelaysMs: [5, 5, 5],
    });
    lateReplies = defineLateReplies({ jobs, api, kv, logger });
    await jobs.start();
  });
  afterEach(async () => {
    await jobs.stop();
    await fake.close();
    await tdb.cleanup();
  });

  it('delivers a reply once, even when queued twice for the same push', async () => {
    const reply = { type: 'text' as const, content: '《三体》在总馆二楼，可借 2 册' };
    await lateReplies.deliver({ openid: OPENID, reply, key: 'msg:1', trigger: 'message' });
    await lateReplies.deliver({ openid: OPENID, reply, key: 'msg:1', trigger: 'message' });
    await jobs.drain();
    expect(fake.state.customMessages).toHaveLength(1);
    expect(fake.state.customMessages[0]).toMatchObject({
      touser: OPENID,
      msgtype: 'text',
      body: { text: { content: reply.content } },
    });
  });

  it('keeps to three messages a minute after a menu event, and does not retry a refused one', async () => {
    for (let i = 1; i <= 4; i++) {
      await lateReplies.deliver({
        openid: OPENID,
        reply: { type: 'text', content: `结果 ${i}` },
        key: `evt:${i}`,
        trigger: 'event',
      });
    }
    await jobs.drain();
    expect(
      fake.state.customMessages.map((m) => (m.body as { text: { content: string } }).text.content),
    ).toEqual(['结果 1', '结果 2', '结果 3']);
    const counts = await repository.counts();
    expect(counts).toMatchObject({ done: 3, failed: 1 });
  });

  it('gives up at once when WeChat says the window is closed, and retries a busy WeChat', async () => {
    fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', errcode: 45015, times: 1 }]);
    await lateReplies.deliver({
      openid: OPENID,
      reply: { type: 'text', content: 'a' },
      key: 'msg:closed',
      trigger: 'message',
    });
    await jobs.drain();
    expect(fake.state.customMessages).toHaveLength(0);
    expect((await repository.counts()).failed).toBe(1);

    fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', errcode: -1, times: 5 }]);
    await lateReplies.deliver({
      openid: OPENID,
      reply: { type: 'text', content: 'b' },
      key: 'msg:busy',
      trigger: 'message',
    });
    await jobs.drain(20_000);
    expect(fake.state.customMessages.map((m) => m.touser)).toEqual([OPENID]);
  });
});
