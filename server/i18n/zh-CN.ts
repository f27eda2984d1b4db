/**
 * Reader-facing text in Simplified Chinese, the default language. Every key here
 * has an English twin in `en.ts` (the type checker holds them together).
 * `{name}` placeholders are filled by `t()`.
 */
export const zhCN = {
  'ils.refusal.INVALID_CREDENTIALS': '证号或密码不正确。',
  'ils.refusal.PATRON_NOT_FOUND': '没有找到这个读者证号。',
  'ils.refusal.PATRON_BLOCKED': '您的读者证已被暂停使用，请到服务台咨询。',
  'ils.refusal.CARD_EXPIRED': '您的读者证已过期，请到服务台办理续期。',
  'ils.refusal.LOAN_NOT_FOUND': '您没有借阅这本书。',
  'ils.refusal.RENEWAL_LIMIT_REACHED': '已达到最大续借次数。',
  'ils.refusal.LOAN_NOT_RENEWABLE': '这类图书不能续借，请按期归还。',
  'ils.refusal.ITEM_HAS_HOLD_FOR_OTHER': '该书已被其他读者预约，无法续借，请按期归还。',
  'ils.refusal.TOO_EARLY': '还未到可续借时间，最早可在 {earliest} 续借。',
  'ils.refusal.DUE_DATE_UNCHANGED': '续借不会延长应还日期，无需续借。',
  'ils.refusal.PATRON_HAS_OVERDUES': '您有超期未还的图书，请先归还后再续借。',
  'ils.refusal.FINES_OVER_LIMIT': '您的欠款超过限额，请先缴清后再办理。',
  'ils.refusal.ITEM_LOST': '该书已登记为丢失或声明已还，需到服务台办理。',
  'ils.refusal.ITEM_NOT_FOUND': '没有找到这个条码对应的图书。',
  'ils.refusal.ITEM_NOT_LOANABLE': '该书不外借。',
  'ils.refusal.ITEM_ALREADY_CHECKED_OUT': '该书已被借出。',
  'ils.refusal.ITEM_NOT_CHECKED_OUT': '该书当前没有被借出。',
  'ils.refusal.LOAN_LIMIT_REACHED': '您的借阅数量已达上限。',
  'ils.refusal.HOLD_NOT_FOUND': '没有找到这条预约。',
  'ils.refusal.HOLD_ALREADY_PLACED': '您已经预约过这本书。',
  'ils.refusal.HOLD_LIMIT_REACHED': '您的预约数量已达上限。',
  'ils.refusal.HOLD_NOT_ALLOWED': '这本书不接受预约。',
  'ils.refusal.ALREADY_ON_LOAN_TO_PATRON': '这本书正借在您名下，无需预约。',
  'ils.refusal.PICKUP_LOCATION_INVALID': '所选取书地点不可用，请另选一个。',
  'ils.refusal.PICKUP_LOCATION_REQUIRED': '请选择取书地点。',
  'ils.refusal.NOT_SUPPORTED': '图书馆系统暂不支持在线办理此项业务，请到服务台办理。',
  'ils.refusal.ILS_REFUSED': '图书馆系统未能办理此项业务。',
  'ils.refusal.ILS_UNAVAILABLE': '图书馆系统暂时没有响应，请稍后再试。',
  'accounts.UNAUTHENTICATED': '请先登录或从公众号菜单进入。',
  'accounts.NOT_BOUND': '您还没有绑定读者证，请先绑定。',
  'accounts.NOT_IN_WECHAT': '绑定读者证需要在微信中打开本页面。',
  'accounts.REBIND_REQUIRED': '请重新绑定读者证。',
  'accounts.BIND_LOCKED': '密码错误次数过多，请 {minutes} 分钟后再试。',
  'accounts.ATTEMPTS_LEFT': '还可以再试 {count} 次。',
  'accounts.OAUTH_STATE_INVALID': '登录链接已失效，请从公众号菜单重新进入。',
  'accounts.OAUTH_CODE_INVALID': '微信授权已失效，请从公众号菜单重新进入。',
  'accounts.OAUTH_SNAPSHOT_USER': '请点击页面下方的“使用完整服务”后再试。',
  'accounts.WECHAT_UNAVAILABLE': '微信服务暂时没有响应，请稍后再试。',
  'accounts.INVALID_REQUEST': '请求内容不完整或格式不正确。',
  'accounts.FORBIDDEN_ORIGIN': '请求来源不被允许。',
} as const;

export type MessageKey = keyof typeof zhCN;
