import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../../config/load.ts';
import { ConfigError } from '../../../gateway/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'trunkline-config-'));
let n = 0;
function writeYaml(text: string): string {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}
/** The default config as a plain object, edited by `edit`, written to a file. */
function variant(edit: (c: any) => void): string {
  const c = parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
  edit(c);
  return writeYaml(stringify(c));
}
const noIfaces = () => ({});
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}
function keyPathOf(file: string, env: NodeJS.ProcessEnv = {}): string {
  return configError(() => loadConfig({ file, env, networkInterfaces: noIfaces })).keyPath;
}

test('the default config loads, with defaults, detected advertise address and absolute cache dir', () => {
  const cfg = loadConfig({
    env: {},
    cwd: '/srv/tl',
    networkInterfaces: () => ({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: '127.0.0.1/8' }],
      eth0: [
        { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff::', mac: '', cidr: 'fe80::1/64', scopeid: 2 },
        { address: '192.0.2.7', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: '192.0.2.7/24' },
      ],
    }),
  });
  assert.equal(cfg.sip.bind, '0.0.0.0');
  assert.equal(cfg.sip.advertise, '192.0.2.7');
  assert.equal(cfg.sip.udpPort, 5060);
  assert.deepEqual([cfg.rtp.portMin, cfg.rtp.portMax], [20000, 20999]);
  assert.deepEqual(cfg.codecs, ['opus', 'G722', 'PCMU', 'PCMA']);
  assert.deepEqual(cfg.trunks[0]?.allowedCidrs, ['0.0.0.0/0', '::/0']);
  assert.equal(cfg.agent.menu.start, 'main');
  assert.equal(cfg.agent.menu.tts.cacheDir, '/srv/tl/.cache/tts');
  assert.equal(cfg.logging.level, 'info');
  assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.agent.menu.menus));
});

test('advertise falls back to 127.0.0.1 without a non-internal IPv4, and equals a specific bind', () => {
  assert.equal(loadConfig({ env: {}, networkInterfaces: noIfaces }).sip.advertise, '127.0.0.1');
  assert.equal(loadConfig({ env: { TRUNKLINE_BIND: '127.0.0.1' } }).sip.advertise, '127.0.0.1');
});

test('schema defaults fill a minimal file; numeric digits are accepted as strings', () => {
  const file = writeYaml(`
trunks: [{ name: lab, allowedCidrs: [10.0.0.0/8] }]
agent:
  menu:
    start: main
    menus:
      main: { prompt: Press 1., options: [{ digit: 1, then: hangup }] }
`);
  const cfg = loadConfig({ file, env: {}, networkInterfaces: noIfaces });
  assert.equal(cfg.http.bind, '127.0.0.1');
  assert.equal(cfg.http.port, 9060);
  assert.equal(cfg.agent.default, 'menu');
  assert.equal(cfg.agent.menu.maxRepeats, 2);
  assert.equal(cfg.agent.menu.tts.voice, 'en-us');
  assert.equal(cfg.agent.menu.menus.main?.options[0]?.digit, '1');
  assert.deepEqual(cfg.calls, { maxDurationSec: 3600, maxConcurrent: 100, answerDelayMs: 0, drainTimeoutSec: 30 });
});

test('TRUNKLINE_CONFIG names the file; env port overrides and programmatic overrides apply, port 0 allowed', () => {
  const file = variant((c) => (c.sip.user = 'lab'));
  const cfg = loadConfig({
    env: { TRUNKLINE_CONFIG: file, TRUNKLINE_SIP_PORT: '15060', TRUNKLINE_RTP_PORT_MIN: '30000', TRUNKLINE_RTP_PORT_MAX: '30099', TRUNKLINE_HTTP_PORT: '0' },
    overrides: { sip: { tcpPort: 0 } },
  });
  assert.equal(cfg.sip.user, 'lab');
  assert.equal(cfg.sip.udpPort, 15060);
  assert.equal(cfg.sip.tcpPort, 0);
  assert.equal(cfg.http.port, 0);
  assert.deepEqual([cfg.rtp.portMin, cfg.rtp.portMax], [30000, 30099]);
});

test('overrides objects are not mutated by default filling', () => {
  const overrides = { rtp: { portMin: 40000, portMax: 40100 } };
  loadConfig({ env: {}, overrides });
  assert.deepEqual(overrides, { rtp: { portMin: 40000, portMax: 40100 } });
});

