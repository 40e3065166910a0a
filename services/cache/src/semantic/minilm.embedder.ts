import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BallastError, ERROR_CODES } from '#contracts';
import { bertOnnxModel, readSafetensors, type BertConfig } from './bert.onnx-graph.js';
import { normalize, type EmbedOptions, type Embedder } from './embedder.js';
import { WordPieceTokenizer } from './wordpiece.tokenizer.js';

/** The files of a sentence-transformers BERT model directory this embedder reads. */
export const MODEL_FILES = ['config.json', 'vocab.txt', 'model.safetensors'] as const;

export interface MiniLmEmbedderOptions {
  /** A sentence-transformers model directory: config.json, vocab.txt, model.safetensors (see `npm run cache:fetch-model`). */
  modelDir: string;
  /** Vector-space name; the collection and table names derive from it. */
  model?: string;
  /** Texts per onnxruntime run (sorted by length so little is padding). */
  batchSize?: number;
  /** onnxruntime intra-op threads (default 1: the embedding runs on the calling thread, the event loop's, and takes no other core). */
  threads?: number;
  maxTokens?: number;
}

interface Session {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  readonly outputNames: readonly string[];
}

type Ort = typeof import('onnxruntime-node');

/**
 * A real sentence-embedding model run in process: all-MiniLM-L6-v2 (BERT, 6 layers, 384 dims,
 * mean pooling over tokens, unit length), from its safetensors weights, through onnxruntime-node
 * (an optional dependency) on the CPU. Opt in with `CACHE_EMBEDDER=minilm`; the weights are fetched
 * into a git-ignored directory by `npm run cache:fetch-model`, never at run time.
 */
export class MiniLmEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly ort: Ort;
  private readonly tokenizer: WordPieceTokenizer;
  private readonly batchSize: number;
  private readonly session: Promise<Session>;

  /**
   * Checks the model files and onnxruntime-node at once (a clear error at start-up); the session is
   * built in the background (about 2 s: the ONNX graph is made from the weights in memory), and
   * `embed` waits for it, so look-ups in the first seconds may miss by timeout (fail open).
   */
  constructor(options: MiniLmEmbedderOptions) {
    const missing = MODEL_FILES.filter((f) => !existsSync(join(options.modelDir, f)));
    if (missing.length > 0) {
      throw new BallastError(
        ERROR_CODES.internal,
        `the MiniLM embedder's model is missing (${missing.join(', ')} in ${options.modelDir}): run \`npm run cache:fetch-model\` or set CACHE_EMBEDDER_MODEL_DIR`,
      );
    }
    try {
      this.ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
    } catch (error) {
      throw new BallastError(ERROR_CODES.internal, `the MiniLM embedder needs the optional dependency onnxruntime-node, which failed to load: ${(error as Error).message.split('\n')[0]}`);
    }
    const config = JSON.parse(readFileSync(join(options.modelDir, 'config.json'), 'utf8')) as BertConfig;
    this.dimensions = config.hidden_size;
    this.model = options.model ?? 'all-minilm-l6-v2';
    this.batchSize = options.batchSize ?? 16;
    this.tokenizer = new WordPieceTokenizer(readFileSync(join(options.modelDir, 'vocab.txt'), 'utf8'), {
      maxTokens: Math.min(options.maxTokens ?? 256, config.max_position_embeddings),
    });
    this.session = Promise.resolve().then(async () => {
      const onnx = bertOnnxModel(readSafetensors(readFileSync(join(options.modelDir, 'model.safetensors'))), config);
      const threads = options.threads ?? 1;
      const session = await this.ort.InferenceSession.create(onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionProviders: ['cpu'] });
      return session as unknown as Session;
    });
    this.session.catch(() => undefined);
  }

  /** An embedder whose session is ready. */
  static async load(options: MiniLmEmbedderOptions): Promise<MiniLmEmbedder> {
    const embedder = new MiniLmEmbedder(options);
    await embedder.session;
    return embedder;
  }

  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    const encoded = texts.map((text, index) => ({ index, ids: this.tokenizer.encode(text).ids }));
    encoded.sort((a, b) => a.ids.length - b.ids.length);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < encoded.length; start += this.batchSize) {
      options?.signal?.throwIfAborted();
      const batch = encoded.slice(start, start + this.batchSize);
      const vectors = await this.run(batch.map((b) => b.ids));
      batch.forEach((b, i) => (out[b.index] = vectors[i]!));
    }
    return out;
  }

  private async run(sequences: number[][]): Promise<Float32Array[]> {
    const batch = sequences.length;
    const tokens = Math.max(...sequences.map((s) => s.length));
    const ids = new BigInt64Array(batch * tokens);
    const bias = new Float32Array(batch * tokens).fill(-10_000);
    sequences.forEach((seq, b) => {
      seq.forEach((id, t) => {
        ids[b * tokens + t] = BigInt(id);
        bias[b * tokens + t] = 0;
      });
    });
    const positions = BigInt64Array.from({ length: tokens }, (_, t) => BigInt(t));
    const { Tensor } = this.ort;
    const session = await this.session;
    const result = await session.run({
      input_ids: new Tensor('int64', ids, [batch, tokens]),
      position_ids: new Tensor('int64', positions, [tokens]),
      attention_bias: new Tensor('float32', bias, [batch, 1, 1, tokens]),
    });
    const hidden = result[session.outputNames[0]!]!.data as Float32Array;
    const dims = this.dimensions;
    // Mean over the real tokens ([CLS] and [SEP] included, as sentence-transformers does), then unit length.
    return sequences.map((seq, b) => {
      const v = new Float32Array(dims);
      for (let t = 0; t < seq.length; t += 1) {
        const row = (b * tokens + t) * dims;
        for (let d = 0; d < dims; d += 1) v[d]! += hidden[row + d]!;
      }
      return normalize(v);
    });
  }
}
