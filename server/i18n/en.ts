import type { MessageKey } from './zh-CN.ts';

/** Reader-facing text in English: one entry for every key of `zh-CN.ts`. */
export const en: Record<MessageKey, string> = {
  'ils.refusal.INVALID_CREDENTIALS': 'The card number or password is not correct.',
  'ils.refusal.PATRON_NOT_FOUND': 'There is no reader with this card number.',
  'ils.refusal.PATRON_BLOCKED': 'Your card is suspended. Please ask at the service desk.',
  'ils.refusal.CARD_EXPIRED': 'Your card has expired. Please renew it at the service desk.',
  'ils.refusal.LOAN_NOT_FOUND': 'This item is not on loan to you.',
  'ils.refusal.RENEWAL_LIMIT_REACHED': 'This item has been renewed as many times as allowed.',
  'ils.refusal.LOAN_NOT_RENEWABLE':
    'Items of this kind cannot be renewed. Please return it on time.',
  'ils.refusal.ITEM_HAS_HOLD_FOR_OTHER':
    'Another reader has placed a hold on this item, so it cannot be renewed. Please return it on time.',
  'ils.refusal.TOO_EARLY': 'It is too early to renew. You can renew from {earliest}.',
  'ils.refusal.DUE_DATE_UNCHANGED': 'Renewing would not move the due date, so it was not renewed.',
  'ils.refusal.PATRON_HAS_OVERDUES': 'You have overdue items. Please return them before renewing.',
  'ils.refusal.FINES_OVER_LIMIT': 'Your unpaid fines are over the limit. Please pay them first.',
  'ils.refusal.ITEM_LOST':
    'This item is recorded as lost or claimed returned. Please ask at the service desk.',
  'ils.refusal.ITEM_NOT_FOUND': 'No item has this barcode.',
  'ils.refusal.ITEM_NOT_LOANABLE': 'This item is not for loan.',
  'ils.refusal.ITEM_ALREADY_CHECKED_OUT': 'This item is already on loan.',
  'ils.refusal.ITEM_NOT_CHECKED_OUT': 'This item is not on loan.',
  'ils.refusal.LOAN_LIMIT_REACHED': 'You have borrowed as many items as you may.',
  'ils.refusal.HOLD_NOT_FOUND': 'This hold was not found.',
  'ils.refusal.HOLD_ALREADY_PLACED': 'You already have a hold on this title.',
  'ils.refusal.HOLD_LIMIT_REACHED': 'You have placed as many holds as you may.',
  'ils.refusal.HOLD_NOT_ALLOWED': 'This title cannot be placed on hold.',
  'ils.refusal.ALREADY_ON_LOAN_TO_PATRON': 'You already have this title on loan.',
  'ils.refusal.PICKUP_LOCATION_INVALID':
    'That pickup location is not available; please choose another.',
  'ils.refusal.PICKUP_LOCATION_REQUIRED': 'Please choose a pickup location.',
  'ils.refusal.NOT_SUPPORTED':
    'The library system does not offer this online. Please ask at the service desk.',
  'ils.refusal.ILS_REFUSED': 'The library system could not do this.',
  'ils.refusal.ILS_UNAVAILABLE': 'The library system is not answering. Please try again later.',
  'accounts.UNAUTHENTICATED': 'Please sign in, or open this page from the library account menu.',
  'accounts.NOT_BOUND': 'You have not bound a library card yet. Please bind your card first.',
  'accounts.NOT_IN_WECHAT': 'Please open this page in WeChat to bind your library card.',
  'accounts.REBIND_REQUIRED': 'Please bind your library card again.',
  'accounts.BIND_LOCKED': 'Too many wrong passwords. Please try again in {minutes} minutes.',
  'accounts.ATTEMPTS_LEFT': '{count} more tries left.',
  'accounts.OAUTH_STATE_INVALID':
    'This sign-in link has expired. Please open the page again from the library account menu.',
  'accounts.OAUTH_CODE_INVALID':
    'The WeChat authorisation has expired. Please open the page again from the library account menu.',
  'accounts.OAUTH_SNAPSHOT_USER': 'Please tap "Use full service" at the bottom of the page first.',
  'accounts.WECHAT_UNAVAILABLE': 'WeChat is not answering. Please try again later.',
  'accounts.INVALID_REQUEST': 'The request is incomplete or not in the right form.',
  'accounts.FORBIDDEN_ORIGIN': 'Requests from this origin are not allowed.',
};
