import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createResampler } from '../../../../../codecs/index.ts';
import type { AudioFrame } from '../../../../../codecs/types.ts';
import { ForkServer } from '../../../../../gateway/media/freeswitch/fork-server.ts';
import { FreeswitchLeg, type FsEndpoint } from '../../../../../gateway/media/freeswitch/freeswitch-leg.ts';
import { Pacer } from '../../../../../gateway/media/pacer.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { AudioForkClient } from '../../../../fakes/audio-fork-client.ts';

class FakeEndpoint extends EventEmitter implements FsEndpoint {
  readonly uuid = 'ep-uuid-1';
  readonly apis: string[] = [];
  readonly played: string[] = [];
  destroyed = false;
  readonly custom = new Map<string, (b: Record<string, unknown>) => void>();
  play(file: string): Promise<unknown> {
    this.played.push(file);
    return new Promise((r) => setTimeout(r, 5));
  }
  api(command: string, args: string): Promise<unknown> {
    this.apis.push(`${command} ${args}`);
    return Promise.resolve({});
  }
  addCustomEventListener(event: string, fn: (b: Record<string, unknown>) => void): unknown {
    this.custom.set(event, fn);
    return this;
  }
  destroy(): Promise<unknown> {
    this.destroyed = true;
    return Promise.resolve();
  }
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await wait(10);
}

/** A ramp of samples as L16 LE bytes, so any reordering or lost byte shows. */
function ramp(n: number, start = 0): { bytes: Buffer; samples: number[] } {
  const samples = Array.from({ length: n }, (_, i) => ((start + i) * 37) % 30000 - 15000);
  const bytes = Buffer.alloc(n * 2);
  samples.forEach((s, i) => bytes.writeInt16LE(s, i * 2));
  return { bytes, samples };
}

