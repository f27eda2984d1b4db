export {
  createFakeWeChatApi,
  startFakeWeChatApi,
  type FakeWeChatApi,
  type RunningFakeWeChatApi,
} from './app.ts';
export {
  FakeWeChatState,
  type FakeAccount,
  type FakeWeChatApiOptions,
  type FaultSpec,
  type RecordedCustomMessage,
  type RecordedSubscribeMessage,
  type RecordedTemplateMessage,
  type RequestLogEntry,
  type StoredMedia,
  type WindowTrigger,
} from './state.ts';
