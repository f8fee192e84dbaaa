/**
 * Cuts a streamed reply into pieces worth synthesising on their own: sentences, and — for the first
 * piece only — a clause, so the first audio comes after the first clause rather than the whole
 * first sentence (TTFA). Pure and incremental: `push(delta)` returns the pieces completed so far.
 */
export class SentenceSplitter {
  #buf = '';
  #emitted = 0;
  readonly #firstClauseMin: number;

  constructor(opts: { firstClauseMinChars?: number } = {}) {
    this.#firstClauseMin = opts.firstClauseMinChars ?? 20;
  }

  push(delta: string): string[] {
    this.#buf += delta;
    const out: string[] = [];
    for (let guard = 0; guard < 1000; guard++) {
      const cut = this.#findCut();
      if (cut < 0) break;
      const piece = this.#buf.slice(0, cut).trim();
      this.#buf = this.#buf.slice(cut);
      if (piece) {
        out.push(piece);
        this.#emitted++;
      }
    }
    return out;
  }

  /** The rest, at the end of the reply. */
  flush(): string[] {
    const rest = this.#buf.trim();
    this.#buf = '';
    return rest ? [rest] : [];
  }

  #findCut(): number {
    // End of sentence: . ! ? (or newline) followed by whitespace; not "e.g. " style abbreviations of one letter.
    const m = /(?<![A-Z]\.[A-Za-z])(?<!\b[A-Za-z])[.!?]+["')\]]?\s|\n/.exec(this.#buf);
    let cut = m ? m.index + m[0].length : -1;
    if (this.#emitted === 0) {
      const c = /[,;:]\s/g;
      for (let mm = c.exec(this.#buf); mm; mm = c.exec(this.#buf)) {
        if (mm.index < this.#firstClauseMin) continue;
        if (cut < 0 || mm.index + mm[0].length < cut) cut = mm.index + mm[0].length;
        break;
      }
    }
    return cut;
  }
}
