/**
 * The validation WeChat applies to request bodies, as far as the docs and the SDKs
 * tell it (research/wechat-protocol.md §2). Deliberately independent of the
 * client's own pre-send checks in ../api/validate.ts: a shared table would let a
 * wrong rule pass both sides unnoticed.
 */

export interface FakeError {
  errcode: number;
  errmsg: string;
}

export function fail(errcode: number, errmsg: string): FakeError {
  return { errcode, errmsg };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Real openids are 28 URL-safe characters; the fake accepts any short token of that alphabet. */
export function checkOpenid(openid: unknown): FakeError | null {
  if (typeof openid !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(openid)) {
    return fail(40003, 'invalid openid');
  }
  return null;
}

// ---------------------------------------------------------------- custom messages

/** The fields each 客服 msgtype must carry (research §2.3). */
const CUSTOM_REQUIRED: Record<string, readonly string[]> = {
  text: ['content'],
  image: ['media_id'],
  voice: ['media_id'],
  video: ['media_id'],
  music: ['musicurl', 'hqmusicurl', 'thumb_media_id'],
  news: ['articles'],
  mpnews: ['media_id'],
  mpnewsarticle: ['article_id'],
  msgmenu: ['list'],
  miniprogrampage: ['title', 'appid', 'pagepath', 'thumb_media_id'],
  wxcard: ['card_id'],
};

const CUSTOM_MEDIA_FIELDS: Record<string, readonly string[]> = {
  image: ['media_id'],
  voice: ['media_id'],
  video: ['media_id'],
};

export function checkCustomMessage(
  body: Record<string, unknown>,
  mediaExists: (mediaId: string) => boolean,
): FakeError | null {
  const openidError = checkOpenid(body.touser);
  if (openidError) return openidError;
  const msgtype = body.msgtype;
  if (typeof msgtype !== 'string' || !(msgtype in CUSTOM_REQUIRED)) {
    return fail(40008, 'invalid message type');
  }
  const payload = body[msgtype];
  if (!isRecord(payload)) return fail(44002, 'empty post data');
  for (const field of CUSTOM_REQUIRED[msgtype] ?? []) {
    const value = payload[field];
    if (value === undefined || value === null || value === '') {
      if (msgtype === 'text') return fail(44004, 'empty content');
      return fail(40035, `invalid args ${msgtype}.${field}`);
    }
  }
  if (msgtype === 'news') {
    const articles = payload.articles;
    if (!Array.isArray(articles) || articles.length === 0) return fail(44003, 'empty news data');
    // Since 2018-10 a 客服 news message carries exactly one article.
    if (articles.length > 1) return fail(45008, 'article size out of limit');
  }
  if (msgtype === 'msgmenu') {
    const list = payload.list;
    if (!Array.isArray(list) || list.length === 0) return fail(40035, 'invalid args msgmenu.list');
    for (const item of list) {
      if (!isRecord(item) || !nonEmptyString(item.id) || !nonEmptyString(item.content)) {
        return fail(40035, 'invalid args msgmenu.list');
      }
    }
  }
  for (const field of CUSTOM_MEDIA_FIELDS[msgtype] ?? []) {
    const mediaId = payload[field];
    if (typeof mediaId !== 'string' || !mediaExists(mediaId))
      return fail(40007, 'invalid media_id');
  }
  return null;
}

// ---------------------------------------------------------------- menus

/** Button types accepted by /cgi-bin/menu/create (research §2.2), with the field each needs. */
const BUTTON_FIELD: Record<string, string> = {
  click: 'key',
  scancode_push: 'key',
  scancode_waitmsg: 'key',
  pic_sysphoto: 'key',
  pic_photo_or_album: 'key',
  pic_weixin: 'key',
  location_select: 'key',
  view: 'url',
  miniprogram: 'url',
  media_id: 'media_id',
  view_limited: 'media_id',
  article_id: 'article_id',
  article_view_limited: 'article_id',
};

interface ButtonCodes {
  type: FakeError;
  name: FakeError;
  key: FakeError;
  url: FakeError;
  nameLimit: number;
}

const TOP: ButtonCodes = {
  type: fail(40017, 'invalid button type'),
  name: fail(40018, 'invalid button name size'),
  key: fail(40019, 'invalid button key size'),
  url: fail(40020, 'invalid button url size'),
  nameLimit: 16,
};

const SUB: ButtonCodes = {
  type: fail(40024, 'invalid sub button type'),
  name: fail(40025, 'invalid sub button name size'),
  key: fail(40026, 'invalid sub button key size'),
  url: fail(40027, 'invalid sub button url size'),
  nameLimit: 60,
};

function checkLeaf(button: Record<string, unknown>, codes: ButtonCodes): FakeError | null {
  const type = button.type;
  if (typeof type !== 'string' || !(type in BUTTON_FIELD)) return codes.type;
  const field = BUTTON_FIELD[type];
  if (field === 'key') {
    if (!nonEmptyString(button.key) || bytes(button.key) > 128) return codes.key;
  } else if (field === 'url') {
    if (!nonEmptyString(button.url) || bytes(button.url) > 1024) return codes.url;
  } else if (field !== undefined && !nonEmptyString(button[field])) {
    return fail(40035, `invalid args ${field}`);
  }
  if (
    type === 'miniprogram' &&
    (!nonEmptyString(button.appid) || !nonEmptyString(button.pagepath))
  ) {
    return fail(40035, 'invalid args miniprogram appid/pagepath');
  }
  return null;
}

function checkName(button: Record<string, unknown>, codes: ButtonCodes): FakeError | null {
  const name = button.name;
  if (!nonEmptyString(name) || bytes(name) > codes.nameLimit) return codes.name;
  return null;
}

export function checkMenu(body: unknown): FakeError | null {
  if (!isRecord(body) || !Array.isArray(body.button)) return fail(40016, 'invalid button size');
  const buttons = body.button;
  if (buttons.length < 1 || buttons.length > 3) return fail(40016, 'invalid button size');
  for (const button of buttons) {
    if (!isRecord(button)) return TOP.type;
    const nameError = checkName(button, TOP);
    if (nameError) return nameError;
    const subs = button.sub_button;
    // An empty sub_button list marks a leaf (WeChat's own menu/get output has them).
    if (Array.isArray(subs) && subs.length > 0) {
      if (subs.length > 5) return fail(40023, 'invalid sub button size');
      for (const sub of subs) {
        if (!isRecord(sub)) return SUB.type;
        if (Array.isArray(sub.sub_button) && sub.sub_button.length > 0) {
          return fail(40022, 'invalid sub menu level');
        }
        const subName = checkName(sub, SUB);
        if (subName) return subName;
        const leafError = checkLeaf(sub, SUB);
        if (leafError) return leafError;
      }
    } else {
      const leafError = checkLeaf(button, TOP);
      if (leafError) return leafError;
    }
  }
  return null;
}

// ---------------------------------------------------------------- template / subscribe data

/**
 * Length limit of a template field by its keyword type (the 2023 类目模板 rules):
 * `character_string` and friends hold up to 32, `phrase` 5, everything else 20.
 */
function fieldLimit(key: string): number {
  const type = key.replace(/\d+$/, '');
  if (type === 'character_string' || type === 'number' || type === 'letter') return 32;
  if (type === 'phrase' || type === 'symbol') return 5;
  return 20;
}

export function checkTemplateData(data: unknown): FakeError | null {
  if (!isRecord(data)) return fail(47001, 'data format error');
  for (const [key, field] of Object.entries(data)) {
    const value = isRecord(field) ? field.value : undefined;
    if (typeof value !== 'string' || /[\r\n]/.test(value) || [...value].length > fieldLimit(key)) {
      return fail(47003, `argument invalid! data.${key}.value invalid`);
    }
  }
  return null;
}

/** What template and subscribe sends share: a valid openid, a template id, valid data. */
export function checkTemplateSend(body: Record<string, unknown>): FakeError | null {
  return (
    checkOpenid(body.touser) ??
    (typeof body.template_id === 'string' && body.template_id !== ''
      ? null
      : fail(40037, 'invalid template_id')) ??
    checkTemplateData(body.data)
  );
}

// ---------------------------------------------------------------- QR codes

export interface QrRequest {
  actionName: 'QR_SCENE' | 'QR_STR_SCENE' | 'QR_LIMIT_SCENE' | 'QR_LIMIT_STR_SCENE';
  scene: number | string;
  /** null for the permanent kinds. */
  expireSeconds: number | null;
}

export const QR_MAX_EXPIRE_SECONDS = 2_592_000;
/** What WeChat applies when a temporary code is created without expire_seconds. */
export const QR_DEFAULT_EXPIRE_SECONDS = 30;

export function checkQrRequest(body: unknown): QrRequest | FakeError {
  const invalid = (what: string): FakeError => fail(40035, `invalid args ${what}`);
  if (!isRecord(body)) return fail(47001, 'data format error');
  const actionName = body.action_name;
  const scene =
    isRecord(body.action_info) && isRecord(body.action_info.scene)
      ? body.action_info.scene
      : undefined;
  if (!scene) return invalid('action_info');
  const permanent = actionName === 'QR_LIMIT_SCENE' || actionName === 'QR_LIMIT_STR_SCENE';
  let expireSeconds: number | null = null;
  if (!permanent) {
    const raw = body.expire_seconds ?? QR_DEFAULT_EXPIRE_SECONDS;
    if (
      typeof raw !== 'number' ||
      !Number.isInteger(raw) ||
      raw < 1 ||
      raw > QR_MAX_EXPIRE_SECONDS
    ) {
      return invalid('expire_seconds');
    }
    expireSeconds = raw;
  }
  switch (actionName) {
    case 'QR_SCENE':
    case 'QR_LIMIT_SCENE': {
      const id = scene.scene_id;
      const max = actionName === 'QR_SCENE' ? 2_147_483_647 : 100_000;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > max) {
        return invalid('scene_id');
      }
      return { actionName, scene: id, expireSeconds };
    }
    case 'QR_STR_SCENE':
    case 'QR_LIMIT_STR_SCENE': {
      const str = scene.scene_str;
      if (typeof str !== 'string' || str.length < 1 || str.length > 64) return invalid('scene_str');
      return { actionName, scene: str, expireSeconds };
    }
    default:
      return invalid('action_name');
  }
}

