import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson } from '../../src/evidence/seal/canonical-json.js';

/** RFC 8785's own test vectors (§3.2.2, §3.2.3, Appendix B). */
describe('RFC 8785 JSON canonicalization', () => {
  it('serializes the RFC §3.2.2 example: literals, ES numbers, minimal string escapes, sorted keys', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units (RFC §3.2.3), not by code points or locale', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes IEEE 754 doubles as the RFC Appendix B table says', () => {
    const table: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [hex, expected] of table) {
      const value = Buffer.from(hex, 'hex').readDoubleBE(0);
      expect(canonicalJson(value), hex).toBe(expected);
    }
  });

  it('refuses what has no canonical form: NaN, Infinity, lone surrogates, bigints, class instances', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '\uD800',
      { '\uDC00': 1 },
      10n,
      new Date(0),
      new Map(),
    ])
      expect(() => canonicalJson(bad)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(
      'cannot canonicalize .a[1]: NaN is not a JSON number',
    );
  });

  it('nests objects and arrays without whitespace and leaves out undefined members, as JSON does', () => {
    expect(canonicalJson({ b: [{ y: 1, x: { d: null, c: undefined } }], a: '' })).toBe(
      '{"a":"","b":[{"x":{"d":null},"y":1}]}',
    );
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});
