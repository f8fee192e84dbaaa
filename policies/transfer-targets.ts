/**
 * Which URIs a call may be transferred to (pure). A model or a menu asks for a target; only targets on
 * the configured allowlist (`transfers.allowedTargets`) are ever put in a REFER, so a hallucinated or
 * injected "transfer me to sip:anything" never leaves the gateway.
 *
 * An entry is a URI, compared case-insensitively as a whole, where `*` stands for a run of characters
 * other than `@ ; ? , < > "` and white space. So `sip:*@pbx.example.com` allows any user at that host,
 * but not `sip:a@evil.example;x=@pbx.example.com`, and a target carrying URI parameters or headers
 * (`;method=`, `?Replaces=`) matches only an entry that spells them out.
 */
const WILDCARD = '[^@;?,<>"\\s]*';

/** A target must be a plain SIP, SIPS or tel URI: no display name, brackets, quotes or spaces. */
const URI_SHAPE = /^(sips?|tel):[^\s<>"]+$/i;

export function isAllowedTarget(target: string, allowed: readonly string[]): boolean {
  const t = target.trim();
  if (t.length > 256 || !URI_SHAPE.test(t)) return false;
  return allowed.some((entry) => compile(entry).test(t));
}

const cache = new Map<string, RegExp>();

function compile(entry: string): RegExp {
  let re = cache.get(entry);
  if (re === undefined) {
    const body = entry.trim().split('*').map(escape).join(WILDCARD);
    re = new RegExp(`^${body}$`, 'i');
    // Bounded: entries come from config (at most 1000, schema).
    if (cache.size < 2000) cache.set(entry, re);
  }
  return re;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
