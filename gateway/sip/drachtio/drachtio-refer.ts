import { parseSipfragStatus } from '../embedded/sipfrag.ts';
import type { ReferOptions, ReferOutcome } from '../dialog.ts';
import type { SrfDialog, SrfRequest, SrfResponse } from './drachtio-wire.ts';

/**
 * Blind transfer on a drachtio dialog (RFC 3515). `dialog.refer()` throws in drachtio-srf 5, so the
 * REFER goes through `dialog.request()`; the implicit subscription's NOTIFYs arrive as the dialog's
 * `notify` event and carry message/sipfrag status lines (RFC 3420).
 */
export async function sendRefer(dialog: SrfDialog, target: string, opts: ReferOptions, isEnded: () => boolean): Promise<ReferOutcome> {
  let res;
  try {
    res = await dialog.request({ method: 'REFER', headers: { 'Refer-To': `<${target}>`, ...(opts.headers ?? {}) } });
  } catch {
    return isEnded() ? { ok: false, stage: 'ended' } : { ok: false, stage: 'rejected' };
  }
  if (res.status < 200 || res.status >= 300) return { ok: false, stage: 'rejected', status: res.status };
  return new Promise<ReferOutcome>((resolve) => {
    const done = (o: ReferOutcome): void => {
      clearTimeout(timer);
      dialog.off('notify', onNotify);
      dialog.off('destroy', onEnd);
      resolve(o);
    };
    const timer = setTimeout(() => done({ ok: false, stage: 'timeout' }), opts.timeoutMs ?? 30_000);
    const onEnd = (): void => done({ ok: false, stage: 'ended' });
    const onNotify = (req: SrfRequest, r: SrfResponse): void => {
      r.send(200);
      const status = parseSipfragStatus(req.get('Content-Type'), Buffer.from(req.body ?? '', 'latin1'));
      const terminated = /^\s*terminated/i.test(req.get('Subscription-State') ?? '');
      if (status !== undefined && status < 200) {
        opts.onProgress?.(status);
        if (terminated) done({ ok: false, stage: 'failed' });
        return;
      }
      if (status !== undefined) return done(status < 300 ? { ok: true, status } : { ok: false, stage: 'failed', status });
      if (terminated) done({ ok: false, stage: 'failed' });
    };
    dialog.on('notify', onNotify);
    dialog.on('destroy', onEnd);
  });
}
