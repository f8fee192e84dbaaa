/**
 * The transcript of one caller utterance over a transcription session: a pure record of its
 * committed items in commit order (design §4.4, no I/O). Each `input_audio_buffer.commit` becomes one
 * conversation item (announced by `input_audio_buffer.committed`, in commit order); its text arrives
 * as `…input_audio_transcription.delta` events and then `.completed` (or `.failed`). Completions of
 * different items may arrive out of order (the API does not order them), so text is always assembled
 * in commit order.
 */
interface Item {
  readonly id: string;
  text: string;
  state: 'pending' | 'done' | 'failed';
}

export class UtteranceTranscript {
  readonly #items: Item[] = [];
  /** Commits sent whose `committed` (or refusal) has not come back yet. */
  #awaiting = 0;
  #failure: string | undefined;

  commitSent(): void {
    this.#awaiting++;
  }

  /** The server acknowledged our oldest outstanding commit as item `id`. */
  committed(id: string): void {
    if (this.#awaiting > 0) this.#awaiting--;
    this.#items.push({ id, text: '', state: 'pending' });
  }

  /** The server refused our oldest outstanding commit (e.g. too little audio): no item. */
  commitRefused(): void {
    if (this.#awaiting > 0) this.#awaiting--;
  }

  has(id: string): boolean {
    return this.#items.some((i) => i.id === id);
  }

  /** Returns whether the running text changed. */
  delta(id: string, d: string): boolean {
    const it = this.#items.find((i) => i.id === id);
    if (!it || it.state !== 'pending' || d === '') return false;
    it.text += d;
    return true;
  }

  completed(id: string, transcript: string): void {
    const it = this.#items.find((i) => i.id === id);
    if (!it || it.state === 'failed') return;
    it.text = transcript;
    it.state = 'done';
  }

  failed(id: string, code: string): void {
    const it = this.#items.find((i) => i.id === id);
    if (!it) return;
    it.state = 'failed';
    this.#failure ??= code;
  }

  /** Everything heard so far, finished items and the deltas of unfinished ones, in commit order. */
  get text(): string {
    return join(this.#items.map((i) => i.text));
  }

  /** Every commit is acknowledged and every item finished (done or failed). */
  get settled(): boolean {
    return this.#awaiting === 0 && this.#items.every((i) => i.state !== 'pending');
  }

  /** The code of the first item that failed, if any. */
  get failure(): string | undefined {
    return this.#failure;
  }

  get items(): number {
    return this.#items.length;
  }
}

function join(parts: readonly string[]): string {
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .join(' ');
}
