/**
 * The fixes a real FreeSWITCH 1.10.12 + jambonz mod_audio_fork revealed (gateway/media/freeswitch/
 * fork-buffering.ts), against the stand-in's model of the module's buffering
 * (tests/fakes/audio-fork-client.ts, `buffering`): the fork runs at the channel's rate so marks come
 * back, an utterance's tail is pushed out of the module's prebuffer, and speech starts without
 * waiting for the prebuffer to fill at real time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createResampler } from '../../../../../codecs/index.ts';
import { eslNoDelay } from '../../../../../gateway/media/freeswitch/esl-nodelay.ts';
import { ForkPrebuffer, forkRateFor } from '../../../../../gateway/media/freeswitch/fork-buffering.ts';
import { ForkServer } from '../../../../../gateway/media/freeswitch/fork-server.ts';
import { FreeswitchLeg } from '../../../../../gateway/media/freeswitch/freeswitch-leg.ts';
import { openFreeswitchLeg } from '../../../../../gateway/media/freeswitch/fs-media.ts';
import type { FsPool } from '../../../../../gateway/media/freeswitch/fs-pool.ts';
import type { Pacer } from '../../../../../gateway/media/pacer.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { AudioForkClient, type JambonzBuffering } from '../../../../fakes/audio-fork-client.ts';

const PCMU = { name: 'PCMU', sampleRate: 8000, clockRate: 8000, channels: 1, payloadType: 0 } as const;
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await wait(5);
}

/** A pacer driven by the test: one `tick()` is one 20 ms period. */
class ManualPacer {
  readonly #ticks = new Set<() => void>();
  add(t: () => void): () => void {
    this.#ticks.add(t);
    return () => this.#ticks.delete(t);
  }
  tick(): void {
    for (const t of this.#ticks) t();
  }
}

class FakeEndpoint extends EventEmitter {
  readonly uuid = 'ep-1';
  destroyed = false;
  play(): Promise<unknown> {
    return Promise.resolve();
  }
  api(): Promise<unknown> {
    return Promise.resolve({});
  }
  addCustomEventListener(): unknown {
    return this;
  }
  destroy(): Promise<unknown> {
    this.destroyed = true;
    return Promise.resolve();
  }
}

const tone = (samples: number): Int16Array => new Int16Array(samples).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));

describe('fork buffering (rules read from mod_audio_fork)', () => {
  test('the fork rate is the channel read_rate FreeSWITCH reports, else the configured rate', () => {
    assert.equal(forkRateFor('8000', 16000), 8000);
    assert.equal(forkRateFor(' 16000\n', 8000), 16000);
    assert.equal(forkRateFor('48000', 16000), 48000);
    for (const bad of [undefined, '', '_undef_', '-ERR no such channel', '44100', '8000.5']) assert.equal(forkRateFor(bad, 16000), 16000, String(bad));
  });

  test('eslNoDelay sets TCP_NODELAY on a modesl connection and ignores anything else', () => {
    const calls: boolean[] = [];
    assert.equal(eslNoDelay({ socket: { setNoDelay: (on: boolean) => calls.push(on) } }), true);
    assert.deepEqual(calls, [true]);
    for (const other of [undefined, null, {}, { socket: null }, { socket: {} }]) assert.equal(eslNoDelay(other), false);
  });

  test('lead and pad reach the prebuffer threshold: 1280 samples until the first transfer, then 640', () => {
    const p8 = new ForkPrebuffer(160);
    assert.deepEqual([p8.threshold, p8.pending, p8.leadFrames(), p8.padFrames()], [1280, 0, 8, 0]);
    p8.sent(1120);
    assert.deepEqual([p8.threshold, p8.pending, p8.leadFrames(), p8.padFrames()], [1280, 1120, 1, 1]);
    p8.sent(160); // reaches 1280: the module plays it all
    assert.deepEqual([p8.threshold, p8.pending, p8.leadFrames(), p8.padFrames()], [640, 0, 4, 0]);
    p8.sent(480);
    assert.deepEqual([p8.pending, p8.leadFrames(), p8.padFrames()], [480, 1, 1]);
    const p16 = new ForkPrebuffer(320);
    assert.deepEqual([p16.leadFrames(), p16.padFrames()], [4, 0]);
    p16.sent(1280);
    p16.sent(320);
    assert.deepEqual([p16.leadFrames(), p16.padFrames()], [1, 1]);
    const p48 = new ForkPrebuffer(960);
    p48.sent(960 * 2);
    assert.deepEqual([p48.threshold, p48.leadFrames(), p48.padFrames()], [640, 1, 0]);
  });
});

