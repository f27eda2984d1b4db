import { WeChatApiError } from './errors.ts';
import type { CustomMessage, MediaType, Menu, MenuLeaf, TemplateData } from './types.ts';

/**
 * Checks the client makes before sending, so a bad value fails here with a clear
 * message and WeChat's errcode, instead of burning quota and a round trip.
 * (The fake WeChat API keeps its own copy of the rules on purpose.)
 */

function refuse(errcode: number, errmsg: string, path: string): never {
  throw new WeChatApiError(errcode, errmsg, path, { outcome: 'not-sent' });
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Template fields by keyword type, 2023 rules: `character_string` ≤32, `phrase` ≤5, others ≤20. */
function templateFieldLimit(key: string): number {
  const type = key.replace(/\d+$/, '');
  if (type === 'character_string' || type === 'number' || type === 'letter') return 32;
  if (type === 'phrase' || type === 'symbol') return 5;
  return 20;
}

/**
 * Throws 47003 (as WeChat would) for a field value that is too long or has a line break.
 *
 * @example
 * validateTemplateData({ thing1: { value: '三体' } }, '/cgi-bin/message/template/send'); // ok
 * validateTemplateData({ thing1: { value: 'a\nb' } }, '…'); // throws WeChatApiError 47003
 */
export function validateTemplateData(data: TemplateData, path: string): void {
  const entries = Object.entries(data);
  if (entries.length === 0) refuse(47003, 'argument invalid! data is empty', path);
  for (const [key, field] of entries) {
    const value: unknown = field?.value;
    if (typeof value !== 'string')
      refuse(47003, `argument invalid! data.${key}.value invalid`, path);
    if (/[\r\n]/.test(value)) {
      refuse(47003, `argument invalid! data.${key}.value has a line break`, path);
    }
    const limit = templateFieldLimit(key);
    if ([...value].length > limit) {
      refuse(47003, `argument invalid! data.${key}.value longer than ${limit} characters`, path);
    }
  }
}

export function validateOpenid(openid: string, path: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(openid)) refuse(40003, 'invalid openid', path);
}

export function validateCustomMessage(message: CustomMessage, path: string): void {
  validateOpenid(message.touser, path);
  if (message.msgtype === 'text' && message.text.content === '') {
    refuse(44004, 'empty content', path);
  }
  if (message.msgtype === 'news' && (message.news.articles as unknown[]).length !== 1) {
    refuse(
      45008,
      'article size out of limit: a 客服 news message carries exactly one article',
      path,
    );
  }
}

/** Menu limits of research §2.2: 1–3 buttons, ≤5 sub-buttons, names 16/60 bytes, key 128, url 1024. */
export function validateMenu(menu: Menu, path: string): void {
  const buttons = menu.button;
  if (buttons.length < 1 || buttons.length > 3)
    refuse(40016, 'invalid button size: 1–3 buttons', path);
  for (const button of buttons) {
    if (button.name === '' || byteLength(button.name) > 16) {
      refuse(40018, `invalid button name size: "${button.name}" (≤16 bytes)`, path);
    }
    const subs: MenuLeaf[] = button.sub_button ?? [];
    if (subs.length > 5) refuse(40023, `invalid sub button size: "${button.name}" has >5`, path);
    for (const sub of subs) {
      if (sub.name === '' || byteLength(sub.name) > 60) {
        refuse(40025, `invalid sub button name size: "${sub.name}" (≤60 bytes)`, path);
      }
    }
    const leaves = subs.length > 0 ? subs : 'type' in button ? [button] : [];
    for (const leaf of leaves) {
      if (leaf.key !== undefined && byteLength(leaf.key) > 128) {
        refuse(40019, `invalid button key size: "${leaf.name}" (≤128 bytes)`, path);
      }
      if (leaf.url !== undefined && byteLength(leaf.url) > 1024) {
        refuse(40020, `invalid button url size: "${leaf.name}" (≤1024 bytes)`, path);
      }
    }
  }
}

export interface QrAction {
  action_name: 'QR_SCENE' | 'QR_STR_SCENE' | 'QR_LIMIT_SCENE' | 'QR_LIMIT_STR_SCENE';
  scene: { scene_id: number } | { scene_str: string };
  expire_seconds?: number;
}

/**
 * Maps a scene to the QR action WeChat expects, within the limits of research §2.9:
 * temporary id 1–2^31−1, permanent id 1–100000, string 1–64 chars, expiry ≤30 days.
 *
 * @example
 * qrAction({ scene: 'bind:desk-3', expireSeconds: 600 }, '/cgi-bin/qrcode/create');
 * // → { action_name: 'QR_STR_SCENE', scene: { scene_str: 'bind:desk-3' }, expire_seconds: 600 }
 */
export function qrAction(
  input: { scene: number | string; expireSeconds?: number; permanent?: boolean },
  path: string,
): QrAction {
  const { scene, permanent = false } = input;
  if (permanent && input.expireSeconds !== undefined) {
    refuse(40035, 'invalid args: a permanent QR code has no expireSeconds', path);
  }
  if (!permanent && input.expireSeconds !== undefined) {
    const e = input.expireSeconds;
    if (!Number.isInteger(e) || e < 1 || e > 2_592_000) {
      refuse(40035, 'invalid args: expireSeconds must be 1–2592000 (30 days)', path);
    }
  }
  let action: QrAction;
  if (typeof scene === 'number') {
    const max = permanent ? 100_000 : 2_147_483_647;
    if (!Number.isInteger(scene) || scene < 1 || scene > max) {
      refuse(40035, `invalid args: scene id must be an integer 1–${max}`, path);
    }
    action = { action_name: permanent ? 'QR_LIMIT_SCENE' : 'QR_SCENE', scene: { scene_id: scene } };
  } else {
    if (scene.length < 1 || scene.length > 64) {
      refuse(40035, 'invalid args: scene string must be 1–64 characters', path);
    }
    action = {
      action_name: permanent ? 'QR_LIMIT_STR_SCENE' : 'QR_STR_SCENE',
      scene: { scene_str: scene },
    };
  }
  if (input.expireSeconds !== undefined) action.expire_seconds = input.expireSeconds;
  return action;
}

/** Temporary-media limits (research §2.8). */
export const MEDIA_LIMITS: Record<MediaType, { maxBytes: number; extensions: readonly string[] }> =
  {
    image: { maxBytes: 10 * 1024 * 1024, extensions: ['jpg', 'jpeg', 'png', 'gif', 'bmp'] },
    voice: { maxBytes: 2 * 1024 * 1024, extensions: ['amr', 'mp3', 'speex'] },
    video: { maxBytes: 10 * 1024 * 1024, extensions: ['mp4'] },
    thumb: { maxBytes: 64 * 1024, extensions: ['jpg', 'jpeg'] },
  };

export function validateMedia(type: MediaType, size: number, filename: string, path: string): void {
  const limits = MEDIA_LIMITS[type];
  const ext = filename.includes('.')
    ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase()
    : '';
  if (!limits.extensions.includes(ext)) {
    refuse(40005, `invalid file type: ${type} takes ${limits.extensions.join('/')}`, path);
  }
  if (size === 0) refuse(41005, 'media data missing', path);
  if (size > limits.maxBytes)
    refuse(40006, `invalid media size: ${type} ≤ ${limits.maxBytes} bytes`, path);
}
