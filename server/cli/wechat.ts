/**
 * `shulin wechat menu push|get|delete`: keeps the Official Account's custom menu in step with
 * the default menu Shulin defines (server/modules/chat/menu.ts).
 */
import { Argument, Command, Option } from 'commander';
import { LOCALES, type Locale } from '../i18n/index.ts';
import { buildMenu } from '../modules/chat/menu.ts';
import type { Config } from '../platform/config.ts';
import { createKv } from '../platform/kv/index.ts';
import { createLogger } from '../platform/logger.ts';
import { WeChatApiClient } from '../wechat/api/client.ts';
import { LOCAL_ERRCODE, WeChatApiError } from '../wechat/api/errors.ts';
import type { Menu, MenuLeaf } from '../wechat/api/types.ts';
import type { CliIo } from './simulate.ts';

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => void (process.exitCode = code),
};

const REAL_WECHAT_API = 'https://api.weixin.qq.com';

export type MenuAction = 'push' | 'get' | 'delete';

export interface MenuOptions {
  json?: boolean;
  lang?: string;
  base?: string;
}

/** The menu as an indented list: one line a button, its type and its key or link. */
export function describeMenu(menu: Menu): string[] {
  const lines: string[] = [];
  const leaf = (button: MenuLeaf, indent: string) => {
    const target = button.key ?? button.url ?? button.pagepath ?? button.media_id ?? '';
    lines.push(`${indent}${button.name}  [${button.type}]${target ? ` ${target}` : ''}`);
  };
  for (const button of menu.button) {
    const subs = button.sub_button ?? [];
    if (subs.length > 0) {
      lines.push(button.name);
      for (const sub of subs) leaf(sub, '  ');
    } else if ('type' in button) {
      leaf(button, '');
    }
  }
  return lines;
}

/** Runs one menu action; resolves to the exit status (0 done, 1 WeChat refused, 2 misused). */
export async function runMenu(
  config: Config,
  action: MenuAction,
  options: MenuOptions,
  io: CliIo = processIo,
): Promise<number> {
  const lang = (options.lang ?? 'zh-CN') as Locale;
  if (!(LOCALES as readonly string[]).includes(lang)) {
    io.err(`--lang ${options.lang}: use ${LOCALES.join(' or ')}\n`);
    return 2;
  }
  if (!config.wechat.configured && config.wechat.apiBase === REAL_WECHAT_API) {
    io.err(
      'No Official Account is configured (WECHAT_APPID, WECHAT_SECRET, WECHAT_TOKEN): in demo mode `shulin serve` pushes the default menu to its built-in fake WeChat API itself\n',
    );
    return 2;
  }
  let menu: Menu | undefined;
  if (action === 'push') {
    const base = options.base ?? config.publicUrl;
    if (!base) {
      io.err(
        'Menu links must be absolute: set PUBLIC_URL (the address readers reach Shulin at) or pass --base\n',
      );
      return 2;
    }
    try {
      menu = buildMenu(lang, base);
    } catch (error) {
      io.err(`The menu does not fit WeChat's rules: ${(error as Error).message}\n`);
      return 2;
    }
  }

  const kv = createKv({ redisUrl: config.redisUrl });
  const client = new WeChatApiClient({
    appid: config.wechat.appid,
    secret: config.wechat.secret,
    baseUrl: config.wechat.apiBase,
    kv,
    logger: createLogger({ level: config.logLevel === 'silent' ? 'silent' : 'warn' }),
  });
  const appid = config.wechat.appid;
  try {
    switch (action) {
      case 'push': {
        await client.createMenu(menu!);
        if (options.json) {
          io.out(`${JSON.stringify({ pushed: true, appid, lang, menu }, null, 2)}\n`);
        } else {
          io.out(`Pushed the default menu (${lang}) to ${appid}:\n`);
          for (const line of describeMenu(menu!)) io.out(`  ${line}\n`);
        }
        break;
      }
      case 'get': {
        const info = await client.getMenu();
        if (options.json) {
          io.out(`${JSON.stringify({ appid, menu: info?.menu ?? null }, null, 2)}\n`);
        } else if (!info) {
          io.out(`${appid} has no custom menu.\n`);
        } else {
          io.out(
            `The custom menu of ${appid}${info.menu.menuid ? ` (menuid ${info.menu.menuid})` : ''}:\n`,
          );
          for (const line of describeMenu(info.menu)) io.out(`  ${line}\n`);
        }
        break;
      }
      case 'delete':
        await client.deleteMenu();
        io.out(
          options.json
            ? `${JSON.stringify({ deleted: true, appid })}\n`
            : `Deleted the custom menu of ${appid}.\n`,
        );
        break;
    }
    return 0;
  } catch (error) {
    if (error instanceof WeChatApiError) {
      io.err(
        error.errcode === LOCAL_ERRCODE.network
          ? `Cannot reach WeChat at ${config.wechat.apiBase}: ${error.errmsg}\n`
          : `WeChat refused menu ${action}: errcode ${error.errcode} ${error.errmsg}\n`,
      );
      return 1;
    }
    throw error;
  } finally {
    await kv.close();
  }
}

/**
 * The `wechat` command and its `menu` subcommand, for
 * `program.addCommand(wechatCommand(configOrExit))`.
 *
 * @example
 * shulin wechat menu push --base https://lib.example.edu.cn
 * shulin wechat menu get --json
 */
export function wechatCommand(loadConfig: () => Config, io: CliIo = processIo): Command {
  const wechat = new Command('wechat').description("the Official Account's settings at WeChat");
  wechat
    .command('menu')
    .description('push the default menu, show the current one, or delete it')
    .addArgument(new Argument('<action>', 'push, get or delete').choices(['push', 'get', 'delete']))
    .addOption(
      new Option('--lang <lang>', 'push: the language of the button names (default zh-CN)').choices(
        [...LOCALES],
      ),
    )
    .option('--base <url>', 'push: where the menu links point (default PUBLIC_URL)')
    .option('--json', 'print the result as JSON')
    .action(async (action: MenuAction, options: MenuOptions) => {
      io.exit(await runMenu(loadConfig(), action, options, io));
    });
  return wechat;
}