describe('mod_audio_fork protocol (fork server + FreeSWITCH leg)', () => {
  let server: ForkServer;
  let url: string;
  const pacer = new Pacer();

  before(async () => {
    server = new ForkServer({ bind: '127.0.0.1', port: 0, metadataTimeoutMs: 300, log: silentLogger });
    await server.start();
    url = `ws://127.0.0.1:${server.port}/fork?x=1`;
  });
  after(async () => {
    pacer.stop();
    await server.close();
  });

  async function connect(callId: string, streaming: boolean, rate = 8000): Promise<{ leg: FreeswitchLeg; client: AudioForkClient; ep: FakeEndpoint; frames: number[][] }> {
    const socket = server.expect(callId, 'secret-token', 2000);
    const client = new AudioForkClient(url);
    await client.opened;
    client.sendMetadata(JSON.stringify({ callId, token: 'secret-token' }));
    const ep = new FakeEndpoint();
    const leg = new FreeswitchLeg({ endpoint: ep, socket: await socket, sampleRate: rate, streaming, codec: { name: 'PCMU', sampleRate: 8000, clockRate: 8000, channels: 1, payloadType: 0 }, pacer, log: silentLogger, mediaTimeoutSec: 30, makeResampler: createResampler, markIntervalMs: 100 });
    const frames: number[][] = [];
    leg.connectInput({ write: (f: AudioFrame) => frames.push(Array.from(f.samples)), describe: () => 'rec' });
    return { leg, client, ep, frames };
  }

  test('coalesced and odd-sized L16 frames become exact 20 ms AudioFrames', async () => {
    const { leg, client, frames } = await connect('call-a', true);
    const { bytes, samples } = ramp(160 * 10);
    // Sizes seen from the module (320, 480, 640 B) plus odd splits that cut a sample in two.
    const sizes = [320, 480, 641, 1, 319, 640, 3, 157, 239];
    let off = 0;
    for (const sz of sizes) {
      client.sendAudio(bytes.subarray(off, off + sz));
      off += sz;
    }
    client.sendAudio(bytes.subarray(off));
    await until(() => frames.length >= 10);
    assert.equal(frames.length, 10);
    for (const f of frames) assert.equal(f.length, 160);
    assert.deepEqual(frames.flat(), samples);
    assert.equal(leg.stats().packetsIn, sizes.length + 1);
    leg.close('test');
  });

  test('streaming: agent audio goes as binary L16, marks are acked, killAudio on barge-in', async () => {
    const { leg, client, ep } = await connect('call-b', true);
    const tone = new Int16Array(8000).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    const done = leg.output.play('seg-1', tone);
    await until(() => client.streamed.length >= 15);
    client.playAll();
    await until(() => client.acks.length >= 1);
    assert.ok(client.commands.some((c) => c.type === 'mark'), 'marks follow the audio');
    const bytes = Buffer.concat(client.streamed);
    assert.equal(bytes.length % 320, 0, 'whole 20 ms frames at 8 kHz');
    assert.equal(bytes.readInt16LE(2), tone[1]);
    await until(() => client.streamed.length >= 25);
    // Barge-in: what was sent after the last acked mark is not counted as heard.
    const reports = leg.output.clear();
    const r = (await done);
    assert.equal(reports.length, 1);
    assert.ok(r.interrupted);
    assert.ok(r.playedMs <= client.streamed.length * 20, `${r.playedMs} ms`);
    await until(() => client.commands.some((c) => c.type === 'killAudio'));
    assert.ok(client.commands.some((c) => c.type === 'killAudio'));
    // FreeSWITCH stops the fork (close 1000): the leg reports an error so the call hangs up.
    const err = new Promise((res) => leg.once('error', res));
    client.stop();
    await err;
    leg.close('test');
    assert.ok(ep.destroyed, 'closing the leg destroys the endpoint');
  });

  test('file mode: playAudio chunks, files played in order, uuid_break on barge-in', async () => {
    const { leg, client, ep } = await connect('call-c', false);
    leg.output.play('seg', new Int16Array(8000).fill(1000));
    await until(() => client.commands.filter((c) => c.type === 'playAudio').length >= 2);
    const pa = client.commands.find((c) => c.type === 'playAudio')!;
    assert.equal(pa.data?.['audioContentType'], 'raw');
    assert.equal(pa.data?.['sampleRate'], 8000);
    assert.equal(Buffer.from(String(pa.data?.['audioContent']), 'base64').length, 3200 * 2);
    // FreeSWITCH wrote the file and raised the event; the leg plays it.
    ep.custom.get('mod_audio_fork::play_audio')!({ file: '/tmp/fork-1.r8' });
    await until(() => ep.played.length === 1);
    assert.deepEqual(ep.played, ['/tmp/fork-1.r8']);
    const cleared = leg.output.clear();
    assert.equal(cleared.length, 1, 'the segment was still playing');
    await until(() => ep.apis.some((a) => a.startsWith('uuid_break')));
    assert.ok(ep.apis.includes('uuid_break ep-uuid-1 all'), ep.apis.join());
    await until(() => client.commands.some((c) => c.type === 'killAudio'));
    assert.ok(client.commands.some((c) => c.type === 'killAudio'));
    leg.close('test');
  });

  test('DTMF from endpoint events; sendDtmf uses uuid_send_dtmf', async () => {
    const { leg, ep } = await connect('call-d', true);
    const got: string[] = [];
    leg.on('dtmf', (d) => got.push(d.digit));
    ep.emit('dtmf', { dtmf: '5', duration: '2240', source: 'RTP' });
    ep.emit('dtmf', { dtmf: 'x' });
    assert.deepEqual(got, ['5']);
    await leg.sendDtmf(['1', '#']);
    assert.ok(ep.apis.includes('uuid_send_dtmf ep-uuid-1 1#'));
    const err = new Promise((res) => leg.once('error', res));
    ep.emit('destroy');
    await err;
    leg.close('test');
  });

  test('bad sockets are closed 1008 and never reach a call', async () => {
    const waiting = server.expect('call-e', 'right', 1500);
    // Wrong subprotocol: the handshake fails.
    const noProto = new AudioForkClient(url, 'other.protocol');
    await assert.rejects(noProto.opened);
    // No metadata within the timeout.
    const silent = new AudioForkClient(url);
    await silent.opened;
    assert.equal((await silent.closed).code, 1008);
    // Binary first.
    const binFirst = new AudioForkClient(url);
    await binFirst.opened;
    binFirst.sendAudio(Buffer.alloc(320));
    assert.equal((await binFirst.closed).code, 1008);
    // Unknown call, wrong token, garbage metadata.
    for (const meta of [JSON.stringify({ callId: 'nobody', token: 'x' }), JSON.stringify({ callId: 'call-e', token: 'wrong' }), 'garbage{']) {
      const c = new AudioForkClient(url);
      await c.opened;
      c.sendMetadata(meta);
      assert.equal((await c.closed).code, 1008, meta);
    }
    // The right one still gets through afterwards.
    const good = new AudioForkClient(url);
    await good.opened;
    good.sendMetadata(JSON.stringify({ callId: 'call-e', token: 'right' }));
    const s = await waiting;
    assert.ok(s.ws);
    good.stop();
  });
});
