/** Request and response shapes of the WeChat APIs the client wraps (research §2). */

interface CustomBase {
  touser: string;
  /** Send as a named 客服 agent. */
  customservice?: { kf_account: string };
}

export interface NewsArticle {
  title: string;
  description?: string;
  url: string;
  picurl?: string;
}

/** A 客服 message body as /cgi-bin/message/custom/send takes it. */
export type CustomMessage = CustomBase &
  (
    | { msgtype: 'text'; text: { content: string } }
    | { msgtype: 'image'; image: { media_id: string } }
    | { msgtype: 'voice'; voice: { media_id: string } }
    | {
        msgtype: 'video';
        video: { media_id: string; thumb_media_id?: string; title?: string; description?: string };
      }
    | {
        msgtype: 'music';
        music: {
          title?: string;
          description?: string;
          musicurl: string;
          hqmusicurl: string;
          thumb_media_id: string;
        };
      }
    // Exactly one article since 2018-10; more is 45008.
    | { msgtype: 'news'; news: { articles: [NewsArticle] } }
    | { msgtype: 'mpnewsarticle'; mpnewsarticle: { article_id: string } }
    | {
        msgtype: 'msgmenu';
        msgmenu: {
          head_content?: string;
          list: Array<{ id: string; content: string }>;
          tail_content?: string;
        };
      }
    | {
        msgtype: 'miniprogrampage';
        miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string };
      }
  );

export type MenuButtonType =
  | 'click'
  | 'view'
  | 'miniprogram'
  | 'scancode_push'
  | 'scancode_waitmsg'
  | 'pic_sysphoto'
  | 'pic_photo_or_album'
  | 'pic_weixin'
  | 'location_select'
  | 'media_id'
  | 'article_id'
  | 'article_view_limited'
  | 'view_limited';

export interface MenuLeaf {
  type: MenuButtonType;
  name: string;
  key?: string;
  url?: string;
  appid?: string;
  pagepath?: string;
  media_id?: string;
  article_id?: string;
  sub_button?: [];
}

export interface MenuParent {
  name: string;
  sub_button: MenuLeaf[];
}

export interface Menu {
  button: Array<MenuLeaf | MenuParent>;
}

/** What GET /cgi-bin/menu/get answers (`menu` is the developer-configured menu). */
export interface MenuInfo {
  menu: Menu & { menuid?: number | string };
  conditionalmenu?: unknown[];
}

export type TemplateData = Record<string, { value: string }>;

export interface TemplateMessage {
  touser: string;
  templateId: string;
  url?: string;
  /** Wins over `url` when both are given. */
  miniprogram?: { appid: string; pagepath?: string };
  /**
   * Idempotency key: WeChat sends one message per openid + clientMsgId within 10 minutes.
   * Pass a stable business key (e.g. `due:2025-03-01:<loanId>`) so job retries are safe.
   */
  clientMsgId?: string;
  data: TemplateData;
}

export interface SubscribeMessage {
  touser: string;
  templateId: string;
  page?: string;
  miniprogram?: { appid: string; pagepath?: string };
  data: TemplateData;
}

export interface OauthIdentity {
  openid: string;
  scope: string;
  unionid?: string;
  /** Only ever true when `allowSnapshotUser` was asked for. */
  isSnapshotUser: boolean;
}

export interface JssdkConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
  openTagList: string[];
}

export interface QrCode {
  ticket: string;
  /** The content encoded in the code (a weixin.qq.com/q/… URL). */
  url: string;
  /** null for permanent codes. */
  expireSeconds: number | null;
  /** Where the PNG is served: showqrcode with the ticket URL-encoded. */
  imageUrl: string;
}

export type MediaType = 'image' | 'voice' | 'video' | 'thumb';

export interface UploadedMedia {
  type: MediaType;
  mediaId: string;
  /** Unix seconds; temporary media lives 3 days. */
  createdAt: number;
}

export interface DownloadedMedia {
  contentType: string;
  bytes: Uint8Array;
  filename?: string;
}
