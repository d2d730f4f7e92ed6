import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connectAs } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

const turn = { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 'shared-with-coturn', credentialTtlSeconds: 300 };

describe('TURN credentials in the welcome', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ turn, reconnectGraceMs: 5000 });
  });
  after(() => server?.close());

  test("every welcome carries the user's own expiring credentials, and a resume's welcome renews them", async () => {
    const first = await connectAs(server.url, await server.token('dora'));
    const welcome = first.messages[0] as { iceServers: { urls: string[]; username: string; credential: string }[]; resumeToken: string };
    const [ice] = welcome.iceServers;
    assert.ok(ice);
    assert.deepEqual(ice.urls, turn.urls);
    const [expiry, user] = ice.username.split(':');
    assert.equal(user, 'dora');
    const inSeconds = Number(expiry) - Date.now() / 1000;
    assert.ok(inSeconds > 290 && inSeconds <= 300, `expires within the TTL: ${inSeconds} s`);
    assert.equal(ice.credential, createHmac('sha1', turn.secret).update(ice.username).digest('base64'));

    first.ws.terminate();
    await new Promise((r) => setTimeout(r, 1100));
    const again = await connectAs(server.url, await server.token('dora'), { resume: welcome.resumeToken });
    const resumed = again.messages[0] as { resumed: boolean; iceServers: { username: string }[] };
    assert.equal(resumed.resumed, true);
    assert.notEqual(resumed.iceServers[0]?.username, ice.username, 'fresh credentials on resume');
    again.close();
  });

  test('without TURN the welcome says so with an empty list', async () => {
    const plain = await startServer();
    const s = await connectAs(plain.url, await plain.token('eve'));
    assert.deepEqual((s.messages[0] as { iceServers: unknown[] }).iceServers, []);
    s.close();
    await plain.close();
  });
});
