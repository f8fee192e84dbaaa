import { loadConfig } from '../config/load.ts';
import { buildGateway } from './deps.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './log.ts';
import { metrics } from './metrics.ts';
import { faultInCurrentCall } from './call/call-guard.ts';

/**
 * Start-up and shutdown. SIGTERM drains (RFC-friendly: new INVITEs get 503, calls in progress go on
 * until they end or the drain window closes, then get a BYE); a second signal exits at once.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ file: process.env.TRUNKLINE_CONFIG, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`trunkline: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger({ level: config.logging.level, pii: config.logging.pii });
  let gw;
  try {
    gw = await buildGateway(config, log);
  } catch (err) {
    // Start-up failures (a port in use, espeak-ng missing) name the cause and stop with a clear exit.
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ' — another process holds the port; set TRUNKLINE_SIP_PORT / TRUNKLINE_HTTP_PORT or stop it' : '';
    process.stderr.write(`trunkline: cannot start: ${e.message}${hint}\n`);
    log.flush();
    process.exit(1);
  }
  log.info({ uris: gw.sipUris, httpPort: gw.httpPort }, 'gateway ready');
  process.stdout.write(`\nTrunkline is answering calls. Dial: ${gw.sipUris.join('  or  ')}\n` + `Metrics: http://${config.http.bind}:${gw.httpPort}/metrics\n\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info({ signal, calls: gw.registry.size }, 'draining');
    await gw.drain(config.calls.drainTimeoutSec * 1000);
    await gw.close();
    log.info('stopped');
    log.flush();
    setTimeout(() => process.exit(0), 100).unref();
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A fault that escaped a call's own handler is logged and counted; the process and other calls go on.
  // One that happened in a call's async context (a timer or promise the call started) ends that call.
  process.on('uncaughtException', (err) => {
    if (faultInCurrentCall('uncaught', err)) return;
    metrics.processFaults.inc({ kind: 'exception' });
    log.error({ err }, 'uncaught exception');
  });
  process.on('unhandledRejection', (err) => {
    if (faultInCurrentCall('unhandled-rejection', err)) return;
    metrics.processFaults.inc({ kind: 'rejection' });
    log.error({ err }, 'unhandled rejection');
  });
}

void main();