describe('FreeswitchLeg streaming against the module model', () => {
  let server: ForkServer;
  let n = 0;
  before(async () => {
    server = new ForkServer({ bind: '127.0.0.1', port: 0, metadataTimeoutMs: 500, log: silentLogger });
    await server.start();
  });
  after(async () => {
    await server.close();
  });

  async function open(buffering: JambonzBuffering): Promise<{ leg: FreeswitchLeg; client: AudioForkClient; pacer: ManualPacer }> {
    const callId = `call-${++n}`;
    const socket = server.expect(callId, 'tok', 2000);
    const client = new AudioForkClient(`ws://127.0.0.1:${server.port}/fork`, 'audio.drachtio.org', buffering);
    await client.opened;
    client.sendMetadata(JSON.stringify({ callId, token: 'tok' }));
    const pacer = new ManualPacer();
    const leg = new FreeswitchLeg({ endpoint: new FakeEndpoint(), socket: await socket, sampleRate: buffering.streamRate, streaming: true, codec: PCMU, pacer: pacer as unknown as Pacer, log: silentLogger, mediaTimeoutSec: 30, makeResampler: createResampler, markIntervalMs: 100 });
    return { leg, client, pacer };
  }

  /** Ticks until the utterance has been sent and the leg went idle, then lets the socket deliver. */
  async function speak(leg: FreeswitchLeg, client: AudioForkClient, pacer: ManualPacer, samples: number): Promise<number> {
    const before = client.streamed.length + client.commands.length;
    void leg.output.play(`seg-${n}-${samples}`, tone(samples));
    for (let i = 0; i < 200 && !leg.output.idle; i++) pacer.tick();
    pacer.tick(); // the idle tick: final mark and pad
    const sent = client.streamed.length + client.commands.length;
    await until(() => client.streamed.length + client.commands.length > before && sent > 0);
    await wait(30);
    return client.streamed.length;
  }

  test('speech starts with the whole prebuffer threshold at once (8 frames, then 4 at 8 kHz)', async () => {
    const { leg, client, pacer } = await open({ channelRate: 8000, streamRate: 8000 });
    void leg.output.play('first', tone(8000));
    pacer.tick();
    await until(() => client.streamed.length >= 8);
    await wait(20);
    assert.equal(client.streamed.length, 8, 'one tick sends the first 1280 samples');
    client.playAll();
    assert.ok(client.playedSamples >= 1280, 'playable at once, not after 160 ms of pacing');
    leg.output.clear();
    // A later utterance: the module's threshold is 640 now.
    pacer.tick();
    await wait(30);
    const before = client.streamed.length;
    void leg.output.play('second', tone(8000));
    pacer.tick();
    await until(() => client.streamed.length >= before + 4);
    await wait(20);
    assert.equal(client.streamed.length - before, 4);
    leg.close('test');
  });

  test("an utterance's tail is played and its last mark acknowledged (silence pad)", async () => {
    const { leg, client, pacer } = await open({ channelRate: 8000, streamRate: 8000 });
    // 200 ms then 180 ms: neither ends on the module's threshold, so without the pad the tail would wait.
    for (const samples of [1600, 1440]) {
      const played0 = client.playedSamples;
      await speak(leg, client, pacer, samples);
      client.playAll();
      await wait(30);
      assert.ok(client.playedSamples - played0 >= samples, `${samples} samples sent, ${client.playedSamples - played0} played`);
    }
    const marks = client.commands.filter((c) => c.type === 'mark').map((c) => String(c.data?.['name']));
    assert.ok(marks.length >= 3);
    assert.deepEqual(client.acks.map((a) => a.name), marks, 'every mark came back, in order');
    // Everything was heard: a barge-in now has nothing to kill.
    leg.output.clear();
    await wait(30);
    assert.equal(client.commands.filter((c) => c.type === 'killAudio').length, 0);
    leg.close('test');
  });

  test('after a barge-in, no audio of the interrupted utterance is heard later (pad sent with killAudio)', async () => {
    const { leg, client, pacer } = await open({ channelRate: 8000, streamRate: 8000 });
    void leg.output.play('long', tone(16000));
    // 23 frames: the first 20 reach the module's thresholds (8 + 4 + 4 + 4), 3 stay in its prebuffer.
    for (let i = 0; i < 16; i++) pacer.tick();
    await until(() => client.streamed.length >= 23);
    client.playAll();
    const heard = client.playedLoudSamples;
    assert.equal(heard, 20 * 160);
    leg.output.clear();
    await until(() => client.commands.some((c) => c.type === 'killAudio'));
    await wait(30);
    client.playAll(); // the next frame: the module applies the clear (within 20 ms of killAudio)
    pacer.tick(); // only now does the leg notice it went idle
    // The next utterance: only its own audio may be heard.
    await speak(leg, client, pacer, 1600);
    client.playAll();
    await wait(30);
    assert.equal(client.playedLoudSamples - heard, 1600, 'stale audio of the killed utterance was played');
    leg.close('test');
  });

  test('the model loses marks when the stream is resampled (why the fork runs at the channel rate)', async () => {
    const { leg, client, pacer } = await open({ channelRate: 8000, streamRate: 16000 });
    await speak(leg, client, pacer, 16000);
    client.playAll();
    await wait(30);
    const marks = client.commands.filter((c) => c.type === 'mark').length;
    assert.ok(marks >= 5);
    assert.ok(client.acks.length <= 1, `${client.acks.length} of ${marks} marks acknowledged`);
    leg.close('test');
  });

  test('openFreeswitchLeg starts the fork at the channel read_rate, not the configured rate', async () => {
    const ep = Object.assign(new FakeEndpoint(), {
      local: { sdp: '', mediaIp: '127.0.0.1', mediaPort: '31000' },
      // drachtio-fsmrf 4.1.2 keeps FreeSWITCH's channel data on the Endpoint's connection.
      _conn: { getInfo: () => ({ getHeader: (h: string) => (h === 'variable_read_rate' ? '8000' : undefined) }), socket: { noDelay: [] as boolean[], setNoDelay(on: boolean) { this.noDelay.push(on); } } },
      forkArgs: undefined as Record<string, unknown> | undefined,
      client: undefined as AudioForkClient | undefined,
      async forkAudioStart(args: Record<string, unknown>): Promise<void> {
        this.forkArgs = args;
        const c = new AudioForkClient(String(args['wsUrl']));
        this.client = c;
        await c.opened;
        c.sendMetadata(JSON.stringify(args['metadata']));
      },
    });
    const pool = { pick: () => ({ createEndpoint: () => Promise.resolve(ep) }) } as unknown as FsPool;
    const { leg, address, port } = await openFreeswitchLeg(
      { pool, forkServer: server, forkHost: '127.0.0.1', sampleRate: 16000, streaming: true, metadataTimeoutMs: 1000, pacer: new ManualPacer() as unknown as Pacer, mediaTimeoutSec: 30, makeResampler: createResampler },
      'v=0\r\n',
      PCMU,
      silentLogger,
    );
    assert.deepEqual([address, port], ['127.0.0.1', 31000]);
    assert.equal(ep.forkArgs?.['sampling'], '8000');
    assert.deepEqual(ep.forkArgs?.['bidirectionalAudio'], { enabled: 'true', streaming: 'true', sampleRate: '8000' });
    assert.equal(leg.sampleRate, 8000);
    assert.deepEqual(ep._conn.socket.noDelay, [true], "Nagle off on the channel's event socket");
    leg.close('test');
    ep.client?.stop();
  });
});
