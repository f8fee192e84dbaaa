import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeSipPort, freeUdpRange } from './ports.ts';

/**
 * A real SIP softphone (baresip 1.0, Debian baresip-core) as a caller. Each instance gets a temp config
 * dir: UDP/TCP listen on a free loopback port, no registration, silence as microphone (aufile), a sink
 * as speaker (aubridge) and the sndfile filter, which writes what the phone hears to `…-dec.wav` and
 * what it sends to `…-enc.wav`. Commands go through stdin (the stdio UI), so digits typed during a
 * call are sent as DTMF (RFC 4733 telephone-event when the answer negotiated it).
 */

export interface BaresipOptions {
  /** Codecs in the account, in preference order, e.g. ['PCMU'] or ['PCMA']. */
  readonly codecs?: readonly string[];
  /** Hard bound on the process lifetime (baresip `-t` and a SIGKILL timer). */
  readonly timeoutMs?: number;
  /** Microphone: a mono 8 kHz PCM16 WAV (e.g. speech made by espeak-ng) instead of silence. */
  readonly sourceWav?: string;
}

export interface BaresipExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Writes a PCM16 WAV of silence (baresip's aufile source needs a file at the ptime rate, with the
 * codec's channel count: 2 for opus/48000/2).
 */
function writeSilenceWav(file: string, sampleRate: number, seconds: number, channels = 1): void {
  const dataLen = sampleRate * seconds * 2 * channels;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataLen, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2 * channels, 28);
  h.writeUInt16LE(2 * channels, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataLen, 40);
  writeFileSync(file, Buffer.concat([h, Buffer.alloc(dataLen)]));
}

export class Baresip {
  private output = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<BaresipExit>;
  private readonly killer: NodeJS.Timeout;

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly sipPort: number,
    timeoutMs: number,
  ) {
    const onData = (d: Buffer): void => {
      this.output = (this.output + d.toString('utf8')).slice(-200_000);
      for (const w of [...this.waiters]) w();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        clearTimeout(this.killer);
        for (const w of [...this.waiters]) w();
        resolve({ code, signal });
      });
    });
  }

  static async start(opts: BaresipOptions = {}): Promise<Baresip> {
    const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-baresip-'));
    const recDir = path.join(dir, 'rec');
    mkdirSync(recDir);
    const sipPort = await freeSipPort();
    const rtp = await freeUdpRange(20);
    const timeoutMs = opts.timeoutMs ?? 40_000;
    const silence = path.join(dir, 'silence.wav');
    const stereo = (opts.codecs ?? []).some((c) => /\/2$/.test(c));
    writeSilenceWav(silence, 8000, Math.ceil(timeoutMs / 1000) + 5, stereo ? 2 : 1);
    const config = [
      'poll_method epoll',
      // Only loopback: SDP and Contact must never name the machine's other addresses.
      'net_interface 127.0.0.1',
      `sip_listen 127.0.0.1:${sipPort}`,
      'call_local_timeout 30',
      'call_max_calls 2',
      `audio_path ${dir}`,
      // aubridge with a device nobody sources from is a plain sink: the speaker of this phone.
      'audio_player aubridge,sink',
      `audio_source aufile,${opts.sourceWav ?? silence}`,
      'audio_alert aubridge,alert',
      'ausrc_srate 8000',
      'auplay_srate 8000',
      `rtp_ports ${rtp.min}-${rtp.max}`,
      'jitter_buffer_delay 1-10',
      'module_path /usr/lib/baresip/modules',
      'module stdio.so',
      'module g711.so',
      // Wideband codecs, used only when the account's audio_codecs lists them (G722, opus).
      'module g722.so',
      'module opus.so',
      'module aufile.so',
      'module aubridge.so',
      'module sndfile.so',
      `snd_path ${recDir}`,
      'module_tmp account.so',
      'module_app menu.so',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'config'), config);
    const codecs = (opts.codecs ?? ['PCMU', 'PCMA']).join(',');
    writeFileSync(path.join(dir, 'accounts'), `<sip:tester@127.0.0.1>;regint=0;audio_codecs=${codecs}\n`);
    const child = spawn('baresip', ['-f', dir, '-t', String(Math.ceil(timeoutMs / 1000))], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const b = new Baresip(child, dir, sipPort, timeoutMs);
    await b.waitFor(/baresip is ready/, 10_000);
    return b;
  }

  /** Everything baresip printed so far. */
  log(): string {
    return this.output;
  }

  /** Sends raw keys/commands to the stdio UI (a long command is `/name args` followed by a newline). */
  send(text: string): void {
    this.child.stdin?.write(text);
  }

  dial(uri: string): void {
    this.send(`/dial ${uri}\n`);
  }

  /** In a call, each digit key is sent as DTMF by baresip's menu. */
  sendDigits(digits: string): void {
    this.send(digits);
  }

  hangup(): void {
    this.send('/hangup\n');
  }

  /** Resolves with the match once `re` appears in the output; rejects after `timeoutMs` or on exit. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = this.output.match(re);
        if (m) {
          done();
          resolve(m);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`baresip exited before ${re}:\n${this.output.slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}:\n${this.output.slice(-3000)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Asks baresip to quit, SIGKILL after `graceMs`. */
  async quit(graceMs = 3000): Promise<BaresipExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.send('/quit\n');
      const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const r = await this.exited;
      clearTimeout(t);
      return r;
    }
    return this.exited;
  }

  /** Path of the WAV of what this phone heard in its (first) call, if the call got media. */
  receivedWav(): string | null {
    const recDir = path.join(this.dir, 'rec');
    const f = readdirSync(recDir).filter((n) => n.endsWith('-dec.wav')).sort()[0];
    return f ? path.join(recDir, f) : null;
  }
}
