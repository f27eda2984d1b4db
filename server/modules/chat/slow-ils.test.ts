import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedConnector } from '../../ils/embedded/connector.ts';
import { DEMO_PIN, seedDemoIls } from '../../ils/embedded/demo.ts';
import { connectorAcsHandler } from '../../ils/sip2/acs-handler.ts';
import { Sip2Connector } from '../../ils/sip2/connector.ts';
import { Sip2Server, type Sip2AcsHandler } from '../../ils/sip2/server.ts';
import { startChatApp, type ChatApp } from './harness.test-util.ts';
import { MENU_KEY } from './menu.ts';
import { loopbackSip2Config } from '../../ils/sip2/testing.ts';

/**
 * A library system that takes 6 s to answer: WeChat still gets its answer (`success`)
 * within its 5 s, and the reader gets the loans as a customer-service message once the
 * ILS has answered. The ILS is the demo library's embedded ILS behind Shulin's own SIP2
 * server, whose answers to the reader's account are held back.
 */
const DELAY_MS = 6000;
const TZ = 'Asia/Shanghai';
const silent = pino({ level: 'silent' });

let app: ChatApp;
let server: Sip2Server;
let inner: Sip2AcsHandler | undefined;
let slow = false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Every request goes to the embedded ILS (set once the app has built it); while `slow`,
// the patron's account (63) answers only after DELAY_MS.
const delayed = new Proxy({} as Sip2AcsHandler, {
  get(_, name: keyof Sip2AcsHandler) {
    return async (...args: unknown[]) => {
      if (!inner) throw new Error('the ACS is not ready');
      if (slow && name === 'patronInformation') await sleep(DELAY_MS);
      return (inner[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  },
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

beforeAll(async () => {
  server = new Sip2Server({ handler: delayed, logger: silent, timezone: TZ });
  const port = await server.listen();
  const connector = new Sip2Connector(loopbackSip2Config(port, { timeoutMs: DELAY_MS + 4000 }), {
    logger: silent,
    timezone: TZ,
  });
  app = await startChatApp({
    env: { WECHAT_REPLY_BUDGET_MS: '3000', SECRET_KEY: 'slow-ils-test-secret-key-0123456789' },
    overrides: { ilsConnector: connector },
    // The demo circulation is seeded only for the embedded connector: seed it behind SIP2.
    prepare: async (t) => {
      const { embedded } = t.shulin.services.ils;
      await seedDemoIls(embedded, silent);
      inner = connectorAcsHandler({
        connector: new EmbeddedConnector(embedded),
        institutionId: 'SHULIN',
        logger: silent,
      });
    },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('a library system slower than WeChat waits', () => {
  it('answers WeChat in time and sends the loans as a customer-service message', async () => {
    const openid = 'o-chat-slow-ils';
    await app.t.shulin.services.accounts.bindings.bind({
      openid,
      barcode: '20260001',
      password: DEMO_PIN,
    });
    slow = true;
    try {
      const started = Date.now();
      const answer = await app.click(openid, MENU_KEY.MY_LOANS, 'safe');
      const elapsed = Date.now() - started;
      expect(answer.status).toBe(200);
      expect(answer.none).toBe(true);
      expect(elapsed).toBeLessThan(5000);

      const fake = app.t.fake.state;
      await waitFor(() => fake.customMessages.some((m) => m.touser === openid), DELAY_MS + 8000);
      const sent = fake.customMessages.filter((m) => m.touser === openid);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ msgtype: 'text' });
      const content = (sent[0]!.body as { text: { content: string } }).text.content;
      expect(content).toMatch(/^王小明，您当前借阅 2 册：\n1\. 《.+》\n {3}应还 \d{4}-\d\d-\d\d/);
      // The answer waited for the ILS: it was not made before the ILS answered.
      expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS);
    } finally {
      slow = false;
    }
  }, 30_000);
});
