/**
 * `shulin simulate`: the simulator from a terminal. Sends one reader action to a Shulin
 * `/wechat` URL as a signed (optionally encrypted) push and prints what the account answered,
 * for demos, scripts and tests.
 */
import { Command, Option } from 'commander';
import { LOCALES, type Locale } from '../i18n/index.ts';
import { DEFAULT_MENU } from '../modules/chat/menu.ts';
import type { Config } from '../platform/config.ts';
import type { SentMessage, SentMessages } from '../simulator/messages.ts';
import { SIMULATED_KINDS, type SimulatedAction, type SimulatedKind } from '../simulator/push.ts';
import type { SimulatorReply } from '../simulator/reply.ts';
import { sendPush, SimulatorError, type PushResult } from '../simulator/send.ts';

/** Where output goes and how the exit status is set; the defaults are the process's. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
}

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => void (process.exitCode = code),
};

export interface SimulateOptions {
  url?: string;
  openid?: string;
  safe?: boolean;
  lang?: string;
  key?: string;
  scene?: string;
  wait?: string;
  json?: boolean;
}

/** The reader `shulin simulate` speaks as unless `--openid` says otherwise. */
export const DEFAULT_CLI_OPENID = 'oShulinCliReader000000000001';

const LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    sending: '发送',
    as: '读者',
    reply: '被动回复',
    none: '服务器回复 success，没有被动回复',
    custom: '客服消息',
    template: '模板消息',
    subscribe: '订阅消息',
    waiting: '等待客服消息',
    nothing: '没有收到客服消息',
    articles: '篇图文',
    plain: '明文',
    safe: '安全模式',
  },
  en: {
    sending: 'sending',
    as: 'as',
    reply: 'passive reply',
    none: 'the server answered success: no passive reply',
    custom: 'customer-service message',
    template: 'template message',
    subscribe: 'subscription message',
    waiting: 'waiting for customer-service messages',
    nothing: 'no customer-service messages arrived',
    articles: 'articles',
    plain: 'plaintext',
    safe: 'safe mode',
  },
};

class UsageError extends Error {}

// A default-menu button may be named instead of keyed: `click 开馆时间`, `click "Opening hours"`.
function menuKey(value: string): string {
  for (const group of DEFAULT_MENU) {
    for (const item of group.items) {
      if ('key' in item && (item.names['zh-CN'] === value || item.names.en === value)) {
        return item.key;
      }
    }
  }
  return value;
}

/**
 * The push a command line asks for.
 *
 * @example
 * actionOf('scan', ['9787020002207'], { key: 'SCAN_RENEW' });
 * // → { kind: 'scan', key: 'SCAN_RENEW', code: '9787020002207' }
 */
export function actionOf(
  kind: string,
  args: readonly string[],
  options: Pick<SimulateOptions, 'key' | 'scene'> = {},
): SimulatedAction {
  const rest = args.join(' ').trim();
  const need = (what: string) => {
    if (!rest) throw new UsageError(`simulate ${kind} needs ${what}`);
    return rest;
  };
  switch (kind as SimulatedKind) {
    case 'text':
      return { kind: 'text', content: need('the text to send') };
    case 'voice':
      return { kind: 'voice', recognition: need('the transcript of the voice message') };
    case 'scan':
      return {
        kind: 'scan',
        key: menuKey(options.key ?? 'SCAN_SEARCH'),
        code: need('a code (ISBN or barcode)'),
      };
    case 'click':
      return { kind: 'click', key: menuKey(need('a menu key such as HOURS')) };
    case 'view':
      return { kind: 'view', url: need('the URL the menu button opens') };
    case 'location': {
      const [lat, lng, ...label] = args;
      const latitude = Number(lat);
      const longitude = Number(lng);
      if (
        lat === undefined ||
        lng === undefined ||
        !Number.isFinite(latitude) ||
        !Number.isFinite(longitude)
      ) {
        throw new UsageError('simulate location needs LAT LNG, e.g. 30.2741 120.1251');
      }
      if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        throw new UsageError('simulate location: latitude is within ±90 and longitude within ±180');
      }
      return {
        kind: 'location',
        latitude,
        longitude,
        ...(label.length > 0 ? { label: label.join(' ') } : {}),
      };
    }
    case 'follow':
      return options.scene ? { kind: 'follow', scene: options.scene } : { kind: 'follow' };
    case 'unfollow':
      return { kind: 'unfollow' };
    default:
      throw new UsageError(`unknown kind "${kind}": use ${SIMULATED_KINDS.join(', ')}`);
  }
}

