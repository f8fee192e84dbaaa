/**
 * The fake Realtime server's transcription sessions refuse what the real API refuses: a commit of
 * under 100 ms (`input_audio_buffer_commit_empty`), a realtime-only event, a realtime session type,
 * unknown fields — and, stricter than the API, audio before `session.update`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { FakeRealtimeServer, until } from '../../../fakes/openai-realtime/server.ts';

const KEY = 'sk-fake-tr';
let server: FakeRealtimeServer;

before(async () => {
  server = await FakeRealtimeServer.start({ apiKey: KEY });
});
after(() => server.close());

async function dial(query: string): Promise<{ ws: WebSocket; events: { type: string; error?: { code?: string; event_id?: string | null } }[] }> {
  const ws = new WebSocket(`wss://127.0.0.1:${server.port}/v1/realtime?${query}`, { headers: { Authorization: `Bearer ${KEY}` }, ca: server.cert.cert });
  const events: { type: string }[] = [];
  ws.on('message', (d) => events.push(JSON.parse(d.toString()) as { type: string }));
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  return { ws, events };
}

const session = { type: 'transcription', audio: { input: { format: { type: 'audio/pcmu' }, transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: null } } };

test('a transcription session refuses an empty commit, realtime events and audio before session.update', { timeout: 10_000 }, async () => {
  const { ws, events } = await dial('intent=transcription');
  const conn = server.transcriptions.at(-1)!;
  ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(800).toString('base64') }));
  ws.send(JSON.stringify({ type: 'session.update', session }));
  ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(400, 0xff).toString('base64') })); // 50 ms
  ws.send(JSON.stringify({ type: 'input_audio_buffer.commit', event_id: 'c1' }));
  ws.send(JSON.stringify({ type: 'response.create' }));
  ws.send(JSON.stringify({ type: 'session.update', session: { ...session, model: 'gpt-realtime' } }));
  await until(() => events.filter((e) => e.type === 'error').length >= 4, 5000, 'four errors');
  const codes = events.filter((e) => e.type === 'error').map((e) => e.error?.code);
  assert.deepEqual(codes, ['session_not_configured', 'input_audio_buffer_commit_empty', 'invalid_value', 'unknown_parameter']);
  assert.equal(events.find((e) => e.error?.code === 'input_audio_buffer_commit_empty')?.error?.event_id, 'c1');
  assert.equal(conn.items.length, 0);
  ws.close();
});

test('a commit of enough audio becomes an item whose scripted text streams back', { timeout: 10_000 }, async () => {
  server.transcriptionScript = (item) => ({ text: `heard ${item.pcm.length} samples`, deltaMs: 5 });
  const { ws, events } = await dial('intent=transcription');
  ws.send(JSON.stringify({ type: 'session.update', session }));
  ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(1600, 0xff).toString('base64') })); // 200 ms
  ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
  await until(() => events.some((e) => e.type === 'conversation.item.input_audio_transcription.completed'), 5000, 'completed');
  const types = events.map((e) => e.type).filter((t) => t !== 'session.created' && t !== 'session.updated');
  assert.deepEqual(types, ['input_audio_buffer.committed', ...Array(3).fill('conversation.item.input_audio_transcription.delta'), 'conversation.item.input_audio_transcription.completed']);
  assert.equal((events.at(-1) as unknown as { transcript: string }).transcript, 'heard 1600 samples');
  assert.deepEqual(server.transcriptions.at(-1)!.violations, []);
  ws.close();
});

test('without intent=transcription a model is still required', { timeout: 10_000 }, async () => {
  await assert.rejects(dial('foo=bar'));
  assert.equal(server.refused.at(-1), 'no model');
});
