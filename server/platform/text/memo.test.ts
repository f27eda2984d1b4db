import { describe, expect, it } from 'vitest';
import { BoundedMemo } from './memo.ts';

describe('BoundedMemo', () => {
  it('computes a value once and then remembers it', () => {
    const memo = new BoundedMemo<number>(10);
    let calls = 0;
    const length = (k: string): number => {
      calls++;
      return k.length;
    };
    expect(memo.get('红楼梦', length)).toBe(3);
    expect(memo.get('红楼梦', length)).toBe(3);
    expect(calls).toBe(1);
    expect(memo.peek('三体')).toBeUndefined();
  });

  it('keeps at most two generations, and keeps what is still used', () => {
    const memo = new BoundedMemo<string>(2);
    memo.set('a', 'A');
    memo.set('b', 'B');
    memo.set('c', 'C'); // a and b become the old generation
    expect(memo.peek('a')).toBe('A'); // promoted into the young one (c, a)
    memo.set('d', 'D'); // young (c, a) is full: it becomes old, b is dropped
    expect(memo.peek('b')).toBeUndefined();
    expect(memo.peek('a')).toBe('A');
    expect(memo.peek('c')).toBe('C');
  });
});
