import { describe, expect, it } from 'vitest';
import { foreignWrite } from './origin.ts';

describe('foreignWrite', () => {
  const post = (origin: string | undefined, fetchSite?: string) => ({
    method: 'POST',
    origin,
    host: 'lib.example.edu',
    fetchSite,
  });

  it('never refuses a read', () => {
    expect(
      foreignWrite({ method: 'GET', origin: 'https://evil.example', host: 'x' }, undefined),
    ).toBe(false);
  });

  it('compares the Origin with PUBLIC_URL when it is set, else with the Host', () => {
    expect(foreignWrite(post('https://lib.example.edu'), 'https://lib.example.edu/')).toBe(false);
    expect(foreignWrite(post('http://lib.example.edu'), 'https://lib.example.edu')).toBe(true);
    expect(foreignWrite(post('https://lib.example.edu'), undefined)).toBe(false);
    expect(foreignWrite(post('https://evil.example'), undefined)).toBe(true);
    expect(foreignWrite(post('null'), undefined)).toBe(true);
  });

  it('without an Origin, trusts only same-origin or user-initiated fetch metadata', () => {
    expect(foreignWrite(post(undefined), undefined)).toBe(false);
    expect(foreignWrite(post(undefined, 'same-origin'), undefined)).toBe(false);
    expect(foreignWrite(post(undefined, 'none'), undefined)).toBe(false);
    expect(foreignWrite(post(undefined, 'cross-site'), undefined)).toBe(true);
    expect(foreignWrite(post(undefined, 'same-site'), undefined)).toBe(true);
  });
});