/** `--url` may name the server or its callback: `http://host:3000` means `http://host:3000/wechat`. */
export function callbackUrlOf(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${url} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url ${url} is not an http(s) URL`);
  }
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/wechat';
  return parsed;
}

function describeReply(reply: SimulatorReply): string[] {
  switch (reply.type) {
    case 'text':
      return reply.content.split('\n');
    case 'news':
      return reply.articles.flatMap((a, i) => [
        `${i + 1}. ${a.title}${a.description ? ` — ${a.description.replace(/\s+/g, ' ')}` : ''}`,
        ...(a.url ? [`   ${a.url}`] : []),
      ]);
    case 'msgmenu':
      return [
        ...(reply.head ? [reply.head] : []),
        ...reply.options.map((o) => `  [${o.id}] ${o.content}`),
        ...(reply.tail ? [reply.tail] : []),
      ];
    case 'other':
      return [`(${reply.msgType})`];
    default: {
      const { type, ...fields } = reply;
      return [`(${type}) ${JSON.stringify(fields)}`];
    }
  }
}

function replyHead(reply: SimulatorReply, labels: Record<string, string>): string {
  return reply.type === 'news' ? `news, ${reply.articles.length} ${labels.articles}` : reply.type;
}

function describeMessage(message: SentMessage, labels: Record<string, string>): string[] {
  if (message.source === 'custom') {
    return [
      `← ${labels.custom} (${replyHead(message.reply, labels)}):`,
      ...describeReply(message.reply).map((l) => `  ${l}`),
    ];
  }
  return [
    `← ${labels[message.source]} ${message.templateId}:`,
    ...message.data.map((f) => `  ${f.name}: ${f.value}`),
    ...(message.url ? [`  ${message.url}`] : []),
  ];
}

async function readMessages(
  base: URL,
  openid: string,
  after?: string,
): Promise<SentMessages | null> {
  // Next to the callback: a server mounted under a path prefix keeps it.
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/wechat\/?$/, '') + '/simulator/api/messages';
  url.search = '';
  url.searchParams.set('openid', openid);
  if (after !== undefined) url.searchParams.set('after', after);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return null;
    return (await response.json()) as SentMessages;
  } catch {
    return null;
  }
}

/** Runs one simulation; resolves to the exit status (0 answered, 1 failed, 2 misused). */
export async function runSimulate(
  config: Config,
  kind: string,
  args: readonly string[],
  options: SimulateOptions,
  io: CliIo = processIo,
): Promise<number> {
  let action: SimulatedAction;
  let url: URL;
  let waitSeconds = 0;
  let lang: Locale = 'en';
  try {
    if (options.lang !== undefined) {
      if (!(LOCALES as readonly string[]).includes(options.lang)) {
        throw new UsageError(`--lang ${options.lang}: use ${LOCALES.join(' or ')}`);
      }
      lang = options.lang as Locale;
    }
    action = actionOf(kind, args, options);
    url = callbackUrlOf(options.url ?? `http://127.0.0.1:${config.port}/wechat`);
    if (options.wait !== undefined) {
      waitSeconds = Number(options.wait);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 600) {
        throw new UsageError('--wait takes seconds, 0–600');
      }
    }
    if (options.openid !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(options.openid)) {
      throw new UsageError('--openid: 1–64 letters, digits, _ or -');
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const labels = LABELS[lang];
  const openid = options.openid ?? DEFAULT_CLI_OPENID;
  const mode = options.safe ? 'safe' : 'plain';
  const token = config.wechat.tokens[0];
  if (!token) {
    io.err('No WeChat token to sign with (WECHAT_TOKEN)\n');
    return 2;
  }

  // The cursor before the push, so that only what the push causes is waited for.
  const before = waitSeconds > 0 ? await readMessages(url, openid) : null;
  if (!options.json) {
    io.out(
      `→ ${labels.sending} ${kind} ${labels.as} ${openid} (${labels[mode]}) → ${url.toString()}\n`,
    );
  }
  let result: PushResult;
  try {
    result = await sendPush({
      url: url.toString(),
      account: {
        token,
        aesKey: config.wechat.aesKeys[0],
        appid: config.wechat.appid,
        originalId: config.wechat.originalId ?? 'gh_shulinsimulator',
      },
      openid,
      mode,
      action,
    });
  } catch (error) {
    if (error instanceof SimulatorError) {
      io.err(`${explain(error)}\n`);
      return 1;
    }
    throw error;
  }
  if (!options.json) {
    if (result.reply) {
      io.out(
        `← ${labels.reply} (${replyHead(result.reply, labels)}, ${Math.round(result.latencyMs)} ms):\n`,
      );
      for (const line of describeReply(result.reply)) io.out(`  ${line}\n`);
    } else {
      io.out(`← ${labels.none} (${Math.round(result.latencyMs)} ms)\n`);
    }
  }

  const arrived: SentMessage[] = [];
  if (waitSeconds > 0) {
    if (!before || !before.available) {
      io.err(
        `${url.origin} serves no messages to wait for (its /simulator/ is off, or its WeChat API is the real one)\n`,
      );
    } else {
      if (!options.json) io.out(`… ${labels.waiting} (${waitSeconds} s)\n`);
      let cursor = before.cursor;
      const deadline = Date.now() + waitSeconds * 1000;
      for (;;) {
        const next = await readMessages(url, openid, cursor);
        if (next?.available) {
          cursor = next.cursor;
          for (const message of next.messages) {
            arrived.push(message);
            if (!options.json)
              for (const line of describeMessage(message, labels)) io.out(`${line}\n`);
          }
        }
        const left = deadline - Date.now();
        if (left <= 0) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, left)));
      }
      if (!options.json && arrived.length === 0) io.out(`  ${labels.nothing}\n`);
    }
  }

  if (options.json) {
    io.out(
      `${JSON.stringify(
        {
          url: url.toString(),
          openid,
          mode,
          action,
          status: result.status,
          latencyMs: result.latencyMs,
          reply: result.reply,
          ...(waitSeconds > 0 ? { messages: arrived } : {}),
        },
        null,
        2,
      )}\n`,
    );
  }
  return 0;
}

