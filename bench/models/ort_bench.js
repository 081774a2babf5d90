// Times one ONNX model in ONNX Runtime (npm package onnxruntime-node).
//
// Driven by bench_models.py. Reads a JSON request on stdin:
//   {"model": "model.onnx", "threads": 2, "warmup": 5, "runs": 20,
//    "rounds": 1,
//    "inputs": [{"name": "x", "type": "float32", "dims": [4, 64],
//                "file": "x.bin"}],          // raw little-endian data
//    "out_dir": "DIR" | null}
// and prints one JSON line per round on stdout:
//   {"round": k, "ms": [t0, t1, ...]}
// then, when out_dir is set, writes every output of the last run as
// out_dir/<name>.bin (raw data) plus out_dir/outputs.json (name, type,
// dims). The session is created once; session creation is not timed.
//
// NODE_PATH must name the node_modules folder that holds onnxruntime-node.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array,
  int32: Int32Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

function readInput(spec) {
  const T = ARRAYS[spec.type];
  if (!T) throw new Error(`unsupported input type ${spec.type}`);
  const buf = fs.readFileSync(spec.file);
  // Copy into an aligned buffer: Buffer slices may be unaligned.
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  return new ort.Tensor(spec.type, new T(bytes.buffer), spec.dims);
}

(async () => {
  const req = JSON.parse(fs.readFileSync(0, 'utf8'));
  const session = await ort.InferenceSession.create(req.model, {
    intraOpNumThreads: req.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const spec of req.inputs) feeds[spec.name] = readInput(spec);

  let out = null;
  for (let i = 0; i < req.warmup; ++i) out = await session.run(feeds);
  const rounds = req.rounds || 1;
  for (let r = 0; r < rounds; ++r) {
    const ms = [];
    for (let i = 0; i < req.runs; ++i) {
      const t0 = process.hrtime.bigint();
      out = await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    process.stdout.write(JSON.stringify({round: r, ms}) + '\n');
  }

  if (req.out_dir) {
    if (!out) out = await session.run(feeds);
    fs.mkdirSync(req.out_dir, {recursive: true});
    const meta = [];
    for (const name of session.outputNames) {
      const t = out[name];
      const file = path.join(req.out_dir, `${meta.length}.bin`);
      fs.writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset,
                                         t.data.byteLength));
      meta.push({name, type: t.type, dims: t.dims, file});
    }
    fs.writeFileSync(path.join(req.out_dir, 'outputs.json'),
                     JSON.stringify(meta));
  }
})().catch((e) => {
  process.stderr.write(`ort_bench.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
