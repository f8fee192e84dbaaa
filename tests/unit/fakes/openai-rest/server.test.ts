import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAi, type FakeOpenAi } from '../../../fakes/openai-rest/server.ts';

/** The fake must be as strict as the real API, or client bugs pass here and fail in production. */
describe('fake OpenAI REST server', () => {
  let fake: FakeOpenAi;
  before(async () => {
    fake = await startFakeOpenAi({ chat: () => ({ text: ['a', 'b'] }) });
  });
  after(() => fake.close());

  const post = (path: string, body: unknown, key = fake.apiKey): Promise<Response> =>
    fetch(`${fake.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('streams chat completions as SSE chunks ending in [DONE]', async () => {
    const res = await post('/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    assert.equal(chunks.map((c) => c.choices[0].delta.content ?? '').join(''), 'ab');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  });

  it('refuses a wrong key, an unknown path, and requests the real API refuses', async () => {
    const n0 = fake.violations.length;
    assert.equal((await post('/chat/completions', {}, 'sk-wrong')).status, 401);
    assert.equal((await post('/nope', {})).status, 404);
    assert.equal((await post('/chat/completions', { model: 'm', messages: [] })).status, 400);
    const loose = { type: 'function', function: { name: 't', strict: true, parameters: { type: 'object', properties: { a: { type: 'string' } } } } };
    const r = await post('/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }], tools: [loose] });
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: { message: string; param: string } };
    assert.match(body.error.message, /additionalProperties/);
    const orphan = { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'c9', content: '{}' }] };
    assert.equal((await post('/chat/completions', orphan)).status, 400);
    assert.equal((await post('/audio/speech', { model: 'm', input: 'hi', voice: 'alloy', response_format: 'mp3' })).status, 400);
    assert.equal(fake.violations.length - n0, 6);
  });
});
