// Save and restore tracefs knobs (rtla's osnoise_context: every value it changes is saved first and
// put back when the tool exits). Control plane only; one Knobs per session, restore() once.
import type { TracefsApi } from './lab.js';

/** A tracefs knob changer that remembers the original of every file it writes. */
export class Knobs {
  readonly #fs: TracefsApi;
  readonly #saved = new Map<string, string>();
  #restored = false;

  constructor(fs: TracefsApi) {
    this.#fs = fs;
  }

  /** The current value of a file, trimmed. */
  async get(path: string): Promise<string> {
    return (await this.#fs.read(path)).trim();
  }

  /** Write `value`, saving the original the first time this file is changed. */
  async set(path: string, value: string | number): Promise<void> {
    if (!this.#saved.has(path)) this.#saved.set(path, await this.get(path));
    await this.#fs.write(path, String(value));
  }

  /** Write without saving (a value that must not be restored, e.g. a re-enable). */
  async put(path: string, value: string | number): Promise<void> {
    await this.#fs.write(path, String(value));
  }

  /** Put every saved value back, last change first; returns the files that could not be restored. */
  async restore(): Promise<string[]> {
    if (this.#restored) return [];
    this.#restored = true;
    const failed: string[] = [];
    for (const [path, value] of [...this.#saved].reverse()) {
      try {
        await this.#fs.write(path, value === '' ? '\n' : value);
      } catch {
        failed.push(path);
      }
    }
    return failed;
  }
}
