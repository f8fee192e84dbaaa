import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenAiLlm } from '../../../../../agent/providers/llm/openai.ts';
import type { LlmEvent } from '../../../../../agent/providers/llm/types.ts';
import { openAiClient } from '../../../../../agent/providers/openai-client.ts';
import { ProviderError } from '../../../../../gateway/errors.ts';
import type { ToolSpec } from '../../../../../policies/tool-validation.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../../../fakes/openai-rest/server.ts';
import type { WireChatRequest } from '../../../../fakes/openai-rest/wire.ts';

const TICKET: ToolSpec = {
  name: 'open_ticket',
  description: 'Open an incident ticket',
  parameters: {
    type: 'object',
    properties: { severity: { type: 'string', enum: ['sev-1', 'sev-2'] }, system: { type: 'string', minLength: 1 } },
    required: ['severity', 'system'],
    additionalProperties: false,
  },
};

describe('OpenAI LLM provider (against the local fake)', () => {
  let fake: FakeOpenAi;
  let llm: OpenAiLlm;
  before(async () => {
    fake = await startFakeOpenAi();
    llm = new OpenAiLlm({ client: openAiClient({ baseUrl: fake.baseUrl, apiKeyEnv: 'KEY', timeoutMs: 5000, maxRetries: 0 }, 'agent.cascade.llm', { KEY: fake.apiKey }), model: 'gpt-4o-mini' });
  });
  after(() => fake.close());

  const collect = async (tools: readonly ToolSpec[] = [TICKET]): Promise<LlmEvent[]> => {
    const out: LlmEvent[] = [];
    for await (const ev of llm.stream({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'My Sev-1 ticket' }], tools, signal: new AbortController().signal })) out.push(ev);
    return out;
  };

  it('streams text deltas and declares tools in strict mode', async () => {
    fake.script = { chat: () => ({ text: ['Sure', ', on it.'] }) };
    const evs = await collect();
    assert.deepEqual(evs.filter((e) => e.type === 'text').map((e) => (e as { delta: string }).delta), ['Sure', ', on it.']);
    assert.deepEqual(evs.at(-1), { type: 'done', finishReason: 'stop' });
    const req = fake.requests.at(-1)!.body as WireChatRequest;
    assert.equal(req.stream, true);
    assert.equal(req.tools?.[0]?.function.strict, true);
    assert.deepEqual(req.tools?.[0]?.function.parameters, TICKET.parameters);
  });

  it('joins streamed tool-call fragments and validates the arguments before anything runs', async () => {
    fake.script = { chat: () => ({ toolCalls: [{ name: 'open_ticket', arguments: '{"severity":"sev-1","system":"postgres"}' }] }) };
    const call = (await collect()).find((e) => e.type === 'tool-call');
    assert.ok(call && call.type === 'tool-call');
    assert.equal(call.call.name, 'open_ticket');
    assert.deepEqual(call.validation, { ok: true, value: { severity: 'sev-1', system: 'postgres' } });
  });

  it('reports arguments that break the schema as invalid (never as a value)', async () => {
    fake.script = { chat: () => ({ toolCalls: [{ name: 'open_ticket', arguments: '{"severity":"sev-9","system":"x","drop":"tables"}' }] }) };
    const call = (await collect()).find((e) => e.type === 'tool-call');
    assert.ok(call && call.type === 'tool-call' && !call.validation.ok);
    assert.equal(call.validation.code, 'schema');
  });

  it('maps HTTP failures to ProviderError with retryable set', async () => {
    fake.script = { chat: () => ({ status: 503 }) };
    await assert.rejects(collect(), (e: unknown) => e instanceof ProviderError && e.retryable);
    fake.script = { chat: () => ({ status: 400 }) };
    await assert.rejects(collect(), (e: unknown) => e instanceof ProviderError && !e.retryable);
  });
});