function explain(error: SimulatorError): string {
  switch (error.code) {
    case 'UNREACHABLE':
      return `${error.message}: is Shulin running there? (--url)`;
    case 'TIMEOUT':
      return error.message;
    case 'REFUSED': {
      const reason = error.details.reason ?? '';
      if (/signature/.test(reason)) {
        return `${error.message}: the server signs with another token (WECHAT_TOKEN)`;
      }
      if (/appid|decrypt|encrypt/.test(reason)) {
        return `${error.message}: check WECHAT_AES_KEY and WECHAT_APPID against the server's`;
      }
      if (reason === 'wrong_account') {
        return `${error.message}: the server expects another WECHAT_ORIGINAL_ID`;
      }
      return error.message;
    }
    case 'BAD_REPLY':
      return error.message;
  }
}

/**
 * The `simulate` command, for `program.addCommand(simulateCommand(configOrExit))`.
 *
 * @example
 * shulin simulate click HOURS
 * shulin simulate --safe scan 9787020002207 --key SCAN_SEARCH
 * shulin simulate --url http://127.0.0.1:3000 --openid oReader1 text "红楼梦" --wait 6
 */
export function simulateCommand(loadConfig: () => Config, io: CliIo = processIo): Command {
  return new Command('simulate')
    .description(
      "send a reader's action to a /wechat URL as WeChat would (signed, --safe: encrypted) and print the reply",
    )
    .argument('<kind>', SIMULATED_KINDS.join(' | '))
    .argument(
      '[args...]',
      'text "…" | voice "…" | scan CODE | click KEY | view URL | location LAT LNG',
    )
    .option('--url <url>', 'the server or its /wechat URL (default http://127.0.0.1:PORT/wechat)')
    .option('--openid <id>', `the reader (default ${DEFAULT_CLI_OPENID})`)
    .option('--safe', 'encrypt the push (safe mode) with the EncodingAESKey')
    .addOption(new Option('--lang <lang>', 'language of the printed labels').choices([...LOCALES]))
    .option('--key <key>', 'scan: the menu button key (default SCAN_SEARCH)')
    .option(
      '--scene <scene>',
      'follow: through a parametric QR code with this scene, e.g. bind_desk_1',
    )
    .option('--wait <seconds>', 'then wait this long for customer-service messages to the reader')
    .option('--json', 'print the result as JSON')
    .action(async (kind: string, args: string[], options: SimulateOptions) => {
      io.exit(await runSimulate(loadConfig(), kind, args, options, io));
    });
}
