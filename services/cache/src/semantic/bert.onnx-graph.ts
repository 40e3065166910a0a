/**
 * Builds an ONNX model (protobuf bytes, opset 17) of a BERT encoder from its safetensors weights, so
 * a sentence-embedding model packaged as `model.safetensors` runs in onnxruntime without PyTorch or
 * a conversion step. Inputs: `input_ids` int64 [batch, tokens], `position_ids` int64 [tokens],
 * `attention_bias` float [batch, 1, 1, tokens] (0 for a token, -10000 for padding); output:
 * `last_hidden_state` float [batch, tokens, hidden]. Token type 0 only (single sentences).
 */

export interface BertConfig {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  layer_norm_eps: number;
  hidden_act: string;
  max_position_embeddings: number;
}

interface SafeTensor {
  dtype: string;
  shape: number[];
  data: Float32Array;
}

/** Reads the float32 tensors of a safetensors file (8-byte header length, JSON header, raw little-endian data). */
export function readSafetensors(file: Uint8Array): Map<string, SafeTensor> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + headerLength;
  const tensors = new Map<string, SafeTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__' || entry.dtype !== 'F32') continue;
    const [from, to] = entry.data_offsets;
    const at = file.byteOffset + base + from;
    const length = (to - from) / 4;
    // A view on the file where the floats are 4-byte aligned (safetensors pads its header for that), else a copy.
    const data = at % 4 === 0 ? new Float32Array(file.buffer, at, length) : new Float32Array(Uint8Array.prototype.slice.call(file, base + from, base + to).buffer);
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return tensors;
}

// --- protobuf, just the ONNX fields used here (onnx.proto field numbers) ---
// A message is a list of byte parts, joined once at the end, so the weights are copied only into the final model.

type Msg = Uint8Array[];
const utf8 = new TextEncoder();

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const sizeOf = (msg: Msg): number => msg.reduce((n, part) => n + part.length, 0);

