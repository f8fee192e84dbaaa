import { pluggedSection } from './lib/plugged.ts';
import { callSetup } from './sections/call-setup.ts';
import { callsPerCore } from './sections/calls-per-core.ts';
import { codecSpeed } from './sections/codec-speed.ts';
import type { Section } from './types.ts';

/**
 * The registry of benchmark sections, in report order. A section another issue owns is plugged by
 * file name and function: it reads "not yet available" until that file exists, and needs no edit
 * here when it lands. Contract: `export async function runX(ctx: SectionContext): Promise<Figure[] |
 * SectionResult>` (bench/types.ts); measure on the wire where the issue says so.
 */
export const SECTIONS: readonly Section[] = [
  callsPerCore,
  callSetup,
  pluggedSection('turn-latency', 'Turn latency (caller stops → agent audio on the wire)', 'turn-latency.ts', 'runTurnLatencyBench', 3 * 60_000),
  pluggedSection('barge-in', 'Barge-in stop time (caller speech on the wire → agent audio stops)', 'barge-in.ts', 'runBargeInBench', 2 * 60_000),
  pluggedSection('cascade', 'Cascade turn latency and barge-in (VAD → STT → LLM → TTS, on the wire)', 'cascade.ts', 'runCascadeBench', 6 * 60_000),
  codecSpeed,
  pluggedSection('vad', 'VAD cost (Silero v5)', 'vad.ts', 'runVadBench', 90_000),
];
