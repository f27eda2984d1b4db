// The import worker's thread (see import.ts). The sources are TypeScript run through tsx,
// and a worker thread starts without the parent's loader: register it, then load them.
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
