// The decoded-slice cache is bounded by bytes and evicts the least recently used slice first.
import { describe, expect, it } from 'vitest';
import { SliceCache } from '../../../src-main/services/series/sliceCache';

const slice = (values: number) => new Float32Array(values);

describe('slice cache', () => {
  it('keeps at most its byte budget, dropping the least recently used', () => {
    const cache = new SliceCache(3 * 4096);
    cache.put('1/0', slice(1024));
    cache.put('1/1', slice(1024));
    cache.put('1/2', slice(1024));
    expect(cache.bytes).toBe(3 * 4096);
    cache.get('1/0');
    cache.put('1/3', slice(1024));
    expect(cache.has('1/1')).toBe(false);
    expect(['1/0', '1/2', '1/3'].every((k) => cache.has(k))).toBe(true);
    expect(cache.bytes).toBe(3 * 4096);
    cache.put('1/4', slice(4096));
    expect(cache.has('1/4')).toBe(false);
    cache.put('2/0', slice(2048));
    expect(cache.bytes).toBeLessThanOrEqual(3 * 4096);
    expect(cache.has('2/0')).toBe(true);
  });

  it('drops one series by key prefix and replaces a slice put twice', () => {
    const cache = new SliceCache<Float32Array>(1 << 20);
    cache.put('7/0', slice(10));
    cache.put('7/1', slice(10));
    cache.put('8/0', slice(10));
    cache.put('8/0', slice(20));
    expect(cache.bytes).toBe(40 * 4);
    cache.deletePrefix('7/');
    expect(cache.has('7/0') || cache.has('7/1')).toBe(false);
    expect(cache.get('8/0')?.length).toBe(20);
    expect(cache.bytes).toBe(80);
  });
});
