/* global document, window, localStorage, fetch, crypto, setTimeout, URLSearchParams, console, CSS, Event, FormData, URL, location */
// The simulator page: plays a reader's WeChat for the Official Account. Every action goes to
// api/push, which signs it as WeChat does and posts it to the server's /wechat; what the
// account answers (passive replies, and customer-service or template messages read back from
// the fake WeChat API) is drawn the way WeChat draws it. Plain modern JavaScript, no build.

const TEXTS = {
  'zh-CN': {
    accountName: '书林图书馆',
    readers: '切换读者',
    settings: '设置',
    keyboard: '切换到键盘',
    menu: '切换到菜单',
    voice: '语音',
    more: '更多',
    typeHere: '输入消息',
    send: '发送',
    location: '位置',
    scan: '扫一扫',
    follow: '关注',
    unfollow: '取消关注',
    cancel: '取消',
    ok: '确定',
    sendAction: '发送',
    scanTitle: '扫码',
    scanCode: 'ISBN 或条码',
    scanKey: '菜单按钮（EventKey）',
    scanHint: '13 位数字按 EAN_13 发送（ISBN 条码），网址按二维码，其余按 CODE_128（馆藏条码）。',
    voiceTitle: '发送语音',
    transcript: '语音内容（微信的语音识别结果）',
    voiceHint: '以 Recognition 字段随语音消息推送。',
    locationTitle: '发送位置',
    latitude: '纬度',
    longitude: '经度',
    label: '地点名称',
    followTitle: '关注公众号',
    scene: '二维码场景值（可选）',
    sceneHint: '留空为普通关注；填写后按扫描带参数二维码关注推送（EventKey 为 qrscene_…）。',
    readersTitle: '读者（openid）',
    newReader: '＋ 新读者',
    settingsTitle: '模拟器设置',
    modeLabel: '消息加解密方式',
    plain: '明文模式',
    safe: '安全模式',
    safeUnavailable: '未配置 EncodingAESKey，无法使用安全模式。',
    plainRefused: '服务器要求加密（WECHAT_REQUIRE_ENCRYPTION），明文推送会被拒绝。',
    clearChat: '清空当前读者的聊天记录',
    accountInfo: '公众号 {originalId}（{appid}）',
    noReply: '服务器回复 success，没有被动回复',
    clicked: '点击了菜单「{name}」',
    opened: '打开了「{name}」',
    followed: '你关注了公众号',
    followedScene: '你扫描带参数二维码（{scene}）关注了公众号',
    unfollowed: '你取消关注了公众号',
    pushFailed: '推送失败：{message}',
    networkError: '无法连接模拟器服务：{message}',
    notSimulated: '模拟器不支持「{type}」类型的菜单按钮',
    noMenu: '该公众号没有自定义菜单',
    menuError: '读取菜单失败：{message}',
    staffBanner:
      '馆员工具：此模拟器使用正式公众号的 Token 与 EncodingAESKey 签名，推送会进入正式的消息处理流程。',
    demoBanner: '演示模式：使用内置的演示公众号与模拟微信接口。',
    passiveTag: '被动回复',
    customTag: '客服消息',
    templateTag: '模板消息',
    subscribeTag: '订阅消息',
    plainTag: '明文',
    safeTag: '安全',
    rawTitle: '原始报文',
    rawSent: '推送（明文 XML）',
    rawReceived: '服务器响应',
    rawOpened: '解密后的回复',
    image: '[图片]',
    voiceMsg: '[语音]',
    video: '[视频]',
    music: '[音乐]',
    transfer: '已转接人工客服',
    other: '[{type} 消息]',
    readerLabel: '读者 {openid} · {mode}',
    details: '详情',
    seconds: '{n}″',
    msgmenuHint: '（点击选项会以文字回复）',
  },
  en: {
    accountName: 'Shulin Library',
    readers: 'Switch reader',
    settings: 'Settings',
    keyboard: 'Keyboard',
    menu: 'Menu',
    voice: 'Voice',
    more: 'More',
    typeHere: 'Type a message',
    send: 'Send',
    location: 'Location',
    scan: 'Scan',
    follow: 'Follow',
    unfollow: 'Unfollow',
    cancel: 'Cancel',
    ok: 'OK',
    sendAction: 'Send',
    scanTitle: 'Scan a code',
    scanCode: 'ISBN or barcode',
    scanKey: 'Menu button (EventKey)',
    scanHint:
      '13 digits go as EAN_13 (an ISBN barcode), a URL as a QR code, anything else as CODE_128 (an item barcode).',
    voiceTitle: 'Send a voice message',
    transcript: "What was said (WeChat's speech recognition)",
    voiceHint: 'Pushed in the voice message’s Recognition field.',
    locationTitle: 'Send a location',
    latitude: 'Latitude',
    longitude: 'Longitude',
    label: 'Place name',
    followTitle: 'Follow the account',
    scene: 'QR code scene (optional)',
    sceneHint:
      'Empty for a plain follow; with a scene the follow comes through a parametric QR code (EventKey qrscene_…).',
    readersTitle: 'Readers (openids)',
    newReader: '+ New reader',
    settingsTitle: 'Simulator settings',
    modeLabel: 'Message encryption',
    plain: 'Plaintext',
    safe: 'Safe mode',
    safeUnavailable: 'No EncodingAESKey is configured: safe mode is not available.',
    plainRefused:
      'The server requires encryption (WECHAT_REQUIRE_ENCRYPTION): plaintext pushes are refused.',
    clearChat: "Clear this reader's chat",
    accountInfo: 'Account {originalId} ({appid})',
    noReply: 'The server answered success: no passive reply',
    clicked: 'Tapped the menu button “{name}”',
    opened: 'Opened “{name}”',
    followed: 'You followed the account',
    followedScene: 'You followed through a parametric QR code ({scene})',
    unfollowed: 'You unfollowed the account',
    pushFailed: 'The push failed: {message}',
    networkError: 'Cannot reach the simulator service: {message}',
    notSimulated: 'The simulator does not play “{type}” menu buttons',
    noMenu: 'This account has no custom menu',
    menuError: 'Could not read the menu: {message}',
    staffBanner:
      "Staff tool: this simulator signs with the real Official Account's Token and EncodingAESKey; pushes go through the live message pipeline.",
    demoBanner: 'Demo mode: the built-in demo account and a simulated WeChat API.',
    passiveTag: 'reply',
    customTag: 'customer service',
    templateTag: 'template',
    subscribeTag: 'subscription',
    plainTag: 'plain',
    safeTag: 'safe',
    rawTitle: 'Raw messages',
    rawSent: 'Push (plaintext XML)',
    rawReceived: 'Server response',
    rawOpened: 'Decrypted reply',
    image: '[Image]',
    voiceMsg: '[Voice]',
    video: '[Video]',
    music: '[Music]',
    transfer: 'Transferred to a librarian',
    other: '[{type} message]',
    readerLabel: 'Reader {openid} · {mode}',
    details: 'Details',
    seconds: '{n}″',
    msgmenuHint: '(tapping an option answers with its text)',
  },
};

