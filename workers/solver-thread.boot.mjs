// Worker threads do not inherit the TypeScript loader of the main thread (tsx or vitest), so the
// thread registers tsx itself before importing its TypeScript entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
