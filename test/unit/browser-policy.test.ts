import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaPolicyFor } from '../../widget/call/browser-policy';

test('media policy by mediasoup-client handler name: one place per browser family', () => {
  assert.equal(mediaPolicyFor('Chrome111').family, 'chromium');
  assert.equal(mediaPolicyFor('Firefox120').family, 'firefox');
  assert.equal(mediaPolicyFor('Safari12').family, 'safari');
  // Chromium-only encoder parameters are not sent to other browsers.
  assert.deepEqual(mediaPolicyFor('Chrome111').cameraCodecOptions, { videoGoogleStartBitrate: 1000 });
  assert.deepEqual(mediaPolicyFor('Firefox120').cameraCodecOptions, {});
  // Simulcast: three layers for 720p, two below 960 px, for every family.
  for (const name of ['Chrome111', 'Firefox120', 'Safari12']) {
    assert.deepEqual(mediaPolicyFor(name).cameraEncodings(1280).map((e) => e.scaleResolutionDownBy), [4, 2, 1]);
    assert.deepEqual(mediaPolicyFor(name).cameraEncodings(640).map((e) => e.scaleResolutionDownBy), [2, 1]);
  }
  // Freeze counters: read where the browser reports them, unknown where it does not.
  assert.deepEqual(mediaPolicyFor('Chrome111').freezes({ freezeCount: 2, totalFreezesDuration: 0.75 }), { count: 2, durationMs: 750 });
  assert.equal(mediaPolicyFor('Firefox120').freezes({ framesDecoded: 100 }), undefined);
});