const LOCATIONS = [
  {
    latitude: 30.2745,
    longitude: 120.1255,
    label: { 'zh-CN': '书林路（总馆附近）', en: 'Shulin Road (near the Main Library)' },
  },
  {
    latitude: 30.255,
    longitude: 120.1785,
    label: { 'zh-CN': '医学院路', en: 'Medical College Road' },
  },
];
const EXAMPLE_CODES = ['9787500007913', '978-7-02-000220-7', '31001000123'];
const STORE = 'shulin.simulator.';

// ------------------------------------------------------------------ state

const state = {
  lang: stored('lang') === 'en' ? 'en' : 'zh-CN',
  mode: stored('mode') === 'safe' ? 'safe' : 'plain',
  readers: readReaders(),
  current: '',
  info: { mode: 'demo', safeMode: true, requireEncryption: false, appid: '', originalId: '' },
  buttons: [],
  /** openid → entries (what the chat shows). */
  chats: new Map(),
  /** openid → cursor of the messages read back from the WeChat API. */
  cursors: new Map(),
  messagesAvailable: true,
  keyboard: false,
};
state.current =
  stored('current') && state.readers.includes(stored('current'))
    ? stored('current')
    : state.readers[0];

function stored(name) {
  try {
    return localStorage.getItem(STORE + name);
  } catch {
    return null;
  }
}

function store(name, value) {
  try {
    localStorage.setItem(STORE + name, value);
  } catch {
    // Private windows may refuse storage; the page works without it.
  }
}

function readReaders() {
  let list = [];
  try {
    list = JSON.parse(stored('readers') ?? '[]');
  } catch {
    list = [];
  }
  list = Array.isArray(list)
    ? list.filter((o) => typeof o === 'string' && /^[\w-]{1,64}$/.test(o))
    : [];
  if (list.length === 0) list = [newOpenid()];
  return list;
}

// Real openids are 28 characters of base64url starting with "o".
function newOpenid() {
  const bytes = crypto.getRandomValues(new Uint8Array(27));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return (
    'o' +
    Array.from(bytes, (b) => alphabet[b & 63])
      .join('')
      .slice(0, 27)
  );
}

