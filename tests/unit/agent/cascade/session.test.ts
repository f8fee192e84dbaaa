import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Reply } from '../../../../agent/cascade/reply.ts';
import { CascadeSession, type CascadeDeps } from '../../../../agent/cascade/session.ts';
import { BUILTIN_TOOLS, type CascadeTool } from '../../../../agent/cascade/tools.ts';
import { DEFAULT_TURN_CONFIG } from '../../../../agent/cascade/turn-taking.ts';
import type { LlmEvent, LlmProvider, LlmRequest } from '../../../../agent/providers/llm/types.ts';
import type { SttProvider } from '../../../../agent/providers/stt/types.ts';
import type { StreamingTts } from '../../../../agent/providers/tts/streaming.ts';
import type { Vad } from '../../../../agent/providers/vad/types.ts';
import type { AgentCallContext } from '../../../../agent/types.ts';
import { ProviderError } from '../../../../gateway/errors.ts';
import { ToolValidator } from '../../../../policies/tool-validation.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

/** Energy VAD: speech when a 256-sample chunk is loud. Deterministic and instant. */
const energyVad: Vad = {
  name: 'energy',
  close: async () => undefined,
  open(_rate, cb) {
    let buf: number[] = [];
    let n = 0;
    return {
      sampleRate: 8000,
      chunkSamples: 256,
      push(pcm) {
        for (const v of pcm) {
          buf.push(v);
          if (buf.length === 256) {
            const loud = buf.some((x) => Math.abs(x) > 1000);
            n += 256;
            cb({ probability: loud ? 0.9 : 0.01, endSample: n });
            buf = [];
          }
        }
      },
      close() {},
    };
  },
};

const stt = (text: string): SttProvider => ({
  name: 'fake-stt',
  describe: () => 'fake-stt',
  open: (o) => ({ push() {}, requestInterim: () => setTimeout(() => o.onInterim(text), 5), finish: async () => text, abort() {} }),
});

function llm(script: (req: LlmRequest, n: number) => LlmEvent[] | Error): LlmProvider & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    name: 'fake-llm',
    requests,
    describe: () => 'fake-llm',
    async *stream(req) {
      requests.push(req);
      const r = script(req, requests.length - 1);
      if (r instanceof Error) throw r;
      for (const ev of r) yield ev;
    },
  };
}

const tts: StreamingTts = {
  engine: 'fake',
  describe: () => 'fake',
  async *stream() {
    yield { pcm: new Int16Array(1600).fill(3000), sampleRate: 8000 };
  },
};

function context(leg: FakeLeg, calls: string[]): AgentCallContext {
  return {
    callId: 't',
    band: 'narrow',
    from: '+1555',
    dialed: '100',
    variables: {},
    leg,
    log: pino({ level: 'silent' }),
    control: { hangup: (r: string) => void calls.push(`hangup:${r}`), sendDtmf: async () => undefined, fallback: (r: string) => void calls.push(`fallback:${r}`), transfer: async () => ({ ok: false, reason: 'unavailable' }) },
  } as unknown as AgentCallContext;
}

function deps(over: Partial<CascadeDeps>): CascadeDeps {
  return { vad: energyVad, stt: stt('Hello there.'), llm: llm(() => [{ type: 'text', delta: 'Hi!' }, { type: 'done', finishReason: 'stop' }]), tts, tools: BUILTIN_TOOLS, turn: { ...DEFAULT_TURN_CONFIG, minSilenceMs: 200 }, instructions: 'sys', vadThreshold: 0.5, echo: { enabled: true, maxLagMs: 800, maxRatio: 0.5 }, maxToolRounds: 2, tickMs: 20, ...over };
}

/** Speaks 400 ms of loud audio then `silenceMs` of silence into the leg, in real time. */
async function speakInto(leg: FakeLeg, silenceMs: number): Promise<void> {
  for (let i = 0; i < (400 + silenceMs) / 20; i++) {
    leg.sink.write({ samples: new Int16Array(160).fill(i < 20 ? 5000 : 0), sampleRate: 8000, timestamp: i * 160 });
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cascade session', () => {
  it('answers a caller turn: transcript to the model, reply into the playout, history kept', async () => {
    const leg = new FakeLeg();
    const calls: string[] = [];
    const model = llm(() => [{ type: 'text', delta: 'Hi, how can ' }, { type: 'text', delta: 'I help?' }, { type: 'done', finishReason: 'stop' }]);
    const s = new CascadeSession(context(leg, calls), deps({ llm: model }));
    await s.start();
    await speakInto(leg, 600);
    assert.equal(model.requests.length, 1);
    assert.deepEqual(model.requests[0]!.messages.at(-1), { role: 'user', content: 'Hello there.' });
    assert.ok(leg.output.queuedMs > 0, 'no reply audio queued');
    leg.output.pullInto(new Int16Array(1600));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(s.history.at(-1), { role: 'assistant', content: 'Hi, how can I help?' });
    await s.stop('test');
    assert.deepEqual(calls, []);
  });

  it('hands the call to the next agent when a provider fails', async () => {
    const leg = new FakeLeg();
    const calls: string[] = [];
    const s = new CascadeSession(context(leg, calls), deps({ llm: llm(() => new ProviderError('openai-llm', 'down', true)) }));
    await s.start();
    await speakInto(leg, 500);
    assert.deepEqual(calls, ['fallback:cascade-llm-failed']);
  });
});

