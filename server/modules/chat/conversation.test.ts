import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../../test/support/databases.ts';
import { DEMO_PIN } from '../../ils/embedded/demo.ts';
import type { Loan } from '../../ils/types.ts';
import { MAX_TEXT_REPLY_BYTES } from '../../wechat/replies.ts';
import {
  BASE_URL,
  STAFF_TOKEN,
  startChatApp,
  type ChatApp,
  type Mode,
} from './harness.test-util.ts';
import { MENU_KEY } from './menu.ts';

/**
 * The Official Account's conversation end to end: signed pushes to the real `/wechat`
 * endpoint of the demo library, in plaintext and in safe mode, answered by the handlers
 * on the real router.
 */
const MODES: Mode[] = ['plain', 'safe'];
const NOT_HELD = '9787020002207';
// A record the demo catalogue has without copies (its title is known, the book is not held).
// A Library of Congress sample record of the demo catalogue: catalogued, no copies.
const RECORD_WITHOUT_COPIES = '9781562827540';
const OAUTH = `${BASE_URL}/api/v1/auth/wechat?next=`;
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const OAUTH_RE = escaped(OAUTH);
const bytes = (s: string | null) => Buffer.byteLength(s ?? '', 'utf8');

let app: ChatApp;
let n = 0;
const reader = (label: string) => `o-chat-${label}-${++n}`;

async function bind(openid: string, barcode: string): Promise<void> {
  await app.t.shulin.services.accounts.bindings.bind({ openid, barcode, password: DEMO_PIN });
}

async function loansOf(barcode: string): Promise<readonly Loan[]> {
  return (await app.t.shulin.services.ils.connector.account({ barcode })).loans;
}

/** The ISBN of a loan's record, through the catalogue. */
async function isbnOf(loan: Loan): Promise<string> {
  const { hits } = await app.t.shulin.services.catalog.search({ q: loan.title, limit: 20 });
  const hit = hits.find((h) => h.controlNumber === loan.recordId);
  expect(hit?.isbns[0], loan.title).toBeDefined();
  return hit!.isbns[0]!;
}