function t(key, params = {}) {
  const text = TEXTS[state.lang][key] ?? TEXTS['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? String(params[name]) : whole,
  );
}

// ------------------------------------------------------------------ DOM helpers

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

function decodeEntities(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

// The reader pages learn who the reader is through WeChat's OAuth; in demo mode the
// built-in fake WeChat takes an openid hint, so a page opened here belongs to the reader
// the simulator plays.
function asReader(href) {
  try {
    const url = new URL(href, location.href);
    if (url.origin === location.origin && url.pathname.endsWith('/api/v1/auth/wechat')) {
      url.searchParams.set('openid', state.current);
      return url.toString();
    }
  } catch {
    // not a URL: left as it is
  }
  return href;
}

function link(href, label) {
  return el('a', { href: asReader(href), target: '_blank', rel: 'noopener' }, label);
}

// WeChat renders <a href="…">…</a> in text replies and turns bare URLs into links; nothing
// else in the text is markup, so everything else goes in as text.
function richText(content) {
  const fragment = document.createDocumentFragment();
  const pattern =
    /<a\s+[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>(.*?)<\/a>|(https?:\/\/[^\s<>"'，。；、）)\]]+)/gis;
  let last = 0;
  for (const match of content.matchAll(pattern)) {
    fragment.append(content.slice(last, match.index));
    const href = decodeEntities(match[2] ?? match[4]);
    const label = match[3] !== undefined ? decodeEntities(match[3].replace(/<[^>]*>/g, '')) : href;
    fragment.append(/^https?:\/\//i.test(href) ? link(href, label) : label);
    last = match.index + match[0].length;
  }
  fragment.append(content.slice(last));
  return fragment;
}

// ------------------------------------------------------------------ chat entries

let nextId = 1;

function chatOf(openid) {
  if (!state.chats.has(openid)) state.chats.set(openid, []);
  return state.chats.get(openid);
}

function add(openid, entry) {
  const full = { id: nextId++, time: Date.now(), ...entry };
  chatOf(openid).push(full);
  if (openid === state.current) {
    if (chatOf(openid).length === 1) $('chat').append(timeLabel(full.time));
    $('chat').append(renderEntry(full));
    scrollDown();
  }
  return full.id;
}

function replace(openid, id, entry) {
  const list = chatOf(openid);
  const index = list.findIndex((e) => e.id === id);
  if (index === -1) return;
  const full = { id, time: list[index].time, ...entry };
  list[index] = full;
  if (openid === state.current) {
    const node = $('chat').querySelector(`[data-entry="${id}"]`);
    if (node) node.replaceWith(renderEntry(full));
    scrollDown();
  }
}

function scrollDown() {
  const chat = $('chat');
  chat.scrollTop = chat.scrollHeight;
}

function clock(time) {
  const d = new Date(time);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

// Readers are numbered in the order they were made, each with a colour of its own.
function readerBadge(openid) {
  const n = state.readers.indexOf(openid) + 1;
  let hash = 0;
  for (const c of openid) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return { text: n > 0 ? String(n) : '?', color: `hsl(${hash % 360} 35% 58%)` };
}

function row(side, entryId, ...content) {
  const badge = readerBadge(state.current);
  const avatar = el(
    'div',
    {
      class: 'avatar',
      'aria-hidden': 'true',
      style: side === 'mine' ? `background:${badge.color}` : undefined,
    },
    side === 'mine' ? badge.text : '书',
  );
  return el(
    'div',
    { class: `row ${side}`, 'data-entry': entryId },
    avatar,
    el('div', { class: 'stack' }, ...content),
  );
}

function timeLabel(time) {
  return el('div', { class: 'time' }, clock(time));
}

function renderEntry(entry) {
  switch (entry.who) {
    case 'me':
      return row('mine', entry.id, renderMine(entry));
    case 'note': {
      const text = el('span', {}, entry.key ? t(entry.key, entry.params) : entry.text);
      if (entry.raw) {
        text.title = t('rawTitle');
        text.style.cursor = 'pointer';
        text.addEventListener('click', () => showRaw(entry.raw));
      }
      return el(
        'div',
        { class: `note${entry.error ? ' error' : ''}`, 'data-entry': entry.id },
        text,
      );
    }
    case 'pending':
      return row('theirs', entry.id, el('div', { class: 'bubble pending' }, '···'));
    case 'account':
      return row('theirs', entry.id, renderReply(entry.reply), renderMeta(entry));
    case 'notice':
      return row('theirs', entry.id, renderNotice(entry.message), renderMeta(entry));
    default:
      return el('div', { 'data-entry': entry.id });
  }
}

function renderMine(entry) {
  switch (entry.type) {
    case 'text':
      return el('div', { class: 'bubble' }, entry.content);
    case 'voice': {
      const seconds = Math.max(1, Math.min(60, Math.round(entry.transcript.length / 4)));
      const fragment = document.createDocumentFragment();
      fragment.append(
        el(
          'div',
          { class: 'bubble voice', style: `width:${Math.min(200, 70 + seconds * 4)}px` },
          `${t('seconds', { n: seconds })}  )))`,
        ),
        el('div', { class: 'transcript' }, entry.transcript),
      );
      return fragment;
    }
    case 'scan':
      return el('div', { class: 'bubble scan-result' }, entry.result);
    case 'location':
      return el(
        'div',
        { class: 'bubble' },
        `📍 ${entry.label || `${entry.latitude}, ${entry.longitude}`}`,
      );
    default:
      return el('div', { class: 'bubble' }, '');
  }
}

function renderReply(reply) {
  switch (reply.type) {
    case 'text':
      return el('div', { class: 'bubble' }, richText(reply.content));
    case 'news':
      return renderNews(reply.articles);
    case 'image':
      return placeholder('🖼', t('image'), reply.mediaId);
    case 'voice':
      return placeholder('🔊', t('voiceMsg'), reply.mediaId);
    case 'video':
      return placeholder(
        '🎬',
        reply.title ? `${t('video')} ${reply.title}` : t('video'),
        reply.description,
      );
    case 'music': {
      const title = reply.title ? `${t('music')} ${reply.title}` : t('music');
      return placeholder(
        '🎵',
        reply.musicUrl ? link(reply.musicUrl, title) : title,
        reply.description,
      );
    }
    case 'transfer_customer_service':
      return placeholder('👤', t('transfer'), reply.kfAccount);
    case 'msgmenu':
      return el(
        'div',
        { class: 'bubble' },
        reply.head ? `${reply.head}\n` : '',
        ...reply.options.map((o) =>
          el(
            'div',
            {},
            el(
              'a',
              { href: '#', onclick: (event) => (event.preventDefault(), sendText(o.content)) },
              o.content,
            ),
          ),
        ),
        reply.tail ? `\n${reply.tail}` : '',
      );
    default:
      return placeholder('✉', t('other', { type: reply.msgType || '?' }));
  }
}

function placeholder(glyph, title, detail) {
  return el(
    'div',
    { class: 'bubble placeholder' },
    el('span', { class: 'glyph', 'aria-hidden': 'true' }, glyph),
    el(
      'span',
      {},
      title,
      detail ? el('small', { style: 'display:block;color:#999;font-size:11px' }, detail) : null,
    ),
  );
}

function renderNews(articles) {
  const card = el('div', { class: 'card' });
  const [lead, ...rest] = articles;
  if (!lead) return card;
  const wrap = (article, content) =>
    article.url ? link(article.url, content) : el('div', {}, content);
  if (rest.length === 0) {
    card.append(
      wrap(
        lead,
        el(
          'div',
          { class: 'single' },
          el('h3', {}, lead.title),
          lead.description ? el('p', {}, lead.description) : null,
        ),
      ),
    );
    card.append(el('div', { class: 'foot' }, t('details')));
    return card;
  }
  const pic = el(
    'div',
    {
      class: 'pic',
      style: lead.picUrl ? `background-image:url("${CSS.escape(lead.picUrl)}")` : undefined,
    },
    el('span', {}, lead.title),
  );
  card.append(wrap(lead, el('div', { class: 'lead' }, pic)));
  for (const article of rest) {
    const thumb = el('i', {
      style: article.picUrl ? `background-image:url("${CSS.escape(article.picUrl)}")` : undefined,
    });
    card.append(wrap(article, el('div', { class: 'item' }, el('span', {}, article.title), thumb)));
  }
  return card;
}

function renderNotice(message) {
  const box = el('div', { class: 'template' }, el('h3', {}, message.templateId));
  const list = el('dl');
  for (const field of message.data)
    list.append(el('dt', {}, field.name), el('dd', {}, field.value));
  box.append(list);
  if (message.url)
    box.append(
      /^https?:/i.test(message.url)
        ? link(message.url, `${t('details')} ›`)
        : el('span', {}, message.url),
    );
  return box;
}

function renderMeta(entry) {
  const tags = [];
  if (entry.source === 'passive') {
    tags.push(
      t('passiveTag'),
      entry.mode === 'safe' ? t('safeTag') : t('plainTag'),
      `${Math.round(entry.latencyMs)} ms`,
    );
  } else {
    tags.push(t(`${entry.source}Tag`));
  }
  const meta = el(
    'div',
    { class: 'meta', title: entry.raw ? t('rawTitle') : undefined },
    ...tags.map((tag) => el('span', { class: 'tag' }, tag)),
  );
  if (entry.raw) meta.addEventListener('click', () => showRaw(entry.raw));
  return meta;
}

function renderChat() {
  const chat = $('chat');
  chat.replaceChildren();
  const entries = chatOf(state.current);
  if (entries[0]) chat.append(timeLabel(entries[0].time));
  for (const entry of entries) chat.append(renderEntry(entry));
  scrollDown();
}

// ------------------------------------------------------------------ talking to the server

async function api(path, init) {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const reason = body.reason ? ` (${body.reason})` : '';
    throw new Error(`${body.title ?? `HTTP ${response.status}`}${reason}`);
  }
  return body;
}

/** Sends one action for the current reader; `mine` is what the reader's side of the chat shows. */
async function push(action, mine) {
  const openid = state.current;
  const mode = state.mode;
  if (mine) add(openid, mine);
  const pending = add(openid, { who: 'pending', pending: true });
  try {
    const result = await api('api/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid, mode, action }),
    });
    const raw = { sent: result.sent, raw: result.raw, xml: result.encrypted ? result.xml : null };
    if (result.reply) {
      replace(openid, pending, {
        who: 'account',
        reply: result.reply,
        source: 'passive',
        mode,
        latencyMs: result.latencyMs,
        raw,
      });
    } else {
      replace(openid, pending, { who: 'note', key: 'noReply', raw });
    }
  } catch (error) {
    replace(openid, pending, {
      who: 'note',
      error: true,
      text: t('pushFailed', { message: error.message }),
    });
  }
  void poll();
}

function sendText(text) {
  const content = text.trim();
  if (!content) return;
  void push({ kind: 'text', content }, { who: 'me', type: 'text', content });
}

let polling = false;

async function poll() {
  if (!state.messagesAvailable || polling) return;
  polling = true;
  const openid = state.current;
  try {
    const params = new URLSearchParams({ openid });
    const cursor = state.cursors.get(openid);
    if (cursor) params.set('after', cursor);
    const result = await api(`api/messages?${params}`);
    if (!result.available) {
      state.messagesAvailable = false;
      return;
    }
    state.cursors.set(openid, result.cursor);
    for (const message of result.messages) {
      if (message.source === 'custom')
        add(openid, { who: 'account', reply: message.reply, source: 'custom' });
      else add(openid, { who: 'notice', message, source: message.source });
    }
  } catch (error) {
    console.warn('polling messages failed', error);
  } finally {
    polling = false;
  }
}

function schedulePolling() {
  setTimeout(async () => {
    await poll();
    schedulePolling();
  }, 1500);
}

// ------------------------------------------------------------------ menu

function buttonName(button) {
  return button.names[state.lang] ?? button.names['zh-CN'];
}

function renderMenu() {
  const bar = $('menu-buttons');
  bar.replaceChildren();
  closeSubmenu();
  if (state.buttons.length === 0) {
    bar.append(el('div', { class: 'menu-empty' }, t('noMenu')));
    return;
  }
  for (const button of state.buttons) {
    const node = el(
      'button',
      {
        type: 'button',
        class: button.sub ? 'parent' : undefined,
        'aria-haspopup': button.sub ? 'menu' : undefined,
      },
      buttonName(button),
    );
    node.addEventListener('click', () => (button.sub ? toggleSubmenu(button, node) : act(button)));
    bar.append(node);
  }
}

let openParent = null;

function toggleSubmenu(button, node) {
  if (openParent === node) return closeSubmenu();
  closeSubmenu();
  openParent = node;
  node.setAttribute('aria-expanded', 'true');
  const menu = $('submenu');
  menu.replaceChildren(
    ...button.sub.map((sub) =>
      el(
        'button',
        { type: 'button', role: 'menuitem', onclick: () => (closeSubmenu(), act(sub)) },
        buttonName(sub),
      ),
    ),
  );
  menu.hidden = false;
  // Centred over its button, kept inside the phone.
  const bottom = $('bottom').getBoundingClientRect();
  const rect = node.getBoundingClientRect();
  const width = Math.max(menu.offsetWidth, rect.width - 8);
  menu.style.minWidth = `${rect.width - 8}px`;
  const left = Math.min(
    Math.max(rect.left - bottom.left + rect.width / 2 - width / 2, 6),
    bottom.width - width - 6,
  );
  menu.style.left = `${left}px`;
  menu.style.setProperty('--arrow', `${rect.left - bottom.left + rect.width / 2 - left}px`);
}

function closeSubmenu() {
  if (openParent) openParent.removeAttribute('aria-expanded');
  openParent = null;
  $('submenu').hidden = true;
}

function act(button) {
  const name = buttonName(button);
  switch (button.type) {
    case 'click':
      void push(
        { kind: 'click', key: button.key },
        { who: 'note', key: 'clicked', params: { name } },
      );
      break;
    case 'view':
      window.open(button.url, '_blank', 'noopener');
      void push(
        { kind: 'view', url: button.url },
        { who: 'note', key: 'opened', params: { name } },
      );
      break;
    case 'scancode_waitmsg':
    case 'scancode_push':
      openScan(button.key);
      break;
    case 'location_select':
      openLocation();
      break;
    default:
      add(state.current, { who: 'note', key: 'notSimulated', params: { type: button.type } });
  }
}

async function loadMenu() {
  try {
    const result = await api('api/menu');
    state.buttons = result.buttons;
  } catch (error) {
    state.buttons = [];
    add(state.current, {
      who: 'note',
      error: true,
      text: t('menuError', { message: error.message }),
    });
  }
  if (state.buttons.length === 0) setKeyboard(true);
  renderMenu();
}

function scanKeys() {
  const keys = [];
  const visit = (button) => {
    if (button.sub) button.sub.forEach(visit);
    else if (button.type === 'scancode_waitmsg' || button.type === 'scancode_push')
      keys.push({ key: button.key, name: buttonName(button) });
  };
  state.buttons.forEach(visit);
  if (keys.length === 0) keys.push({ key: 'SCAN_SEARCH', name: 'SCAN_SEARCH' });
  return keys;
}

// ------------------------------------------------------------------ sheets

let sheetSubmit = null;

function openSheet(title, body, onSubmit, okLabel = 'sendAction') {
  $('sheet-title').textContent = title;
  $('sheet-body').replaceChildren(body);
  $('sheet-ok').textContent = t(okLabel);
  $('sheet-ok').hidden = !onSubmit;
  sheetSubmit = onSubmit;
  $('sheet').hidden = false;
  const first = $('sheet-body').querySelector('input:not([type=radio]), textarea');
  if (first) first.focus();
}

function closeSheet() {
  $('sheet').hidden = true;
  sheetSubmit = null;
}

function field(labelKey, input) {
  const fragment = document.createDocumentFragment();
  const id = `f-${input.name}`;
  input.id = id;
  fragment.append(el('label', { for: id }, t(labelKey)), input);
  return fragment;
}

function chips(values, onPick) {
  return el(
    'div',
    { class: 'chips' },
    ...values.map((v) => el('button', { type: 'button', onclick: () => onPick(v) }, v.label ?? v)),
  );
}

function scanResult(code) {
  const trimmed = code.trim();
  const digits = trimmed.replace(/[\s-]/g, '');
  if (/^\d{13}$/.test(digits)) return `EAN_13,${digits}`;
  if (/^\d{8}$/.test(digits)) return `EAN_8,${digits}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  return `CODE_128,${trimmed}`;
}

function openScan(key) {
  const keys = scanKeys();
  const code = el('input', { name: 'code', required: true, inputmode: 'text', maxlength: 512 });
  const select = el(
    'select',
    { name: 'key' },
    ...keys.map((k) =>
      el(
        'option',
        { value: k.key, selected: k.key === (key ?? keys[0].key) },
        `${k.name} — ${k.key}`,
      ),
    ),
  );
  const body = el(
    'div',
    {},
    field('scanCode', code),
    chips(EXAMPLE_CODES, (v) => (code.value = v)),
    field('scanKey', select),
    el('p', { class: 'hint' }, t('scanHint')),
  );
  openSheet(t('scanTitle'), body, (form) => {
    const value = String(form.get('code') ?? '').trim();
    if (!value) return false;
    void push(
      { kind: 'scan', key: String(form.get('key')), code: value },
      { who: 'me', type: 'scan', result: scanResult(value) },
    );
  });
}

function openVoice() {
  const text = el('textarea', { name: 'transcript', required: true, maxlength: 2048 });
  const body = el(
    'div',
    {},
    field('transcript', text),
    chips(['红楼梦', '我的借阅', 'opening hours'], (v) => (text.value = v)),
    el('p', { class: 'hint' }, t('voiceHint')),
  );
  openSheet(t('voiceTitle'), body, (form) => {
    const transcript = String(form.get('transcript') ?? '').trim();
    if (!transcript) return false;
    void push({ kind: 'voice', recognition: transcript }, { who: 'me', type: 'voice', transcript });
  });
}

function openLocation() {
  const [first] = LOCATIONS;
  const lat = el('input', {
    name: 'latitude',
    type: 'number',
    step: 'any',
    min: -90,
    max: 90,
    required: true,
    value: first.latitude,
  });
  const lng = el('input', {
    name: 'longitude',
    type: 'number',
    step: 'any',
    min: -180,
    max: 180,
    required: true,
    value: first.longitude,
  });
  const label = el('input', { name: 'label', maxlength: 200, value: first.label[state.lang] });
  const pick = (place) => {
    lat.value = place.latitude;
    lng.value = place.longitude;
    label.value = place.label[state.lang];
  };
  const body = el(
    'div',
    {},
    chips(
      LOCATIONS.map((p) => ({ ...p, label: p.label[state.lang], place: p })),
      (v) => pick(v.place),
    ),
    field('latitude', lat),
    field('longitude', lng),
    field('label', label),
  );
  openSheet(t('locationTitle'), body, (form) => {
    const latitude = Number(form.get('latitude'));
    const longitude = Number(form.get('longitude'));
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return false;
    const where = String(form.get('label') ?? '').trim();
    void push(
      { kind: 'location', latitude, longitude, label: where },
      { who: 'me', type: 'location', latitude, longitude, label: where },
    );
  });
}

function openFollow() {
  const scene = el('input', { name: 'scene', maxlength: 64, placeholder: 'bind_desk_1' });
  const body = el(
    'div',
    {},
    field('scene', scene),
    chips(['bind_desk_1', 'bind'], (v) => (scene.value = v)),
    el('p', { class: 'hint' }, t('sceneHint')),
  );
  openSheet(
    t('followTitle'),
    body,
    (form) => {
      const value = String(form.get('scene') ?? '').trim();
      const action = value ? { kind: 'follow', scene: value } : { kind: 'follow' };
      void push(
        action,
        value
          ? { who: 'note', key: 'followedScene', params: { scene: value } }
          : { who: 'note', key: 'followed' },
      );
    },
    'follow',
  );
}

function unfollow() {
  void push({ kind: 'unfollow' }, { who: 'note', key: 'unfollowed' });
}

function openReaders() {
  const list = el('div', { class: 'readers' });
  const draw = () => {
    list.replaceChildren(
      ...state.readers.map((openid) =>
        el(
          'label',
          {},
          el('input', {
            type: 'radio',
            name: 'reader',
            value: openid,
            checked: openid === state.current,
          }),
          openid,
        ),
      ),
    );
  };
  draw();
  const newReader = el(
    'button',
    {
      type: 'button',
      class: 'link-button',
      id: 'new-reader',
      onclick: () => {
        const openid = newOpenid();
        state.readers.push(openid);
        saveReaders();
        draw();
        list.querySelector(`input[value="${openid}"]`).checked = true;
      },
    },
    t('newReader'),
  );
  openSheet(
    t('readersTitle'),
    el('div', {}, list, newReader),
    (form) => {
      const openid = String(form.get('reader') ?? '');
      if (state.readers.includes(openid)) switchReader(openid);
    },
    'ok',
  );
}

function openSettings() {
  const choice = (value, labelKey, disabled) =>
    el(
      'label',
      {},
      el('input', { type: 'radio', name: 'mode', value, checked: state.mode === value, disabled }),
      t(labelKey),
    );
  const hints = [];
  if (!state.info.safeMode) hints.push(el('p', { class: 'hint' }, t('safeUnavailable')));
  if (state.info.requireEncryption) hints.push(el('p', { class: 'hint' }, t('plainRefused')));
  const clear = el(
    'button',
    {
      type: 'button',
      class: 'link-button',
      onclick: () => {
        state.chats.set(state.current, []);
        renderChat();
        closeSheet();
      },
    },
    t('clearChat'),
  );
  const body = el(
    'div',
    {},
    el('label', {}, t('modeLabel')),
    el(
      'div',
      { class: 'choice' },
      choice('plain', 'plain', false),
      choice('safe', 'safe', !state.info.safeMode),
    ),
    ...hints,
    el(
      'p',
      { class: 'hint' },
      t('accountInfo', { originalId: state.info.originalId, appid: state.info.appid }),
    ),
    clear,
  );
  openSheet(
    t('settingsTitle'),
    body,
    (form) => {
      const mode = form.get('mode');
      if (mode === 'plain' || mode === 'safe') {
        state.mode = mode;
        store('mode', mode);
        renderChrome();
      }
    },
    'ok',
  );
}

function showRaw(raw) {
  const section = (key, text) => (text ? [el('label', {}, t(key)), el('pre', {}, text)] : []);
  openSheet(
    t('rawTitle'),
    el(
      'div',
      {},
      ...section('rawSent', raw.sent),
      ...section('rawReceived', raw.raw),
      ...section('rawOpened', raw.xml),
    ),
    null,
  );
}

// ------------------------------------------------------------------ chrome

function saveReaders() {
  store('readers', JSON.stringify(state.readers));
}

function switchReader(openid) {
  state.current = openid;
  store('current', openid);
  renderChrome();
  renderChat();
  void poll();
}

function setKeyboard(on) {
  state.keyboard = on;
  $('menu-bar').hidden = on;
  $('input-bar').hidden = !on;
  $('to-menu').hidden = state.buttons.length === 0;
  $('extras').hidden = true;
  closeSubmenu();
  if (on) $('text-input').focus();
}

function renderChrome() {
  document.documentElement.lang = state.lang;
  document.title = state.lang === 'en' ? 'Shulin · WeChat simulator' : '书林 · 微信模拟器';
  for (const node of document.querySelectorAll('[data-i18n]'))
    node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-title]'))
    node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]'))
    node.placeholder = t(node.dataset.i18nPlaceholder);
  $('lang-button').textContent = state.lang === 'en' ? '中' : 'EN';
  $('lang-button').lang = state.lang === 'en' ? 'zh-CN' : 'en';
  const badge = readerBadge(state.current);
  $('reader-avatar').textContent = badge.text;
  $('reader-avatar').style.background = badge.color;
  $('reader-label').textContent = t('readerLabel', {
    openid: `${state.current.slice(0, 6)}…${state.current.slice(-4)}`,
    mode: state.mode === 'safe' ? t('safe') : t('plain'),
  });
  const banner = $('banner');
  banner.hidden = state.info.mode !== 'staff';
  banner.textContent = state.info.mode === 'staff' ? t('staffBanner') : '';
}

function setLanguage(lang) {
  state.lang = lang;
  store('lang', lang);
  renderChrome();
  renderMenu();
  renderChat();
}

function wire() {
  $('lang-button').addEventListener('click', () =>
    setLanguage(state.lang === 'en' ? 'zh-CN' : 'en'),
  );
  $('readers-button').addEventListener('click', openReaders);
  $('settings-button').addEventListener('click', openSettings);
  $('to-keyboard').addEventListener('click', () => setKeyboard(true));
  $('to-menu').addEventListener('click', () => setKeyboard(false));
  $('voice-button').addEventListener('click', openVoice);
  $('plus-button').addEventListener('click', () => ($('extras').hidden = !$('extras').hidden));
  const input = $('text-input');
  input.addEventListener('input', () => {
    const typing = input.value.trim() !== '';
    $('send-button').hidden = !typing;
    $('plus-button').hidden = typing;
  });
  $('input-bar').addEventListener('submit', (event) => {
    event.preventDefault();
    sendText(input.value);
    input.value = '';
    input.dispatchEvent(new Event('input'));
  });
  $('extras').addEventListener('click', (event) => {
    const extra = event.target.closest('[data-extra]')?.dataset.extra;
    if (!extra) return;
    $('extras').hidden = true;
    if (extra === 'voice') openVoice();
    else if (extra === 'location') openLocation();
    else if (extra === 'scan') openScan();
    else if (extra === 'follow') openFollow();
    else if (extra === 'unfollow') unfollow();
  });
  $('sheet-cancel').addEventListener('click', closeSheet);
  $('sheet').addEventListener('click', (event) => {
    if (event.target === $('sheet')) closeSheet();
  });
  $('sheet-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const submit = sheetSubmit;
    if (!submit) return closeSheet();
    if (submit(new FormData($('sheet-form'))) !== false) closeSheet();
  });
  $('chat').addEventListener('click', () => closeSubmenu());
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      closeSheet();
      closeSubmenu();
    }
  });
}

async function start() {
  saveReaders();
  store('current', state.current);
  wire();
  renderChrome();
  try {
    state.info = await api('api/info');
    if (state.info.requireEncryption && state.info.safeMode) state.mode = 'safe';
    if (!state.info.safeMode) state.mode = 'plain';
  } catch (error) {
    add(state.current, {
      who: 'note',
      error: true,
      text: t('networkError', { message: error.message }),
    });
  }
  renderChrome();
  await loadMenu();
  document.body.dataset.ready = 'true';
  await poll();
  schedulePolling();
}

void start();
