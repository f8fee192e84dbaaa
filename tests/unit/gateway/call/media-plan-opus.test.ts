import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentFactory, AgentSession } from '../../../../agent/types.ts';
import { loadConfig } from '../../../../config/load.ts';
import type { Config, OpusConfig } from '../../../../config/types.ts';
import { CallRegistry } from '../../../../gateway/call/call-registry.ts';
import { runCall, type CallRunnerDeps } from '../../../../gateway/call/call-runner.ts';
import { answerSdp, opusPreferences, planMedia, type MediaPlan } from '../../../../gateway/call/media-plan.ts';
import { silentLogger } from '../../../../gateway/log.ts';
import type { ReInvite } from '../../../../gateway/sip/dialog.ts';
import { FakeDialog } from '../../../fakes/fake-dialog.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

/** An opus-first offer like baresip's (RFC 7587: always opus/48000/2), with an optional fmtp. */
const OFFER = (fmtp = 'stereo=1;sprop-stereo=1', version = 1) =>
  ['v=0', `o=- 1 ${version} IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 96 0 101', 'a=rtpmap:96 opus/48000/2', `a=fmtp:96 ${fmtp}`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/48000', 'a=fmtp:101 0-16', 'a=sendrecv', ''].join('\r\n');

const SUPER: OpusConfig = { rate: 24000, complexity: 7, bitrateKbps: 32 };

function plan(offer: string, opus?: OpusConfig): MediaPlan {
  const p = planMedia(offer, ['opus', 'PCMU'], opus);
  assert.ok(!('error' in p), 'negotiated');
  return p;
}

test('config opus settings reach the negotiated codec: rate, complexity, bitrate in bit/s', () => {
  const p = plan(OFFER(), SUPER);
  assert.equal(p.codec.name, 'opus');
  assert.equal(p.codec.sampleRate, 24000);
  assert.equal(p.codec.opus?.complexity, 7);
  assert.equal(p.codec.opus?.bitrate, 32000);
  assert.match(answerSdp(p, { address: '127.0.0.1', port: 20000, sessionId: '1', version: 1, direction: 'sendrecv' }), /maxplaybackrate=24000;sprop-maxcapturerate=24000/);
});

test('without opus settings the codec layer defaults apply (16 kHz, complexity 5, 24 kbit/s)', () => {
  const p = plan(OFFER());
  assert.equal(p.codec.sampleRate, 16000);
  assert.equal(p.codec.opus?.complexity, 5);
  assert.equal(p.codec.opus?.bitrate, 24000);
  assert.equal(opusPreferences(undefined), undefined);
});

test("the peer's fmtp caps the configured rate (maxplaybackrate and sprop-maxcapturerate 16000)", () => {
  const p = plan(OFFER('maxplaybackrate=16000;sprop-maxcapturerate=16000'), SUPER);
  assert.equal(p.codec.sampleRate, 16000);
  assert.equal(p.codec.opus?.complexity, 7, 'the other settings still apply');
});

test('a call runs with the configured opus rate, and a re-INVITE answer keeps it', async () => {
  const base = loadConfig({ env: {} });
  const config = { ...base, codecs: ['opus', 'PCMU'], opus: SUPER } as Config;
  const legs: FakeLeg[] = [];
  const agent: AgentSession = { kind: 'menu', start: () => Promise.resolve(), notify: () => {}, stop: () => Promise.resolve() };
  const factory: AgentFactory = { kind: 'menu', create: () => agent };
  const deps: CallRunnerDeps = {
    config,
    log: silentLogger,
    registry: new CallRegistry(),
    agentsFor: () => [factory],
    isAccepting: () => true,
    openMedia: async (p) => {
      const leg = new FakeLeg(p.codec);
      legs.push(leg);
      return { leg, address: '127.0.0.1', port: 20000 };
    },
  };
  const dialog = new FakeDialog(OFFER());
  const running = runCall(dialog, deps);
  await new Promise((r) => setImmediate(r));
  dialog.ack();
  await running;
  try {
    assert.equal(legs[0]?.codec.sampleRate, 24000);
    assert.match(dialog.answeredSdp ?? '', /maxplaybackrate=24000/);
    const out: { status?: number; sdp?: string } = {};
    const re: ReInvite = { sdp: OFFER(undefined, 2), accept: (s) => Object.assign(out, { status: 200, sdp: s }), reject: (st) => Object.assign(out, { status: st }) };
    dialog.emit('reinvite', re);
    assert.equal(out.status, 200);
    assert.match(out.sdp ?? '', /maxplaybackrate=24000/, 'the leg still runs at 24 kHz, so the answer says so');
  } finally {
    // Ends the call (and its timers) whatever happened above, so a failure reports instead of hanging.
    dialog.emit('bye');
  }
});
