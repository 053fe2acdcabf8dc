// Entry of a shop worker process (forked by shop/server.ts startPrimary).
import { startWorker } from './server.ts';

await startWorker();
