import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/stripe-sandbox/errors.ts';
import { decodeForm, fingerprintForm } from '../../src/stripe-sandbox/form.ts';

describe('stripe sandbox: form decoding', () => {
  it('decodes stripe-node’s bracket encoding into nested objects and arrays', () => {
    const body =
      'amount=1500&currency=eur&metadata[booking_id]=bk_1&metadata[note]=a%20b+c&expand[0]=latest_charge&expand[1]=payment_method' +
      '&automatic_payment_methods[enabled]=true&a[b][0][c]=deep';
    expect(decodeForm(body)).toEqual({
      amount: '1500',
      currency: 'eur',
      metadata: { booking_id: 'bk_1', note: 'a b c' },
      expand: ['latest_charge', 'payment_method'],
      automatic_payment_methods: { enabled: 'true' },
      a: { b: [{ c: 'deep' }] },
    });
  });

  it('accepts empty-bracket arrays, percent-encoded brackets and empty values', () => {
    expect(decodeForm('expand[]=a&expand[]=b')).toEqual({ expand: ['a', 'b'] });
    expect(decodeForm('metadata%5Bkey%5D=v')).toEqual({ metadata: { key: 'v' } });
    expect(decodeForm('metadata=')).toEqual({ metadata: '' });
    expect(decodeForm('')).toEqual({});
  });

  it('orders array entries by index, not by arrival', () => {
    expect(decodeForm('x[1]=second&x[0]=first')).toEqual({ x: ['first', 'second'] });
  });

  it('rejects prototype-polluting keys and conflicting shapes', () => {
    expect(() => decodeForm('__proto__[admin]=true')).toThrow(SandboxError);
    expect(() => decodeForm('a[constructor][prototype]=1')).toThrow(SandboxError);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(() => decodeForm('a=1&a[b]=2')).toThrow(SandboxError);
    expect(() => decodeForm('a=%E0%A4%A')).toThrow(SandboxError);
  });

  it('fingerprints independently of parameter order', () => {
    expect(fingerprintForm(decodeForm('a=1&b[x]=2&b[y]=3'))).toBe(fingerprintForm(decodeForm('b[y]=3&a=1&b[x]=2')));
    expect(fingerprintForm(decodeForm('a=1'))).not.toBe(fingerprintForm(decodeForm('a=2')));
  });
});
