import { canonicalJson } from './content-hash.js';

describe('canonicalJson', () => {
  it('sorts keys at every level by UTF-16 code unit, keeps array order and leaves out undefined values', () => {
    const value = { b: 1, a: { z: [3, { y: true, x: null }], '10': 'ten', '9': 'nine' }, c: undefined, 'é': 'e acute', B: 'capital' };
    expect(canonicalJson(value)).toBe('{"B":"capital","a":{"10":"ten","9":"nine","z":[3,{"x":null,"y":true}]},"b":1,"é":"e acute"}');
  });

  it('writes what JSON.stringify writes for JSON values whose keys are already sorted', () => {
    const value = { a: 'quote " backslash \\ newline \n', b: [1.5, -0, 1e21, null, 'x'], c: { d: {} , e: [] } };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it('writes null for undefined in an array and for a bare undefined, as the hash has always done', () => {
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('text')).toBe('"text"');
  });
});
