// onnxruntime-node's native code makes its output tensors' typed arrays in Node's own realm, and
// onnxruntime-common checks them with instanceof; jest's sandbox has typed-array constructors of its
// own, so the check fails there (never outside jest). This environment gives the sandbox Node's.
import { TestEnvironment } from 'jest-environment-node';

const TYPED_ARRAYS = ['Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

export default class NativeTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}
