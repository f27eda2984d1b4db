export { WeChatApiClient, type WeChatApiClientOptions, type WeChatLogger } from './client.ts';
export {
  CredentialCache,
  CredentialWaitTimeoutError,
  type CredentialCacheOptions,
  type FetchedCredential,
} from './credential.ts';
export {
  isBusyError,
  isCustomServiceWindowError,
  isOauthCodeError,
  isQuotaError,
  isRetryable,
  isTokenError,
  LOCAL_ERRCODE,
  WeChatApiError,
  WeChatSnapshotUserError,
  type CallOutcome,
} from './errors.ts';
export { parseWeChatJson } from './json.ts';
export type * from './types.ts';