function flatten(msg: Msg): Uint8Array {
  const out = new Uint8Array(sizeOf(msg));
  let at = 0;
  for (const part of msg) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const field = {
  int: (n: number, v: number | bigint): Msg => [Uint8Array.from([...varint((n << 3) | 0), ...varint(v)])],
  bytes: (n: number, v: Msg): Msg => [Uint8Array.from([...varint((n << 3) | 2), ...varint(sizeOf(v))]), ...v],
  str: (n: number, v: string): Msg => field.bytes(n, [utf8.encode(v)]),
  float: (n: number, v: number): Msg => {
    const out = new Uint8Array(5);
    out[0] = (n << 3) | 5;
    new DataView(out.buffer).setFloat32(1, v, true);
    return [out];
  },
};

const FLOAT = 1;
const INT64 = 7;

type Attribute = { name: string } & ({ f: number } | { i: number } | { ints: number[] });

function attribute(a: Attribute): Msg {
  const parts = field.str(1, a.name);
  if ('f' in a) parts.push(...field.float(2, a.f), ...field.int(20, 1));
  else if ('i' in a) parts.push(...field.int(3, a.i), ...field.int(20, 2));
  else parts.push(...a.ints.flatMap((v) => field.int(8, v)), ...field.int(20, 7));
  return parts;
}

function tensor(name: string, dims: number[], type: typeof FLOAT | typeof INT64, raw: Uint8Array): Msg {
  return [...dims.flatMap((d) => field.int(1, d)), ...field.int(2, type), ...field.str(8, name), ...field.bytes(9, [raw])];
}

function valueInfo(name: string, type: number, dims: (number | string)[]): Msg {
  const shape = dims.flatMap((d) => field.bytes(1, typeof d === 'number' ? field.int(1, d) : field.str(2, d)));
  const tensorType = [...field.int(1, type), ...field.bytes(2, shape)];
  return [...field.str(1, name), ...field.bytes(2, field.bytes(1, tensorType))];
}

class Graph {
  readonly nodes: Msg[] = [];
  readonly initializers: Msg[] = [];
  private count = 0;

  node(op: string, inputs: string[], attributes: Attribute[] = []): string {
    const output = `${op.toLowerCase()}_${(this.count += 1)}`;
    this.nodes.push([...inputs.flatMap((i) => field.str(1, i)), ...field.str(2, output), ...field.str(3, output), ...field.str(4, op), ...attributes.flatMap((a) => field.bytes(5, attribute(a)))]);
    return output;
  }

  floats(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push(tensor(name, dims, FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    return name;
  }

  ints(name: string, values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(tensor(name, [values.length], INT64, new Uint8Array(data.buffer)));
    return name;
  }
}

/** `weight` [out, in] as [in, out], for MatMul(x, W). */
function transposed(t: SafeTensor): Float32Array {
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) for (let c = 0; c < cols; c += 1) out[c * rows + r] = t.data[r * cols + c]!;
  return out;
}

export function bertOnnxModel(weights: Map<string, SafeTensor>, config: BertConfig): Uint8Array {
  if (config.hidden_act !== 'gelu') throw new Error(`unsupported activation ${config.hidden_act}: only gelu (erf) is built`);
  const get = (name: string): SafeTensor => {
    const t = weights.get(name) ?? weights.get(`bert.${name}`);
    if (!t) throw new Error(`the weights have no tensor ${name}`);
    return t;
  };
  const g = new Graph();
  const hidden = config.hidden_size;
  const heads = config.num_attention_heads;
  const headSize = hidden / heads;

  const linear = (x: string, prefix: string): string => {
    const w = get(`${prefix}.weight`);
    const b = get(`${prefix}.bias`);
    const mm = g.node('MatMul', [x, g.floats(`${prefix}.weight`, [w.shape[1]!, w.shape[0]!], transposed(w))]);
    return g.node('Add', [mm, g.floats(`${prefix}.bias`, b.shape, b.data)]);
  };
  const layerNorm = (x: string, prefix: string): string =>
    g.node('LayerNormalization', [x, g.floats(`${prefix}.weight`, [hidden], get(`${prefix}.weight`).data), g.floats(`${prefix}.bias`, [hidden], get(`${prefix}.bias`).data)], [
      { name: 'axis', i: -1 },
      { name: 'epsilon', f: config.layer_norm_eps },
    ]);

  // Position and token-type-0 embeddings folded into one table.
  const positions = get('embeddings.position_embeddings.weight');
  const type0 = get('embeddings.token_type_embeddings.weight').data.subarray(0, hidden);
  const positionTable = new Float32Array(positions.data);
  for (let i = 0; i < positionTable.length; i += 1) positionTable[i]! += type0[i % hidden]!;
  const words = get('embeddings.word_embeddings.weight');
  const wordEmb = g.node('Gather', [g.floats('word_embeddings', words.shape, words.data), 'input_ids']);
  const posEmb = g.node('Gather', [g.floats('position_embeddings', positions.shape, positionTable), 'position_ids']);
  let h = layerNorm(g.node('Add', [wordEmb, posEmb]), 'embeddings.LayerNorm');

  const splitHeads = g.ints('split_heads', [0, 0, heads, headSize]);
  const mergeHeads = g.ints('merge_heads', [0, 0, hidden]);
  const scale = g.floats('attention_scale', [], Float32Array.of(1 / Math.sqrt(headSize)));
  const half = g.floats('half', [], Float32Array.of(0.5));
  const one = g.floats('one', [], Float32Array.of(1));
  const rootTwo = g.floats('sqrt_two', [], Float32Array.of(Math.SQRT2));

  for (let layer = 0; layer < config.num_hidden_layers; layer += 1) {
    const p = `encoder.layer.${layer}`;
    const heads4 = (x: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [x, splitHeads])], [{ name: 'perm', ints: perm }]);
    const q = heads4(linear(h, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const k = heads4(linear(h, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = heads4(linear(h, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, k]), scale]), 'attention_bias']);
    const probs = g.node('Softmax', [scores], [{ name: 'axis', i: -1 }]);
    const context = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [probs, v])], [{ name: 'perm', ints: [0, 2, 1, 3] }]), mergeHeads]);
    const attended = layerNorm(g.node('Add', [linear(context, `${p}.attention.output.dense`), h]), `${p}.attention.output.LayerNorm`);
    const inner = linear(attended, `${p}.intermediate.dense`);
    // gelu(x) = 0.5 x (1 + erf(x / sqrt 2)); onnxruntime fuses this pattern.
    const gelu = g.node('Mul', [g.node('Mul', [inner, half]), g.node('Add', [g.node('Erf', [g.node('Div', [inner, rootTwo])]), one])]);
    h = layerNorm(g.node('Add', [linear(gelu, `${p}.output.dense`), attended]), `${p}.output.LayerNorm`);
  }
  const output = g.node('Identity', [h]);

  const graph: Msg = [
    ...g.nodes.flatMap((n) => field.bytes(1, n)),
    ...field.str(2, 'bert'),
    ...g.initializers.flatMap((t) => field.bytes(5, t)),
    ...field.bytes(11, valueInfo('input_ids', INT64, ['batch', 'tokens'])),
    ...field.bytes(11, valueInfo('position_ids', INT64, ['tokens'])),
    ...field.bytes(11, valueInfo('attention_bias', FLOAT, ['batch', 1, 1, 'tokens'])),
    ...field.bytes(12, valueInfo(output, FLOAT, ['batch', 'tokens', hidden])),
  ];
  return flatten([...field.int(1, 8), ...field.str(2, 'ballast'), ...field.bytes(7, graph), ...field.bytes(8, [...field.str(1, ''), ...field.int(2, 17)])]);
}
