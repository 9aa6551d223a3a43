// Decoded slices, least recently used evicted first, bounded by bytes rather than count because
// slice sizes differ by series (a 512x512 CT slice is 512 KiB of Int16, a 64x64 one 8 KiB).
export class SliceCache<T extends ArrayBufferView = ArrayBufferView> {
  private readonly entries = new Map<string, T>();
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  put(key: string, values: T): void {
    this.delete(key);
    if (values.byteLength > this.maxBytes) return;
    this.entries.set(key, values);
    this.used += values.byteLength;
    for (const [k, v] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= v.byteLength;
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.used -= old.byteLength;
  }

  /** Drops every entry whose key starts with `prefix` (one series). */
  deletePrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }
}
