import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWav } from '../../../agent/providers/tts/wav.ts';
import type { WireChatChunk, WireChatRequest, WireError, WireSpeechRequest, WireTranscriptEvent } from './wire.ts';

/**
 * A local server speaking the OpenAI REST protocol for chat completions (SSE streaming), streamed
 * transcriptions (multipart upload, SSE answer) and speech (chunked PCM), scripted per test, with
 * configurable delays. Strict about requests: a missing bearer key, a wrong content type, a body
 * that breaks the endpoint's schema or an unknown path is answered 4xx with OpenAI's error body and
 * recorded in `violations`, so the same client code that passes here passes against the real API.
 */
export interface ChatReply {
  /** Text deltas, sent one chunk each. */
  readonly text?: readonly string[];
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: string }[];
  readonly firstDelayMs?: number;
  readonly chunkDelayMs?: number;
  /** Answer this HTTP status with an error body instead. */
  readonly status?: number;
}
export interface TranscribeRequest {
  readonly model: string;
  readonly prompt: string | undefined;
  readonly language: string | undefined;
  readonly stream: boolean;
  readonly pcm: Int16Array;
  readonly sampleRate: number;
}
export interface TranscribeReply {
  readonly text: string;
  readonly delayMs?: number;
  readonly status?: number;
}
export interface SpeechReply {
  /** PCM16 mono at 24 kHz. */
  readonly pcm: Int16Array;
  readonly firstDelayMs?: number;
  /** Audio per HTTP chunk and the pause between chunks. */
  readonly chunkMs?: number;
  readonly chunkDelayMs?: number;
  readonly status?: number;
}
export interface FakeScript {
  chat?(req: WireChatRequest, n: number): ChatReply;
  transcribe?(req: TranscribeRequest, n: number): TranscribeReply;
  speech?(req: WireSpeechRequest, n: number): SpeechReply;
}
export interface RecordedRequest {
  readonly path: string;
  readonly at: number;
  readonly body: unknown;
}

export interface FakeOpenAi {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  readonly violations: string[];
  script: FakeScript;
  close(): Promise<void>;
}

