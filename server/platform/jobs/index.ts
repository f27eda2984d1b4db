export * from './types.ts';
export { LocalJobs } from './local.ts';
export { BullJobs } from './bullmq.ts';
export { JobsRepository, type JobsTables } from './repository.ts';