describe('cascade session with a call policy (persona)', () => {
  it('uses the persona instructions and vocabulary, guards speech, and audits both sides', async () => {
    const leg = new FakeLeg();
    const audit: string[] = [];
    const vocab: (readonly string[] | undefined)[] = [];
    const policy = {
      persona: { name: 'support', instructions: 'You are Support.', vocabulary: ['Sev-1', 'Postgres'] },
      tools: { declarations: () => [], run: async () => ({ ok: true, output: '{}' }) },
      allowSpeech: (t: string) => !/password/i.test(t),
      transcript: (role: string, text: string) => void audit.push(`${role}:${text}`),
    };
    const sttSpy: SttProvider = { ...stt('Hello there.'), open: (o) => (vocab.push(o.vocabulary), stt('Hello there.').open(o)) };
    const model = llm(() => [{ type: 'text', delta: 'Sure thing. Your password is hunter2. Bye now.' }, { type: 'done', finishReason: 'stop' }]);
    const ctx = { ...context(leg, []), policy } as unknown as AgentCallContext;
    const s = new CascadeSession(ctx, deps({ llm: model, stt: sttSpy }));
    await s.start();
    await speakInto(leg, 600);
    assert.deepEqual(model.requests[0]!.messages[0], { role: 'system', content: 'You are Support.' });
    assert.deepEqual(vocab[0], ['Sev-1', 'Postgres']);
    assert.ok(model.requests[0]!.tools.some((t) => t.name === 'end_call'));
    for (let i = 0; i < 10; i++) leg.output.pullInto(new Int16Array(1600));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(audit, ['caller:Hello there.', 'agent:Sure thing.']);
    await s.stop('test');
  });
});

describe('reply tool rounds', () => {
  const open: CascadeTool = {
    spec: { name: 'open_ticket', description: 'open', parameters: { type: 'object', properties: { sev: { type: 'integer', minimum: 1, maximum: 4 } }, required: ['sev'], additionalProperties: false } },
    run: async (args) => {
      ran.push(args);
      return '{"ticket":42}';
    },
  };
  const ran: unknown[] = [];
  const v = new ToolValidator([open.spec]);
  const call = (args: string): LlmEvent => ({ type: 'tool-call', call: { id: 'c1', name: 'open_ticket', arguments: args }, validation: v.validate('open_ticket', args) });

  it('runs a valid tool call and gives the model its result', async () => {
    ran.length = 0;
    const model = llm((_r, n) => (n === 0 ? [call('{"sev":1}'), { type: 'done', finishReason: 'tool_calls' }] : [{ type: 'text', delta: 'Ticket 42.' }, { type: 'done', finishReason: 'stop' }]));
    const r = new Reply({ llm: model, history: [], userText: 'sev 1 please', tools: [open], maxToolRounds: 2, toolContext: { hangupAfterReply() {} } });
    await r.finished;
    assert.deepEqual(ran, [{ sev: 1 }]);
    assert.equal(r.text, 'Ticket 42.');
    assert.deepEqual(model.requests[1]!.messages.at(-1), { role: 'tool', toolCallId: 'c1', content: '{"ticket":42}' });
  });

  it('never runs a call whose arguments break the schema; the model is told why', async () => {
    ran.length = 0;
    const model = llm((_r, n) => (n === 0 ? [call('{"sev":9,"rm":"-rf"}'), { type: 'done', finishReason: 'tool_calls' }] : [{ type: 'text', delta: 'Sorry.' }, { type: 'done', finishReason: 'stop' }]));
    const r = new Reply({ llm: model, history: [], userText: 'x', tools: [open], maxToolRounds: 2, toolContext: { hangupAfterReply() {} } });
    await r.finished;
    assert.deepEqual(ran, []);
    const msg = model.requests[1]!.messages.at(-1)!;
    assert.equal(msg.role, 'tool');
    assert.match((msg as { content: string }).content, /invalid arguments/);
  });

  it('offers no tools in the last round, so the model must speak', async () => {
    const model = llm(() => [call('{"sev":1}'), { type: 'done', finishReason: 'tool_calls' }]);
    const r = new Reply({ llm: model, history: [], userText: 'x', tools: [open], maxToolRounds: 1, toolContext: { hangupAfterReply() {} } });
    await r.finished;
    assert.equal(model.requests.length, 2);
    assert.equal(model.requests[1]!.tools.length, 0);
  });
});
