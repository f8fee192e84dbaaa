import { metrics } from '../../gateway/metrics.ts';
import { ToolValidator } from '../../policies/tool-validation.ts';
import type { AgentCallContext } from '../types.ts';
import type { S2sTool } from './tools.ts';

/** What to send back to the model for one call, and whether the tool ran. */
export interface ToolOutcome {
  readonly output: string;
  readonly result: 'ok' | 'invalid' | 'failed';
}

/**
 * Runs the model's function calls: arguments are untrusted input, checked against the tool's JSON
 * Schema by the policies' ToolValidator BEFORE anything runs. An invalid call is answered with an
 * error the model can read and correct, counted, and never executed (design §5).
 */
export class ToolRunner {
  readonly #tools: ReadonlyMap<string, S2sTool>;
  readonly #validator: ToolValidator;
  /** Names of the tools actually executed, in order (tests and the end-of-call record). */
  readonly executed: string[] = [];

  constructor(tools: readonly S2sTool[]) {
    this.#tools = new Map(tools.map((t) => [t.name, t]));
    this.#validator = new ToolValidator(tools);
  }

  async run(name: string, argumentsJson: string, ctx: AgentCallContext): Promise<ToolOutcome> {
    const v = this.#validator.validate(name, argumentsJson);
    const tool = this.#tools.get(name);
    if (!v.ok || !tool) {
      const issues = v.ok ? [] : v.issues;
      metrics.s2sToolCalls.inc({ result: 'invalid' });
      ctx.log.warn({ tool: name.slice(0, 64), code: v.ok ? 'unknown-tool' : v.code, pii: { arguments: argumentsJson.slice(0, 2000) } }, 'tool call refused');
      return { result: 'invalid', output: JSON.stringify({ error: 'invalid_arguments', code: v.ok ? 'unknown-tool' : v.code, issues }) };
    }
    try {
      this.executed.push(name);
      const output = await tool.execute(v.value, ctx);
      metrics.s2sToolCalls.inc({ result: 'ok' });
      ctx.log.info({ tool: name, pii: { arguments: v.value } }, 'tool executed');
      return { result: 'ok', output };
    } catch (err) {
      metrics.s2sToolCalls.inc({ result: 'failed' });
      ctx.log.warn({ err, tool: name }, 'tool failed');
      return { result: 'failed', output: JSON.stringify({ error: 'tool_failed' }) };
    }
  }
}
