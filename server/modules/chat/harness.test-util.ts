/**
 * The conversation on the composed demo app, driven through the real `/wechat` endpoint
 * with signed (and, in safe mode, encrypted) pushes, as WeChat sends them.
 */
import { randomInt } from 'node:crypto';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import type { AppOverrides } from '../../app.ts';
import { pushXml, type FixtureKind, type FixtureValue } from '../../wechat/fixtures.ts';
import { openReply, signPush } from '../../wechat/signer.ts';
import { parseXml, xmlChildText } from '../../wechat/xml.ts';
import type { Conversation } from './index.ts';

export const TOKEN = 'AAAAA';
export const AES_KEY = 'A'.repeat(43);
export const APPID = 'wx134c8103faa5a59e';
export const BASE_URL = 'https://lib.example.edu.cn';
export const STAFF_TOKEN = 'staff-token-for-tests-0123456789abcdef';

export type Mode = 'plain' | 'safe';

export interface Answer {
  /** `success` (or empty): no passive reply. */
  readonly none: boolean;
  readonly msgType: string | null;
  readonly content: string | null;
  readonly articles: ReadonlyArray<{ title: string; url: string | null }>;
  readonly encrypted: boolean;
  readonly status: number;
}

export interface ChatApp {
  readonly t: TestApp;
  readonly conversation: Conversation;
  /** Sends one push as `openid` and opens the passive reply. */
  push(
    kind: FixtureKind,
    fields: Record<string, FixtureValue | null>,
    options: { openid: string; mode?: Mode },
  ): Promise<Answer>;
  text(openid: string, content: string, mode?: Mode): Promise<Answer>;
  scan(openid: string, key: string, code: string, mode?: Mode): Promise<Answer>;
  click(openid: string, key: string, mode?: Mode): Promise<Answer>;
  close(): Promise<void>;
}

let sequence = 0;
const msgId = () => ({
  xml: String(7_100_000_000_000_000_000n + BigInt(++sequence * 1000 + randomInt(999))),
});
// Distinct CreateTimes keep events of one reader from deduplicating each other.
let clockSeconds = Math.floor(Date.now() / 1000);
const createTime = () => ++clockSeconds;

function answerOf(status: number, body: string): Answer {
  const opened = openReply(body, { token: TOKEN, aesKey: AES_KEY, appid: APPID });
  if (!opened) {
    return { none: true, msgType: null, content: null, articles: [], encrypted: false, status };
  }
  const xml = parseXml(opened.xml).value;
  const articles: Array<{ title: string; url: string | null }> = [];
  const wrapper = xml.Articles;
  if (wrapper && typeof wrapper === 'object' && !Array.isArray(wrapper)) {
    const items = wrapper.item;
    const list = Array.isArray(items) ? items : items ? [items] : [];
    for (const item of list) {
      if (typeof item === 'string') continue;
      articles.push({
        title: xmlChildText(item, 'Title') ?? '',
        url: xmlChildText(item, 'Url') ?? null,
      });
    }
  }
  return {
    none: false,
    msgType: xmlChildText(xml, 'MsgType') ?? null,
    content: xmlChildText(xml, 'Content') ?? null,
    articles,
    encrypted: opened.encrypted,
    status,
  };
}

/** The demo library (catalogue and embedded ILS) with the conversation on its router. */
export async function startChatApp(
  options: {
    dialect?: 'sqlite' | 'postgres';
    env?: Record<string, string>;
    overrides?: Omit<AppOverrides, 'database' | 'wechatApiBase'>;
    /** Runs after the app started, before the first push (seeding). */
    prepare?: (t: TestApp) => Promise<void>;
  } = {},
): Promise<ChatApp> {
  const t = await startTestApp({
    dialect: options.dialect ?? 'sqlite',
    env: { SHULIN_DEMO: 'on', PUBLIC_URL: BASE_URL, STAFF_API_TOKEN: STAFF_TOKEN, ...options.env },
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  await options.prepare?.(t);
  const { conversation } = t.shulin.services;

  const push: ChatApp['push'] = async (kind, fields, { openid, mode = 'plain' }) => {
    const xml = pushXml(kind, { FromUserName: openid, CreateTime: createTime(), ...fields });
    const signed = signPush({ xml, token: TOKEN, mode, aesKey: AES_KEY, appid: APPID, openid });
    const response = await t.request(`/wechat?${signed.query.toString()}`, {
      method: 'POST',
      body: signed.body,
      headers: { 'content-type': 'text/xml' },
    });
    return answerOf(response.status, await response.text());
  };
  return {
    t,
    conversation,
    push,
    text: (openid, content, mode) =>
      push('text', { Content: content, MsgId: msgId() }, { openid, mode }),
    scan: (openid, key, code, mode) =>
      push(
        'scancode_waitmsg',
        {
          EventKey: key,
          ScanCodeInfo: {
            xml: `<ScanType><![CDATA[barcode]]></ScanType><ScanResult><![CDATA[${/^97[89]\d{10}$/.test(code) ? `EAN_13,${code}` : `CODE_128,${code}`}]]></ScanResult>`,
          },
        },
        { openid, mode },
      ),
    click: (openid, key, mode) => push('CLICK', { EventKey: key }, { openid, mode }),
    close: () => t.close(),
  };
}