test('schema mistakes name the exact key path', () => {
  const cases: Array<[string, (c: any) => void]> = [
    ['sip.bnd', (c) => (c.sip.bnd = '0.0.0.0')],
    ['sip.bind', (c) => (c.sip.bind = 'everywhere')],
    ['sip.udpPort', (c) => (c.sip.udpPort = 70000)],
    ['rtp.portMin', (c) => (c.rtp.portMin = 'low')],
    ['rtp.portMin', (c) => (c.rtp.portMin = 20001)],
    ['codecs[1]', (c) => (c.codecs = ['PCMU', 'GSM'])],
    ['codecs[1]', (c) => (c.codecs = ['PCMU', 'PCMU'])],
    ['trunks', (c) => delete c.trunks],
    ['trunks[0].allowedCidrs[1]', (c) => (c.trunks[0].allowedCidrs = ['10.0.0.0/8', 'my office'])],
    ['agent.menu.menus.main.options[1].digit', (c) => (c.agent.menu.menus.main.options[1].digit = '12')],
    ['agent.menu.menus.main.options[0].then', (c) => (c.agent.menu.menus.main.options[0].then = 'again')],
    ['agent.menu.menus.main.options[2].then.goto', (c) => (c.agent.menu.menus.main.options[2].then = { goto: 3 })],
    ['agent.menu.menus.main.options[2].then.menu', (c) => (c.agent.menu.menus.main.options[2].then = { menu: 'details' })],
    ['logging.level', (c) => (c.logging.level = 'loud')],
  ];
  for (const [expected, edit] of cases) assert.equal(keyPathOf(variant(edit)), expected, `case ${expected}`);
});

test('an unknown key suggests the nearest known one', () => {
  const err = configError(() => loadConfig({ file: variant((c) => (c.rtp.portmax = 1)), env: {} }));
  assert.equal(err.keyPath, 'rtp.portmax');
  assert.match(err.fix ?? '', /"portMax"/);
});

test('semantic mistakes name the exact key path', () => {
  const cases: Array<[string, (c: any) => void]> = [
    ['rtp.portMin', (c) => Object.assign(c.rtp, { portMin: 21000, portMax: 20999 })],
    ['rtp.jitterBufferMs.max', (c) => (c.rtp.jitterBufferMs = { min: 300, max: 100 })],
    ['trunks[0].allowedCidrs[0]', (c) => (c.trunks[0].allowedCidrs = ['10.0.0.0/40'])],
    ['trunks[0].allowedCidrs[1]', (c) => (c.trunks[0].allowedCidrs = ['::/0', '999.1.2.3/8'])],
    ['trunks[1].name', (c) => c.trunks.push({ name: 'any', allowedCidrs: ['10.0.0.0/8'] })],
    ['agent.menu.start', (c) => (c.agent.menu.start = 'welcome')],
    ['agent.menu.menus.main.options[2].then.goto', (c) => (c.agent.menu.menus.main.options[2].then = { goto: 'detail' })],
    ['agent.menu.menus.details.options[2].digit', (c) => (c.agent.menu.menus.details.options[2].digit = '1')],
    ['sip.udpPort', (c) => (c.sip.udpPort = 20010)],
  ];
  for (const [expected, edit] of cases) assert.equal(keyPathOf(variant(edit)), expected, `case ${expected}`);
});

test('a secret in YAML is refused with the environment variable to use', () => {
  const err = configError(() => loadConfig({ file: variant((c) => (c.agent.openai = { model: 'x', apiKey: 'sk-123' })), env: {} }));
  assert.equal(err.keyPath, 'agent.openai.apiKey');
  assert.match(err.fix ?? '', /OPENAI_API_KEY/);
  assert.doesNotMatch(err.message, /sk-123/);
  assert.equal(keyPathOf(variant((c) => (c.trunks[0].password = 'x'))), 'trunks[0].password');
});

test('a bad environment override names the key and the variable', () => {
  const err = configError(() => loadConfig({ env: { TRUNKLINE_HTTP_PORT: 'eighty' } }));
  assert.equal(err.keyPath, 'http.port');
  assert.match(err.problem, /TRUNKLINE_HTTP_PORT/);
  const range = configError(() => loadConfig({ env: { TRUNKLINE_RTP_PORT_MAX: '70000' } }));
  assert.equal(range.keyPath, 'rtp.portMax');
  assert.match(range.problem, /set by TRUNKLINE_RTP_PORT_MAX/);
});

test('a schema error tells the line and column where the key was written', () => {
  const file = writeYaml(`trunks:
  - name: lab
    allowedCidrs: [10.0.0.0/8]
rtp:
  portMin: 5
agent:
  menu:
    start: main
    menus:
      main: { prompt: Hi., options: [{ digit: "1", then: hangup }] }
`);
  const err = configError(() => loadConfig({ file, env: {} }));
  assert.equal(err.keyPath, 'rtp.portMin');
  assert.ok(err.problem.includes(`${file}:5:12`), err.problem);
});

test('a YAML syntax error names line and column', () => {
  const file = writeYaml('sip:\n  bind: 0.0.0.0\n  udpPort: [5060\nrtp:\n  portMin: 20000\n');
  const err = configError(() => loadConfig({ file, env: {} }));
  assert.equal(err.keyPath, '');
  assert.match(err.problem, /YAML syntax error .* line \d+, column \d+/);
  const dup = configError(() => loadConfig({ file: writeYaml('sip:\n  udpPort: 1\n  udpPort: 2\n'), env: {} }));
  assert.match(dup.problem, /line 3, column 3/);
});

test('a missing file and a non-mapping file are ConfigErrors', () => {
  assert.match(configError(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} })).problem, /ENOENT/);
  assert.match(configError(() => loadConfig({ file: writeYaml('- a\n- b\n'), env: {} })).problem, /mapping/);
});
