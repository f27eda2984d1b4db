/**
 * The library's own facts for readers: branches, opening hours, holidays. Read-only, from
 * the embedded ILS's calendar.
 */
export { libraryRoutes } from './routes.ts';
export {
  HOLIDAY_DAYS,
  LibraryService,
  type BranchWeek,
  type Holiday,
  type LibraryHours,
  type LibraryServiceDeps,
} from './service.ts';
