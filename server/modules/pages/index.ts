/**
 * The reader pages at `/m/` (built by Vite from `web/reader/`) and the JS-SDK signature
 * they ask for inside WeChat.
 */
export {
  JS_API_LIST,
  READER_CSP,
  READER_DIST,
  jssdkRoutes,
  readerPagesRoutes,
  type JssdkRoutesDeps,
  type ReaderPagesDeps,
} from './routes.ts';
