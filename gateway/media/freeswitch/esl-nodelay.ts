/**
 * Turns Nagle's algorithm off on an event-socket connection of drachtio-modesl (drachtio-fsmrf's
 * ESL client). modesl writes one command in several `socket.write` calls (the command line, each
 * header, the blank line — lib/esl/Connection.js `send`), so with Nagle on, the last small write
 * waits for FreeSWITCH's delayed ACK: every `api` took about 40 ms on loopback (seen:
 * `uuid_getvar` 41 ms → 1 ms with TCP_NODELAY). `uuid_audio_fork start` is one such call before
 * each answer, as are `uuid_break` at barge-in and `uuid_send_dtmf`.
 *
 * The connection is the MediaServer's `conn` (inbound) or an Endpoint's `_conn` (the outbound socket
 * FreeSWITCH opened for the channel); both hold the `net.Socket` as `socket`. Anything else is left
 * alone: this is a latency fix, never a reason to fail a call.
 */
export function eslNoDelay(conn: unknown): boolean {
  const socket = (conn as { socket?: { setNoDelay?: (on: boolean) => unknown } } | undefined)?.socket;
  if (typeof socket?.setNoDelay !== 'function') return false;
  socket.setNoDelay(true);
  return true;
}
