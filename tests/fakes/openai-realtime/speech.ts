import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resampleOffline } from '../../../agent/providers/tts/resample-offline.ts';
import { parseWav } from '../../../agent/providers/tts/wav.ts';

/**
 * Speech for the fake model to "say": espeak-ng writes a WAV, which is read and converted to the
 * Realtime API's 24 kHz PCM16. Deterministic for a given espeak-ng build, so durations are stable.
 */
export function speechWav24k(text: string): Int16Array {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-speech-'));
  const file = path.join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-w', file, '--stdin'], { input: text, timeout: 20_000, stdio: ['pipe', 'ignore', 'pipe'] });
  const wav = parseWav(readFileSync(file));
  return resampleOffline(wav.pcm, wav.sampleRate, 24000);
}