describe.each(dialects)('on %s', (dialect) => {
  beforeAll(async () => {
    app = await startChatApp({ dialect });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  describe.each(MODES)('the conversation in %s mode', (mode) => {
    it('searches the catalogue in Chinese, with availability and a link to all results', async () => {
      const answer = await app.text(reader('zh'), '数据', mode);
      expect(answer.encrypted).toBe(mode === 'safe');
      expect(answer.msgType).toBe('text');
      expect(answer.content).toMatch(/^找到 \d+ 条与“数据”相关的结果：/);
      expect(answer.content).toMatch(/1\. 《[^》]*数据[^》]*》/);
      expect(answer.content).toMatch(/在架 \d+\/\d+|全部借出/);
      expect(answer.content).toContain(
        `<a href="${OAUTH}/m/search%3Fq%3D%25E6%2595%25B0%25E6%258D%25AE">`,
      );
      expect(answer.content!.match(/^\d+\. /gm)).toHaveLength(3);
      expect(bytes(answer.content)).toBeLessThanOrEqual(MAX_TEXT_REPLY_BYTES);
    });

    it('searches in English and in pinyin', async () => {
      const english = await app.text(reader('en'), 'data science', mode);
      expect(english.content).toMatch(/《Data science》/);
      const pinyin = await app.text(reader('py'), 'shuju', mode);
      expect(pinyin.content).toMatch(/^找到 \d+ 条与“shuju”相关的结果：/);
      expect(pinyin.content).toMatch(/《[^》]*数据[^》]*》/);
    });

    it('answers an ISBN anywhere in the text with that book and its copies', async () => {
      const answer = await app.text(reader('isbn'), '请问有 978-0-226-96673-1 这本书吗', mode);
      expect(answer.content).toMatch(/^《Data science》\nPark, Steven/);
      expect(answer.content).toMatch(/馆藏：在架 \d\/\d/);
      expect(answer.content).toMatch(/ {2}总馆：在架 \d\/\d/);
      expect(answer.content).toMatch(
        new RegExp(`<a href="${OAUTH_RE}/m/records/\\d+">查看详情</a>`),
      );
    });

    it('answers a scanned ISBN, and offers a purchase suggestion for a book not held', async () => {
      const openid = reader('scan');
      const held = await app.scan(openid, MENU_KEY.SCAN_SEARCH, '9780226966731', mode);
      expect(held.content).toMatch(/^《Data science》/);
      const missing = await app.scan(openid, MENU_KEY.SCAN_SEARCH, NOT_HELD, mode);
      expect(missing.content).toBe(
        `图书馆暂未收藏 ISBN ${NOT_HELD} 的图书。发送“荐购 ${NOT_HELD}”或点菜单“扫码荐购”，推荐图书馆购买。`,
      );
      const itemBarcode = (await loansOf('20260002'))[0]!.itemBarcode;
      const item = await app.scan(openid, MENU_KEY.SCAN_SEARCH, itemBarcode, mode);
      expect(item.content).toMatch(new RegExp(`（条码 ${itemBarcode}）\\n状态：已借出$`));
    });

    it('lists loans for a bound reader and sends an unbound one to the binding page', async () => {
      const unbound = await app.click(reader('unbound'), MENU_KEY.MY_LOANS, mode);
      expect(unbound.content).toBe(`请先绑定读者证：<a href="${OAUTH}/m/bind">绑定读者证</a>`);
      const openid = reader('loans');
      await bind(openid, '20260002');
      const answer = await app.click(openid, MENU_KEY.MY_LOANS, mode);
      const loans = await loansOf('20260002');
      expect(answer.content).toMatch(new RegExp(`^李思雨，您当前借阅 ${loans.length} 册：`));
      const overdue = loans.find((l) => l.overdue)!;
      const due = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(
        Date.parse(overdue.dueAt),
      );
      expect(answer.content).toContain(`《${overdue.title}》\n   应还 ${due}（已超期）`);
      expect(answer.content).toMatch(/发送“续借”可一键续借。$/);
    });

    it('takes a voice transcript as text, and hints when there is none', async () => {
      const openid = reader('voice');
      await bind(openid, '20260001');
      const voice = await app.push(
        'voice_recognition',
        { Recognition: '我的借阅。', MsgId: { xml: String(8_000_000 + n) } },
        { openid, mode },
      );
      expect(voice.content).toMatch(/^王小明，您当前借阅 \d 册：/);
      const silent = await app.push(
        'voice',
        { MsgId: { xml: String(9_000_000 + n) } },
        { openid, mode },
      );
      expect(silent.content).toBe('抱歉，没有听清您的语音。请再说一遍，或直接发送文字。');
    });

    it('shows opening hours today and for the week, also when asked in a sentence', async () => {
      const answer = await app.click(reader('hours'), MENU_KEY.HOURS, mode);
      expect(answer.content).toMatch(
        /^今天 \d\d-\d\d 周[日一二三四五六] 开放时间：\n总馆：(08:00–22:00|闭馆)/,
      );
      for (const branch of ['理工分馆', '医学分馆'])
        expect(answer.content).toContain(`\n${branch}：`);
      expect(answer.content).toContain('\n近七天：\n总馆\n');
      const asked = await app.text(reader('hours-q'), '你们几点关门？', mode);
      expect(asked.content).toBe(answer.content);
    });

    it('answers a location with the nearest branch and its distance', async () => {
      const answer = await app.push(
        'location',
        {
          Location_X: { xml: '30.2790' },
          Location_Y: { xml: '120.1200' },
          Label: '书林路 66 号附近',
          MsgId: { xml: String(10_000_000 + n) },
        },
        { openid: reader('where'), mode },
      );
      expect(answer.content).toMatch(
        /^离您最近的是理工分馆，约 \d+ 米。\n地址：浙江省杭州市西湖区书林路 66 号 理工楼\n今天：/,
      );
    });

    it('welcomes a follower, starts binding from a desk QR code, and ignores an unfollow', async () => {
      const openid = reader('follow');
      const welcome = await app.push('subscribe', { EventKey: '' }, { openid, mode });
      expect(welcome.content).toMatch(/^欢迎关注图书馆！/);
      expect(welcome.content).toMatch(new RegExp(`请先绑定读者证：<a href="${OAUTH_RE}/m/bind">`));
      const desk = await app.push(
        'subscribe_qrscene',
        { EventKey: 'qrscene_bind:desk-3' },
        { openid: reader('desk'), mode },
      );
      expect(desk.content).toBe(
        `您正在服务台办理读者证绑定，请点击 <a href="${OAUTH}/m/bind%3Fdesk%3Ddesk-3">绑定读者证</a>，输入证号和密码完成绑定。`,
      );
      const scanned = await app.push('SCAN', { EventKey: 'bind:desk-3' }, { openid, mode });
      expect(scanned.content).toBe(desk.content);
      const other = await app.push('SCAN', { EventKey: 'event:42' }, { openid, mode });
      expect(other.none).toBe(true);
      const gone = await app.push('unsubscribe', {}, { openid, mode });
      expect(gone.none).toBe(true);
    });

    it('keeps what it cannot answer, and pictures, as feedback and says so', async () => {
      const openid = reader('feedback');
      const said = await app.text(openid, '三楼自习室的空调太冷了，能调高一点吗？', mode);
      expect(said.content).toBe('已收到您的留言，馆员会尽快回复。');
      const picture = await app.push(
        'image',
        { MsgId: { xml: String(11_000_000 + n) } },
        { openid, mode },
      );
      expect(picture.content).toBe('已收到您的留言，馆员会尽快回复。');
      const kept = await app.conversation.feedback.conversation(openid);
      expect(kept?.conversation).toMatchObject({
        messages: 2,
        awaitingReply: true,
        repliedAt: null,
      });
      expect(kept!.conversation.replyBy - kept!.conversation.lastInboundAt).toBe(48 * 3600_000);
      expect(kept?.messages.map((m) => [m.direction, m.kind, m.body, m.picUrl])).toEqual([
        ['in', 'text', '三楼自习室的空调太冷了，能调高一点吗？', null],
        ['in', 'image', null, 'http://mmbiz.qpic.cn/mmbiz_jpg/abcdef/0'],
      ]);
      // A word that finds nothing is a failed search, not a message.
      const word = await app.text(openid, 'qwxzv', mode);
      expect(word.content).toMatch(/^没有找到与“qwxzv”相关的图书。/);
    });
  });

  describe('renewing by scan', () => {
    it('renews the loan of a scanned ISBN and gives the reason for a refused one', async () => {
      const openid = reader('renew');
      await bind(openid, '20260001');
      const loans = await loansOf('20260001');
      const renewable = loans.find((l) => l.renewable === true)!;
      const early = loans.find((l) => l.renewBlockedBy === 'TOO_EARLY')!;
      const isbn = await isbnOf(renewable);

      const refused = await app.scan(openid, MENU_KEY.SCAN_RENEW, early.itemBarcode, 'safe');
      expect(refused.content).toMatch(
        new RegExp(
          `^续借结果：\\n✗《${early.title}》未能续借：还未到可续借时间，最早可在 \\d{4}-\\d\\d-\\d\\d 续借。$`,
        ),
      );

      const renewed = await app.scan(openid, MENU_KEY.SCAN_RENEW, isbn, 'plain');
      const after = (await loansOf('20260001')).find(
        (l) => l.itemBarcode === renewable.itemBarcode,
      )!;
      expect(Date.parse(after.dueAt)).toBeGreaterThan(Date.parse(renewable.dueAt));
      const due = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(
        Date.parse(after.dueAt),
      );
      expect(renewed.content).toBe(`续借结果：\n✓《${renewable.title}》已续借，应还日期 ${due}`);

      const notMine = await app.scan(openid, MENU_KEY.SCAN_RENEW, NOT_HELD, 'plain');
      expect(notMine.content).toBe(`您的借阅中没有这本书（${NOT_HELD}）。`);
    });

    it('tells an unbound reader to bind first', async () => {
      const answer = await app.scan(reader('renew-unbound'), MENU_KEY.SCAN_RENEW, NOT_HELD);
      expect(answer.content).toMatch(/^请先绑定读者证：<a href=/);
    });
  });

  describe('recommending by scan', () => {
    it('says so when the library holds the book', async () => {
      const answer = await app.scan(reader('rec-held'), MENU_KEY.SCAN_RECOMMEND, '9780226966731');
      expect(answer.content).toMatch(/^图书馆已收藏这本书，无需荐购：\n《Data science》/);
      expect(answer.content).toMatch(/馆藏：在架 \d\/\d/);
      expect(await app.conversation.suggestions.byIsbn('9780226966731')).toBeNull();
    });

    it('records a suggestion once per reader, and more readers add support', async () => {
      const first = reader('rec-1');
      const second = reader('rec-2');
      await bind(second, '20260004');
      const thanks = await app.scan(first, MENU_KEY.SCAN_RECOMMEND, NOT_HELD, 'safe');
      expect(thanks.content).toBe(`感谢您的荐购！已记录 ISBN ${NOT_HELD} 的图书，馆员会尽快处理。`);
      const again = await app.scan(first, MENU_KEY.SCAN_RECOMMEND, NOT_HELD, 'plain');
      expect(again.content).toBe(
        `您已推荐过 ISBN ${NOT_HELD} 的图书（共 1 位读者推荐），馆员会尽快处理。`,
      );
      const support = await app.text(second, `荐购 ${NOT_HELD}`);
      expect(support.content).toBe(
        `感谢您的荐购！ ISBN ${NOT_HELD} 的图书已有 2 位读者推荐，您的推荐已计入。`,
      );
      const stored = await app.conversation.suggestions.byIsbn(NOT_HELD);
      expect(stored).toMatchObject({
        isbn13: NOT_HELD,
        title: null,
        supporters: 2,
        status: 'open',
      });
    });

    it('takes the title from the catalogue when it has a record without copies', async () => {
      const answer = await app.scan(
        reader('rec-known'),
        MENU_KEY.SCAN_RECOMMEND,
        RECORD_WITHOUT_COPIES,
      );
      expect(answer.content).toBe(
        `感谢您的荐购！已记录《The late shift》（ISBN ${RECORD_WITHOUT_COPIES}），馆员会尽快处理。`,
      );
      expect(await app.conversation.suggestions.byIsbn(RECORD_WITHOUT_COPIES)).toMatchObject({
        title: 'The late shift',
        supporters: 1,
      });
    });

    it('asks for an ISBN when the scan or the text has none', async () => {
      const scan = await app.scan(reader('rec-none'), MENU_KEY.SCAN_RECOMMEND, 'ABC-123');
      expect(scan.content).toBe('没有识别出 ISBN，请扫描图书背面以 978 或 979 开头的条码。');
      const typed = await app.text(reader('rec-text'), '荐购');
      expect(typed.content).toMatch(/^请发送“荐购”加图书的 ISBN/);
    });
  });

  describe('the account by keyword', () => {
    it('renews everything, lists holds, binds and unbinds', async () => {
      const openid = reader('kw');
      expect((await app.text(openid, '绑定')).content).toMatch(/^请先绑定读者证：/);
      await bind(openid, '20260001');
      expect((await app.text(openid, '绑定')).content).toMatch(/^您已绑定读者证 20260001。/);
      const holds = await app.text(openid, '预约');
      expect(holds.content).toMatch(/^您的预约 2 条：\n1\. 《/);
      expect(holds.content).toMatch(/已到书，请于 \d{4}-\d\d-\d\d 前到总馆取书|排队第 2 位/);
      const renewed = await app.text(openid, 'renew');
      expect(renewed.content).toMatch(/^续借结果：\n[✓✗]/);
      expect((await app.text(openid, '解绑')).content).toBe('已解除读者证 20260001 的绑定。');
      expect(await app.t.shulin.services.accounts.bindings.bindingFor(openid)).toBeNull();
      expect((await app.text(openid, '帮助')).content).toMatch(/^您可以这样用：/);
    });
  });

  describe('replies in English', () => {
    it('switches an unbound reader, and a bound one on the binding', async () => {
      const openid = reader('english');
      expect((await app.text(openid, 'English')).content).toBe('Replies are now in English.');
      const search = await app.text(openid, 'data science', 'safe');
      expect(search.content).toMatch(
        /^\d+ results for "data science":\n1\. Data science Park, Steven/,
      );
      expect(search.content).toMatch(/\d of \d on the shelf/);
      const hours = await app.click(openid, MENU_KEY.HOURS);
      expect(hours.content).toMatch(
        /^Opening hours today, (Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d\d-\d\d:\nMain Library: /,
      );
      expect((await app.click(openid, MENU_KEY.MY_LOANS)).content).toMatch(
        /^Please link your library card first: <a href="[^"]+\/m\/bind">Link your library card<\/a>$/,
      );

      const bound = reader('english-bound');
      await bind(bound, '20260003');
      await app.text(bound, 'english');
      expect((await app.t.shulin.services.accounts.bindings.bindingFor(bound))?.locale).toBe('en');
      const loans = await app.click(bound, MENU_KEY.MY_LOANS);
      expect(loans.content).toMatch(
        /^Emily Carter, you have 2 loans:\n1\. .+\n {3}due \d{4}-\d\d-\d\d/,
      );
      const renewed = await app.text(bound, '续借');
      expect(renewed.content).toContain(
        'not renewed. Another reader has placed a hold on this item, so it cannot be renewed.',
      );
      expect((await app.text(bound, '中文')).content).toBe('好的，之后用中文回复您。');
      expect((await app.text(bound, '帮助')).content).toMatch(/^您可以这样用：/);
    });
  });

  describe('auto-replies', () => {
    const api = (path: string, init: RequestInit = {}, token: string | null = STAFF_TOKEN) =>
      app.t.request(`/api/v1/auto-replies${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    const create = async (rule: unknown) => {
      const response = await api('', { method: 'POST', body: JSON.stringify(rule) });
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as { id: number };
    };

    it('answers before anything else: exact, contains, regex, by priority', async () => {
      await create({
        matchType: 'exact',
        pattern: 'WiFi',
        reply: { type: 'text', content: '无线网络 SHULIN-FREE，无需密码。' },
      });
      await create({
        matchType: 'contains',
        pattern: '停车',
        reply: { type: 'text', content: '访客车辆请停在东门停车场。' },
      });
      await create({
        matchType: 'regex',
        pattern: '^(借书|还书)规则$',
        reply: {
          type: 'news',
          title: '借阅规则',
          description: '本科生 20 册 30 天',
          url: 'https://lib.example.edu.cn/rules',
        },
      });
      const low = await create({
        matchType: 'contains',
        pattern: '开馆',
        priority: 1,
        reply: { type: 'text', content: '低优先级' },
      });
      await create({
        matchType: 'contains',
        pattern: '国庆开馆',
        priority: 5,
        reply: { type: 'text', content: '国庆期间闭馆七天。' },
      });
      const openid = reader('auto');
      expect((await app.text(openid, 'ｗｉｆｉ')).content).toBe('无线网络 SHULIN-FREE，无需密码。');
      expect((await app.text(openid, 'wifi 密码')).content).not.toBe(
        '无线网络 SHULIN-FREE，无需密码。',
      );
      expect((await app.text(openid, '请问学校可以停车吗', 'safe')).content).toBe(
        '访客车辆请停在东门停车场。',
      );
      const news = await app.text(openid, '还书规则');
      expect(news.msgType).toBe('news');
      expect(news.articles).toEqual([
        { title: '借阅规则', url: 'https://lib.example.edu.cn/rules' },
      ]);
      expect((await app.text(openid, '国庆开馆吗')).content).toBe('国庆期间闭馆七天。');
      expect((await app.text(openid, '开馆')).content).toBe('低优先级');

      // Editing and deleting apply at once.
      const put = await api(`/${low.id}`, {
        method: 'PUT',
        body: JSON.stringify({
          matchType: 'contains',
          pattern: '开馆',
          priority: 1,
          enabled: false,
          reply: { type: 'text', content: '低优先级' },
        }),
      });
      expect(put.status).toBe(200);
      expect((await app.text(openid, '开馆')).content).toMatch(/^今天 .+ 开放时间：/);
      expect((await api(`/${low.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await api(`/${low.id}`)).status).toBe(404);
      const list = (await (await api('')).json()) as { rules: Array<{ pattern: string }> };
      expect(list.rules.map((r) => r.pattern)).toEqual([
        '国庆开馆',
        'WiFi',
        '停车',
        '^(借书|还书)规则$',
      ]);
    });

    it('keeps the staff API behind its token and refuses catastrophic patterns', async () => {
      expect((await api('', {}, null)).status).toBe(401);
      expect((await api('', {}, 'wrong-token')).status).toBe(401);
      const unsafe = await api('', {
        method: 'POST',
        body: JSON.stringify({
          matchType: 'regex',
          pattern: '^(a+)+$',
          reply: { type: 'text', content: 'x' },
        }),
      });
      expect(unsafe.status).toBe(422);
      expect(await unsafe.json()).toMatchObject({ code: 'INVALID_RULE' });
      const broken = await api('', {
        method: 'POST',
        body: JSON.stringify({
          matchType: 'regex',
          pattern: '(',
          reply: { type: 'text', content: 'x' },
        }),
      });
      expect(broken.status).toBe(422);
      const shapeless = await api('', {
        method: 'POST',
        body: JSON.stringify({ matchType: 'fuzzy' }),
      });
      expect(shapeless.status).toBe(400);
    });
  });
});
