/**
 * @jest-environment ./services/cache/test/native-typed-arrays.environment.mjs
 */
import { createRequire } from 'node:module';
import { seededRandom } from '#models';
import { bertOnnxModel, readSafetensors, type BertConfig } from './bert.onnx-graph.js';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

// A toy BERT (2 layers, 8 dims, 2 heads) with random weights: the ONNX graph built from its
// safetensors file must compute what BERT computes, here written out plainly in TypeScript.
const config: BertConfig = { hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, layer_norm_eps: 1e-12, hidden_act: 'gelu', max_position_embeddings: 16 };
const VOCAB = 20;

function toyWeights(): Record<string, { shape: number[]; data: Float32Array }> {
  const random = seededRandom(7);
  const t = (...shape: number[]) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) });
  const h = config.hidden_size;
  const w: Record<string, { shape: number[]; data: Float32Array }> = {
    'embeddings.word_embeddings.weight': t(VOCAB, h),
    'embeddings.position_embeddings.weight': t(config.max_position_embeddings, h),
    'embeddings.token_type_embeddings.weight': t(2, h),
    'embeddings.LayerNorm.weight': t(h),
    'embeddings.LayerNorm.bias': t(h),
  };
  for (let l = 0; l < config.num_hidden_layers; l += 1) {
    const p = `encoder.layer.${l}`;
    for (const name of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) Object.assign(w, { [`${p}.${name}.weight`]: t(h, h), [`${p}.${name}.bias`]: t(h) });
    Object.assign(w, {
      [`${p}.intermediate.dense.weight`]: t(config.intermediate_size, h),
      [`${p}.intermediate.dense.bias`]: t(config.intermediate_size),
      [`${p}.output.dense.weight`]: t(h, config.intermediate_size),
      [`${p}.output.dense.bias`]: t(h),
      [`${p}.attention.output.LayerNorm.weight`]: t(h),
      [`${p}.attention.output.LayerNorm.bias`]: t(h),
      [`${p}.output.LayerNorm.weight`]: t(h),
      [`${p}.output.LayerNorm.bias`]: t(h),
    });
  }
  return w;
}

/** The safetensors layout: 8-byte little-endian header length, JSON header, the tensors' bytes. */
function safetensorsFile(tensors: Record<string, { shape: number[]; data: Float32Array }>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' }, 'embeddings.position_ids': { dtype: 'I64', shape: [1, 1], data_offsets: [0, 8] } };
  let offset = 8;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length + 8;
  for (const { data } of Object.values(tensors)) {
    out.set(new Uint8Array(data.buffer), at);
    at += data.byteLength;
  }
  return out;
}

/** BERT's forward pass for one sequence, plainly: [tokens][hidden]. */
function reference(w: ReturnType<typeof toyWeights>, ids: number[], length: number): number[][] {
  const h = config.hidden_size;
  const heads = config.num_attention_heads;
  const size = h / heads;
  const row = (name: string, i: number, n = h) => Array.from(w[name]!.data.subarray(i * n, (i + 1) * n));
  const linear = (x: number[], prefix: string) => {
    const { shape, data } = w[`${prefix}.weight`]!;
    const bias = w[`${prefix}.bias`]!.data;
    return Array.from({ length: shape[0]! }, (_, o) => x.reduce((s, v, i) => s + v * data[o * shape[1]! + i]!, bias[o]!));
  };
  const norm = (x: number[], prefix: string) => {
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mean) / Math.sqrt(variance + config.layer_norm_eps)) * w[`${prefix}.weight`]!.data[i]! + w[`${prefix}.bias`]!.data[i]!);
  };
  const erf = (x: number) => {
    // Its Maclaurin series: accurate in float64 for |x| up to about 4, which covers this toy model's values.
    let sum = x;
    let term = x;
    for (let n = 1; n < 60; n += 1) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  let hidden = ids.map((id, t) => norm(row('embeddings.word_embeddings.weight', id).map((v, i) => v + row('embeddings.position_embeddings.weight', t)[i]! + row('embeddings.token_type_embeddings.weight', 0)[i]!), 'embeddings.LayerNorm'));
  for (let l = 0; l < config.num_hidden_layers; l += 1) {
    const p = `encoder.layer.${l}`;
    const q = hidden.map((x) => linear(x, `${p}.attention.self.query`));
    const k = hidden.map((x) => linear(x, `${p}.attention.self.key`));
    const v = hidden.map((x) => linear(x, `${p}.attention.self.value`));
    const context = hidden.map((_, t) => {
      const out = new Array<number>(h).fill(0);
      for (let head = 0; head < heads; head += 1) {
        const scores = k.map((kj, j) => (j < length ? q[t]!.slice(head * size, (head + 1) * size).reduce((s, qv, d) => s + qv * kj[head * size + d]!, 0) / Math.sqrt(size) : -Infinity));
        const max = Math.max(...scores);
        const exp = scores.map((s) => Math.exp(s - max));
        const total = exp.reduce((a, b) => a + b, 0);
        exp.forEach((e, j) => {
          for (let d = 0; d < size; d += 1) out[head * size + d]! += (e / total) * v[j]![head * size + d]!;
        });
      }
      return out;
    });
    const attended = hidden.map((x, t) => norm(linear(context[t]!, `${p}.attention.output.dense`).map((a, i) => a + x[i]!), `${p}.attention.output.LayerNorm`));
    hidden = attended.map((x) => {
      const inner = linear(x, `${p}.intermediate.dense`).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
      return norm(linear(inner, `${p}.output.dense`).map((o, i) => o + x[i]!), `${p}.output.LayerNorm`);
    });
  }
  return hidden;
}

describe('bertOnnxModel', () => {
  it('builds from a safetensors file a graph that computes BERT, padding masked out', async () => {
    const weights = toyWeights();
    const session = await ort.InferenceSession.create(bertOnnxModel(readSafetensors(safetensorsFile(weights)), config));
    const sequences = [
      [1, 5, 7, 2],
      [1, 9, 2, 0],
    ];
    const lengths = [4, 3];
    const tokens = 4;
    const result = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(sequences.flat().map(BigInt)), [2, tokens]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n, 3n]), [tokens]),
      attention_bias: new ort.Tensor('float32', Float32Array.from(sequences.flatMap((_, b) => Array.from({ length: tokens }, (__, t) => (t < lengths[b]! ? 0 : -10_000)))), [2, 1, 1, tokens]),
    });
    const out = result[session.outputNames[0]!]!;
    expect(out.dims).toEqual([2, tokens, config.hidden_size]);
    const data = out.data as Float32Array;
    sequences.forEach((ids, b) => {
      const expected = reference(weights, ids, lengths[b]!);
      for (let t = 0; t < lengths[b]!; t += 1) {
        for (let d = 0; d < config.hidden_size; d += 1) expect(data[(b * tokens + t) * config.hidden_size + d]).toBeCloseTo(expected[t]![d]!, 4);
      }
    });
  });

  it('names a tensor the weights lack', () => {
    const weights = toyWeights();
    delete weights['encoder.layer.1.output.dense.bias'];
    expect(() => bertOnnxModel(readSafetensors(safetensorsFile(weights)), config)).toThrow(/no tensor encoder\.layer\.1\.output\.dense\.bias/);
  });
});
