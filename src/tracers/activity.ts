// A per-CPU log of recent kernel activity (noise occurrences, long kernel sections), kept in fixed
// arrays so recording allocates nothing. Auto-analysis reads it when a stop threshold is hit, like
// rtla's timerlat_aa reads the osnoise/irq/thread events around the hit. CPU actor only.

/** One logged occurrence. */
export interface Activity {
  readonly name: string;
  readonly kind: string;
  readonly startNs: number;
  readonly durationNs: number;
}

/** A ring of the last `size` occurrences on one CPU. */
export class ActivityLog {
  readonly #names: string[];
  readonly #kinds: string[];
  readonly #start: Float64Array;
  readonly #end: Float64Array;
  #next = 0;
  #count = 0;

  constructor(readonly size = 64) {
    this.#names = new Array<string>(size).fill('');
    this.#kinds = new Array<string>(size).fill('');
    this.#start = new Float64Array(size);
    this.#end = new Float64Array(size);
  }

  /** Record one occurrence (strings are interned by the caller: no allocation here). */
  add(name: string, kind: string, startNs: number, endNs: number): void {
    const i = this.#next;
    this.#names[i] = name;
    this.#kinds[i] = kind;
    this.#start[i] = startNs;
    this.#end[i] = endNs;
    this.#next = (i + 1) % this.size;
    if (this.#count < this.size) this.#count++;
  }

  /** Occurrences overlapping [fromNs, toNs], oldest first, clipped to the window. */
  between(fromNs: number, toNs: number): Activity[] {
    const out: Activity[] = [];
    for (let k = this.#count; k > 0; k--) {
      const i = (this.#next - k + this.size) % this.size;
      const s = this.#start[i]!;
      const e = this.#end[i]!;
      if (e < fromNs || s > toNs) continue;
      const cs = Math.max(s, fromNs);
      out.push({ name: this.#names[i]!, kind: this.#kinds[i]!, startNs: cs, durationNs: Math.min(e, toNs) - cs });
    }
    return out;
  }
}
