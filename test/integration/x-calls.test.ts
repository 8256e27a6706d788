import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type Creds, type TestSandbox } from '../helpers/sandbox.js';
import { CallRecorder, recordingPlugin } from '../../src/x/calls.js';
import { createXClient, destroyAgents } from '../../src/x/client.js';

/**
 * The tick log's X calls: each recorder gets exactly the requests its own clients made, with X's status,
 * however many clients of the same account make requests at once (OAuth 1.0a: every request its own nonce).
 */
let sb: TestSandbox;
let me: Creds;

beforeAll(async () => {
  sb = await startTestSandbox({ tier: 'pro' });
  me = await sb.account('caller');
});
afterAll(async () => {
  destroyAgents();
  await sb?.close();
});

const clientFor = (recorder: CallRecorder) =>
  createXClient({ apiBase: sb.url, appKey: sb.app.consumer_key, appSecret: sb.app.consumer_secret, accessToken: me.token, accessSecret: me.secret, plugins: [recordingPlugin(() => recorder)] });

describe('recorded X calls', () => {
  it('go to the recorder whose client made them, with their status, for clients of one account at once', async () => {
    const recorders = Array.from({ length: 8 }, () => new CallRecorder());
    await sb.fault('/2/users/me', 503, 1, 'GET');
    await Promise.all(
      recorders.map(async (r, i) => {
        const client = clientFor(r);
        await client.v2.me().catch(() => {});
        if (i % 2 === 0) await client.v2.tweet(`запись ${i}`);
      }),
    );
    const calls = recorders.map((r) => r.done());
    calls.forEach((c, i) => {
      expect(c.map((x) => x.call)).toEqual(i % 2 === 0 ? ['GET /2/users/me', 'POST /2/tweets'] : ['GET /2/users/me']);
      if (i % 2 === 0) expect(c[1]!.status).toBe(201);
    });
    // One of the eight first calls met the fault; the others were answered.
    expect(calls.map((c) => c[0]!.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 503]);
  });

  it('records nothing a client made while no recorder was current', async () => {
    const r = new CallRecorder();
    let current: CallRecorder | undefined;
    const client = createXClient({ apiBase: sb.url, appKey: sb.app.consumer_key, appSecret: sb.app.consumer_secret, accessToken: me.token, accessSecret: me.secret, plugins: [recordingPlugin(() => current)] });
    await client.v2.me();
    current = r;
    await client.v2.me();
    expect(r.done().map((c) => `${c.call} ${c.status}`)).toEqual(['GET /2/users/me 200']);
  });
});
