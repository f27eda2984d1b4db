/** Reader feedback: one conversation per reader, with its messages, for staff to answer. */
export {
  FeedbackRepository,
  type FeedbackConversation,
  type FeedbackDirection,
  type FeedbackMessage,
  type FeedbackPhoto,
  type FeedbackTables,
  type InboundFeedback,
} from './repository.ts';
export { FeedbackService, REPLY_WINDOW_MS, type FeedbackServiceDeps } from './service.ts';
