/**
 * The messages the server sent a reader through WeChat's API (customer-service messages,
 * template and subscribe notifications), as the fake WeChat API recorded them. Read over
 * HTTP from its `/__fake/state`, so it works whether the fake runs in this process (demo
 * mode) or elsewhere.
 */
import { customMessageReply, type SimulatorReply } from './reply.ts';

export type SentMessage =
  | {
      readonly source: 'custom';
      readonly id: string;
      /** Milliseconds since the epoch, by the fake's clock. */
      readonly time: number;
      readonly reply: SimulatorReply;
    }
  | {
      readonly source: 'template' | 'subscribe';
      readonly id: string;
      readonly time: number;
      readonly templateId: string;
      /** Where tapping the notification leads (template `url`, subscribe `page`). */
      readonly url?: string;
      /** Field name → value, in the order sent. */
      readonly data: ReadonlyArray<{ name: string; value: string }>;
    };

export interface SentMessages {
  /** False when the WeChat API in use is not a fake one (nothing can be read back). */
  readonly available: boolean;
  readonly messages: readonly SentMessage[];
  /** Pass as `after` next time to get only what came since. */
  readonly cursor: string;
}

interface RecordedState {
  customMessages: Array<{
    appid: string;
    touser: string;
    body: Record<string, unknown>;
    time: number;
  }>;
  templateMessages: Array<{
    appid: string;
    msgid: string;
    touser: string;
    templateId: string;
    url?: string;
    data: Record<string, unknown>;
    time: number;
  }>;
  subscribeMessages: Array<{
    appid: string;
    touser: string;
    templateId: string;
    page?: string;
    data: Record<string, unknown>;
    time: number;
  }>;
}

/** The real WeChat API has no `/__fake/state`; asking it would only cost a request. */
export const REAL_WECHAT_API = 'https://api.weixin.qq.com';

function fields(data: Record<string, unknown>): Array<{ name: string; value: string }> {
  return Object.entries(data).map(([name, field]) => {
    const value =
      typeof field === 'object' && field !== null && 'value' in field ? field.value : field;
    return { name, value: typeof value === 'string' ? value : JSON.stringify(value) };
  });
}

// The cursor is the length of each recorded list: the fake only ever appends (a reset
// empties them, which a shorter list gives away).
function parseCursor(after: string | undefined): [number, number, number] {
  const parts = (after ?? '').split('.').map((p) => Number.parseInt(p, 10));
  const at = (i: number) => {
    const n = parts[i];
    return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : 0;
  };
  return [at(0), at(1), at(2)];
}

/**
 * What the server sent `openid` through WeChat's API since `after` (everything without it).
 *
 * @example
 * const { messages, cursor } = await sentMessages({ apiBase: fake.url, appid, openid });
 * // later: await sentMessages({ apiBase: fake.url, appid, openid, after: cursor });
 */
export async function sentMessages(input: {
  apiBase: string;
  appid: string;
  openid: string;
  after?: string;
  timeoutMs?: number;
}): Promise<SentMessages> {
  const unavailable = { available: false, messages: [], cursor: input.after ?? '' };
  if (input.apiBase.replace(/\/+$/, '') === REAL_WECHAT_API) return unavailable;
  let state: RecordedState;
  try {
    const response = await fetch(`${input.apiBase.replace(/\/+$/, '')}/__fake/state`, {
      signal: AbortSignal.timeout(input.timeoutMs ?? 5000),
    });
    if (!response.ok) return unavailable;
    state = (await response.json()) as RecordedState;
    if (!Array.isArray(state.customMessages)) return unavailable;
  } catch {
    return unavailable;
  }
  const custom = state.customMessages;
  const templates = state.templateMessages ?? [];
  const subscribes = state.subscribeMessages ?? [];
  let [c, t, s] = parseCursor(input.after);
  if (c > custom.length || t > templates.length || s > subscribes.length) [c, t, s] = [0, 0, 0];
  const mine = (m: { appid: string; touser: string }) =>
    m.appid === input.appid && m.touser === input.openid;

  const messages: SentMessage[] = [];
  custom.forEach((m, i) => {
    if (i >= c && mine(m)) {
      messages.push({
        source: 'custom',
        id: `c${i}`,
        time: m.time,
        reply: customMessageReply(m.body),
      });
    }
  });
  templates.forEach((m, i) => {
    if (i >= t && mine(m)) {
      messages.push({
        source: 'template',
        id: `t${m.msgid}`,
        time: m.time,
        templateId: m.templateId,
        ...(m.url ? { url: m.url } : {}),
        data: fields(m.data),
      });
    }
  });
  subscribes.forEach((m, i) => {
    if (i >= s && mine(m)) {
      messages.push({
        source: 'subscribe',
        id: `s${i}`,
        time: m.time,
        templateId: m.templateId,
        ...(m.page ? { url: m.page } : {}),
        data: fields(m.data),
      });
    }
  });
  messages.sort((a, b) => a.time - b.time);
  return {
    available: true,
    messages,
    cursor: `${custom.length}.${templates.length}.${subscribes.length}`,
  };
}