const MAX_BODY = 20 * 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenAi(script: FakeScript = {}, opts: { apiKey?: string } = {}): Promise<FakeOpenAi> {
  const apiKey = opts.apiKey ?? 'sk-test-fake';
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const counts = { chat: 0, transcribe: 0, speech: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const fake: FakeOpenAi = {
    baseUrl: '',
    apiKey,
    requests,
    violations,
    script,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const fail = (res: http.ServerResponse, status: number, message: string, type = 'invalid_request_error', param: string | null = null): void => {
    violations.push(`${status} ${message}`);
    const body: WireError = { error: { message, type, param, code: null } };
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      handle(req, res, body).catch((err: unknown) => fail(res, 500, `fake failed: ${String(err)}`, 'server_error'));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.headers.authorization !== `Bearer ${apiKey}`) return fail(res, 401, 'Incorrect API key provided', 'invalid_request_error');
    if (req.method !== 'POST') return fail(res, 405, `method ${req.method} not allowed`);
    if (url.pathname === '/v1/chat/completions') return chat(req, res, body);
    if (url.pathname === '/v1/audio/transcriptions') return transcribe(req, res, body);
    if (url.pathname === '/v1/audio/speech') return speech(req, res, body);
    return fail(res, 404, `Invalid URL (POST ${url.pathname})`);
  }

  function json(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): unknown {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      fail(res, 400, 'content-type must be application/json');
      return undefined;
    }
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      fail(res, 400, 'We could not parse the JSON body of your request.');
      return undefined;
    }
  }

  async function chat(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const parsed = json(req, res, body) as WireChatRequest | undefined;
    if (!parsed) return;
    const problem = checkChat(parsed);
    if (problem) return fail(res, 400, problem.message, 'invalid_request_error', problem.param);
    requests.push({ path: '/v1/chat/completions', at: performance.now(), body: parsed });
    const reply = fake.script.chat?.(parsed, counts.chat++) ?? { text: ['OK.'] };
    await sleep(reply.firstDelayMs ?? 0);
    if (reply.status) return fail(res, reply.status, 'scripted failure', 'server_error');
    if (!parsed.stream) return fail(res, 400, 'this fake only streams: set stream: true');
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const base = { id: `chatcmpl-${counts.chat}`, object: 'chat.completion.chunk' as const, created: Math.floor(Date.now() / 1000), model: parsed.model };
    const send = (c: WireChatChunk): boolean => res.write(`data: ${JSON.stringify(c)}\n\n`);
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (const d of reply.text ?? []) {
      if (res.destroyed) return;
      send({ ...base, choices: [{ index: 0, delta: { content: d }, finish_reason: null }] });
      await sleep(reply.chunkDelayMs ?? 0);
    }
    (reply.toolCalls ?? []).forEach((tc, i) => {
      // Arguments split in two fragments, as the real service does.
      const half = Math.floor(tc.arguments.length / 2);
      send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, id: `call_${i}`, type: 'function', function: { name: tc.name, arguments: tc.arguments.slice(0, half) } }] }, finish_reason: null }] });
      send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: tc.arguments.slice(half) } }] }, finish_reason: null }] });
    });
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reply.toolCalls?.length ? 'tool_calls' : 'stop' }] });
    res.end('data: [DONE]\n\n');
  }

  async function transcribe(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const ct = req.headers['content-type'] ?? '';
    if (!ct.startsWith('multipart/form-data')) return fail(res, 400, 'content-type must be multipart/form-data');
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': ct } }).formData();
    } catch {
      return fail(res, 400, 'could not parse multipart body');
    }
    const file = form.get('file');
    const model = form.get('model');
    if (!(file instanceof Blob)) return fail(res, 400, "you must provide a 'file'", 'invalid_request_error', 'file');
    if (typeof model !== 'string' || !model) return fail(res, 400, "you must provide a 'model'", 'invalid_request_error', 'model');
    const stream = form.get('stream') === 'true';
    let wav;
    try {
      wav = parseWav(new Uint8Array(await file.arrayBuffer()));
    } catch {
      return fail(res, 400, 'Audio file might be corrupted or unsupported', 'invalid_request_error', 'file');
    }
    const prompt = form.get('prompt');
    const language = form.get('language');
    const r: TranscribeRequest = { model, stream, pcm: wav.pcm, sampleRate: wav.sampleRate, prompt: typeof prompt === 'string' ? prompt : undefined, language: typeof language === 'string' ? language : undefined };
    requests.push({ path: '/v1/audio/transcriptions', at: performance.now(), body: { model, stream, prompt: r.prompt, language: r.language, samples: wav.pcm.length, sampleRate: wav.sampleRate } });
    const reply = fake.script.transcribe?.(r, counts.transcribe++) ?? { text: '' };
    await sleep(reply.delayMs ?? 0);
    if (reply.status) return fail(res, reply.status, 'scripted failure', 'server_error');
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: reply.text }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    const words = reply.text.split(/(?<= )/);
    for (const w of words) if (w) res.write(`data: ${JSON.stringify({ type: 'transcript.text.delta', delta: w } satisfies WireTranscriptEvent)}\n\n`);
    res.write(`data: ${JSON.stringify({ type: 'transcript.text.done', text: reply.text } satisfies WireTranscriptEvent)}\n\n`);
    res.end();
  }

  async function speech(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const parsed = json(req, res, body) as WireSpeechRequest | undefined;
    if (!parsed) return;
    if (typeof parsed.model !== 'string' || !parsed.model) return fail(res, 400, "you must provide a 'model'", 'invalid_request_error', 'model');
    if (typeof parsed.input !== 'string' || parsed.input.length === 0 || parsed.input.length > 4096) return fail(res, 400, "'input' must be 1 to 4096 characters", 'invalid_request_error', 'input');
    if (typeof parsed.voice !== 'string' || !parsed.voice) return fail(res, 400, "you must provide a 'voice'", 'invalid_request_error', 'voice');
    if (parsed.response_format !== 'pcm') return fail(res, 400, 'this fake serves response_format pcm only', 'invalid_request_error', 'response_format');
    requests.push({ path: '/v1/audio/speech', at: performance.now(), body: parsed });
    const reply = fake.script.speech?.(parsed, counts.speech++) ?? { pcm: new Int16Array(2400) };
    await sleep(reply.firstDelayMs ?? 0);
    if (reply.status) return fail(res, reply.status, 'scripted failure', 'server_error');
    res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked' });
    const per = Math.max(2, Math.round(((reply.chunkMs ?? 100) * 24_000) / 1000));
    const bytes = Buffer.from(reply.pcm.buffer, reply.pcm.byteOffset, reply.pcm.byteLength);
    for (let off = 0; off < bytes.length && !res.destroyed; off += per * 2 + 1) {
      // Odd-sized chunks on purpose: a client must carry a split sample over.
      res.write(bytes.subarray(off, Math.min(bytes.length, off + per * 2 + 1)));
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { baseUrl: string }).baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/** What the real endpoint would refuse (400), checked field by field. */
function checkChat(r: WireChatRequest): { message: string; param: string } | undefined {
  if (typeof r.model !== 'string' || !r.model) return { message: "you must provide a 'model'", param: 'model' };
  if (!Array.isArray(r.messages) || r.messages.length === 0) return { message: "'messages' must be a non-empty array", param: 'messages' };
  for (const [i, m] of r.messages.entries()) {
    if (!ROLES.has(m.role)) return { message: `invalid role ${String(m.role)}`, param: `messages[${i}].role` };
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string') return { message: "messages with role 'tool' need tool_call_id", param: `messages[${i}]` };
    if (m.role !== 'assistant' && typeof m.content !== 'string') return { message: 'content must be a string', param: `messages[${i}].content` };
  }
  // Every tool message must answer a tool_call of the assistant message before it.
  for (const [i, m] of r.messages.entries()) {
    if (m.role !== 'tool') continue;
    const ids = new Set<string>();
    for (let j = i - 1; j >= 0 && r.messages[j]!.role !== 'user'; j--) for (const c of (r.messages[j]!.tool_calls as { id: string }[] | undefined) ?? []) ids.add(c.id);
    if (!ids.has(m.tool_call_id!)) return { message: `tool message does not answer a preceding tool_call (${m.tool_call_id})`, param: `messages[${i}]` };
  }
  for (const [i, t] of (r.tools ?? []).entries()) {
    if (t.type !== 'function' || typeof t.function?.name !== 'string') return { message: 'tools must be {type: function, function: {name…}}', param: `tools[${i}]` };
    if (t.function.strict) {
      const p = t.function.parameters as { type?: string; additionalProperties?: unknown; properties?: Record<string, unknown>; required?: string[] } | undefined;
      if (!p || p.type !== 'object' || p.additionalProperties !== false) return { message: 'strict tools need parameters with additionalProperties: false', param: `tools[${i}].function.parameters` };
      const props = Object.keys(p.properties ?? {});
      if (props.some((k) => !(p.required ?? []).includes(k))) return { message: 'strict tools must list every property in required', param: `tools[${i}].function.parameters` };
    }
  }
  if (r.parallel_tool_calls !== undefined && !r.tools) return { message: 'parallel_tool_calls is only allowed when tools are specified', param: 'parallel_tool_calls' };
  return undefined;
}
