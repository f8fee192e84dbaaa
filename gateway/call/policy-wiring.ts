import { CallerConfirmation, legConfirmIo } from '../../agent/tools/caller-confirmation.ts';
import { callControlTools, CALL_CONTROL_SPECS } from '../../agent/tools/call-control.ts';
import { CallPolicy } from '../../agent/tools/call-policy.ts';
import { ToolCatalog } from '../../agent/tools/tool-catalog.ts';
import type { TtsProvider } from '../../agent/providers/tts/types.ts';
import type { Band } from '../../codecs/types.ts';
import type { Config } from '../../config/types.ts';
import { AuditLog, type AuditSink, type CallAudit, type CallAuditRecorder } from '../audit/audit-log.ts';
import { metrics } from '../metrics.ts';
import type { CallInfo } from '../sip/call-info.ts';
import type { Call } from './call.ts';
import type { CallPolicyParts } from './call-runner.ts';
import { routeCall, routingPolicy, type AgentFactories, type CallRoute } from './choose-agents.ts';

/** How long `end_call` lets the goodbye play before the BYE (the model may keep talking). */
const GOODBYE_WAIT_MS = 8000;

export interface PolicyWiring {
  readonly routeFor: (info: CallInfo, band: Band, callId: string) => CallRoute;
  readonly policyFor: (route: Extract<CallRoute, { action: 'agent' }>, parts: CallPolicyParts) => CallPolicy;
  /** Records the call's end in its audit file and closes it (once the runner has the call). */
  readonly watch: (call: Call) => void;
  /** The call's audit recorder (transfers, incoming REFERs), while its file is open. */
  readonly auditFor: (callId: string) => CallAuditRecorder | undefined;
  readonly audit: AuditSink | undefined;
}

/**
 * Builds routing, the tool catalog and the audit log once (gateway/deps.ts calls this) and gives
 * the runner its per-call hooks. `tts` is the gateway's own voice, used for confirmation questions
 * and the filler sentence, so neither can come from a model.
 */
export function buildPolicyWiring(config: Config, factories: AgentFactories, tts: TtsProvider, env: NodeJS.ProcessEnv = process.env): PolicyWiring {
  const policy = routingPolicy(config);
  const catalog = new ToolCatalog(config.tools, Object.values(CALL_CONTROL_SPECS), env);
  const audit = config.audit.enabled ? new AuditLog({ dir: config.audit.dir, redactPii: config.audit.redactPii }) : undefined;
  // The audit files of routed calls not yet ended, by call id: opened at routing, closed by `watch`.
  const open = new Map<string, CallAudit>();

  return {
    audit,
    routeFor(info, band, callId) {
      const r = routeCall(config, factories, info, band, policy);
      const first = r.action === 'agent' ? (r.agents[0]?.kind ?? 'none') : 'none';
      metrics.routeDecisions.inc({ action: r.action, agent: first });
      let ca: CallAudit | undefined;
      if (audit) {
        // A Call-ID seen again while its first call is open: that file ends here, the new call gets its own.
        void open.get(callId)?.close();
        ca = audit.openCall(callId);
        open.set(callId, ca);
      }
      ca?.record('call-start', { trunk: info.trunk ?? null, from: info.from, dialed: info.dialed, source: info.source.address, band, headers: info.headers });
      ca?.record('route', r.action === 'agent' ? { action: 'agent', agents: r.agents.map((a) => a.kind), persona: r.persona.name, matched: r.decision.matched, variables: r.variables } : r.action === 'transfer' ? { action: 'transfer', target: r.target, matched: r.decision.matched } : { action: 'reject', status: r.status, matched: r.decision.matched });
      return r;
    },
    policyFor(route, parts) {
      const { leg, control, signal, callId } = parts;
      const ca = open.get(callId);
      const confirmer = new CallerConfirmation(legConfirmIo(leg, tts), {
        listenMs: config.tools.confirmation.listenSec * 1000,
        maxAsks: config.tools.confirmation.maxAsks,
        yesDigit: config.tools.confirmation.yesDigit,
        noDigit: config.tools.confirmation.noDigit,
      });
      const untilIdle = async (): Promise<void> => {
        const until = Date.now() + GOODBYE_WAIT_MS;
        while (!leg.output.idle && Date.now() < until && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
      };
      let fillers = 0;
      const tools = catalog.forCall({
        callId,
        persona: route.persona,
        local: callControlTools({ control, untilIdle }),
        confirmer,
        sayFiller: (text) => {
          tts.synthesize(text, { sampleRate: leg.sampleRate }).then(
            ({ pcm, sampleRate }) => void leg.output.play(`filler:${++fillers}`, pcm, sampleRate),
            (err: unknown) => parts.log.warn({ err }, 'filler synthesis failed'),
          );
        },
        ...(ca ? { audit: (data: Readonly<Record<string, unknown>>) => ca.record('tool-call', data) } : {}),
        signal,
      });
      return new CallPolicy({
        persona: route.persona,
        tools,
        recordTranscripts: config.audit.transcripts,
        ...(ca ? { audit: (type: 'turn' | 'guardrail' | 'tool-call', data: Readonly<Record<string, unknown>>) => ca.record(type, data) } : {}),
      });
    },
    auditFor(callId) {
      return open.get(callId)?.record;
    },
    watch(call) {
      const ca = open.get(call.id);
      // Calls refused before routing (admission, no trunk, no codec) have no audit file.
      if (!ca) return;
      const record = (): void => {
        const s = call.state;
        if (s.status !== 'ended') return;
        ca.record('call-end', { result: s.termination.result, ...(s.termination.sipStatus ? { sipStatus: s.termination.sipStatus } : {}) });
        if (open.get(call.id) === ca) open.delete(call.id);
        void ca.close();
      };
      if (call.ended) record();
      else call.on('state', (s) => s.status === 'ended' && record());
    },
  };
}
