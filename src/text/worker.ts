/**
 * The text engine's thread (engine.ts): loads the dictionaries when asked to (a tick asks as soon as it
 * knows writers are due), then makes texts as asked. Nothing here touches Redis or X.
 */
import { parentPort } from 'node:worker_threads';
import type { MakeReply, WorkerRequest } from './engine.js';
import { loadMorph } from './morph.js';
import { TextMaker } from './texts.js';
import { fitsTweet } from './weight.js';

const maker = new TextMaker();
let ready: Promise<void> | undefined;
// twitter-text compiles its patterns on first use: that is part of the load too.
const load = () => (ready ??= loadMorph().then(() => void fitsTweet('кот')));

parentPort!.on('message', async (req: WorkerRequest) => {
  if ('load' in req) {
    load().catch(() => {}); // the requests to make texts report the failure
    return;
  }
  let r: MakeReply;
  try {
    await load();
    r = { id: req.id, texts: req.tweets.map((t) => maker.make(req.template, t, req.keepTooLong)) };
  } catch (err) {
    r = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(r);
});