// ---------------------------------------------------------------- media

export type MediaType = 'image' | 'voice' | 'video' | 'thumb';

/** Temporary-media limits (research §2.8): bytes and accepted file extensions. */
export const MEDIA_LIMITS: Record<MediaType, { maxBytes: number; extensions: readonly string[] }> =
  {
    image: { maxBytes: 10 * 1024 * 1024, extensions: ['jpg', 'jpeg', 'png', 'gif', 'bmp'] },
    voice: { maxBytes: 2 * 1024 * 1024, extensions: ['amr', 'mp3', 'speex'] },
    video: { maxBytes: 10 * 1024 * 1024, extensions: ['mp4'] },
    thumb: { maxBytes: 64 * 1024, extensions: ['jpg', 'jpeg'] },
  };

export function isMediaType(value: unknown): value is MediaType {
  return typeof value === 'string' && value in MEDIA_LIMITS;
}

export function checkMediaFile(type: MediaType, filename: string, size: number): FakeError | null {
  const limits = MEDIA_LIMITS[type];
  const ext = filename.includes('.')
    ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase()
    : '';
  if (!limits.extensions.includes(ext)) return fail(40005, 'invalid file type');
  if (size === 0) return fail(41005, 'media data missing');
  if (size > limits.maxBytes) return fail(40006, 'invalid meida size');
  return null;
}

export function contentTypeFor(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    gif: 'image/gif',
    bmp: 'image/bmp',
    amr: 'audio/amr',
    mp3: 'audio/mpeg',
    speex: 'audio/speex',
    mp4: 'video/mp4',
  };
  return types[ext] ?? 'application/octet-stream';
}
