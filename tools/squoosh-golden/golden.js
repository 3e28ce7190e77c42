#!/usr/bin/env node
// golden.js: runs next@10.1.0's own squoosh modules in Node, through the very
// functions its image optimizer called (squoosh/codecs.js, as squoosh/impl.js
// calls them), to make the goldens internal/casestudy/squoosh's tests compare wazero
// against, and to time the same operations for docs/squoosh.md.
//
//   node golden.js gen   ROOT OUTDIR      writes OUTDIR/golden.json and the
//                                         encoded inputs pattern.{png,jpg,webp}
//   node golden.js bench ROOT [COUNT [CASE]]  prints Go benchmark lines
//                                         (MP/s), COUNT rounds, of one CASE
//                                         or all; CASE "list" lists them
//
// ROOT is the folder examples/nextjs/install.sh 10.1.0 printed.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

// next 10's emscripten glue fetch()es its .wasm when a global fetch exists
// (Node 18+); without one it reads the file, as it did under Node 14.
delete globalThis.fetch;

const [mode, root, arg] = process.argv.slice(2);
if (!['gen', 'bench'].includes(mode) || !root) {
  console.error('usage: golden.js gen ROOT OUTDIR | golden.js bench ROOT [COUNT [CASE|list]]');
  process.exit(2);
}
const dir = path.join(root, 'node_modules/next/dist/next-server/server/lib/squoosh');
if (!fs.existsSync(path.join(dir, 'codecs.js'))) {
  console.error(`golden.js: ${dir}/codecs.js missing: run \`bash examples/nextjs/install.sh 10.1.0\``);
  process.exit(1);
}
const {codecs, preprocessors} = require(path.join(dir, 'codecs.js')); // sets global.ImageData
const {processBuffer} = require(path.join(dir, 'impl.js'));

// pattern is the test image both sides generate (internal/casestudy/squoosh
// pattern()): RGBA bytes from a fixed formula with varying alpha, so that
// premultiplication matters.
function pattern(w, h) {
  const px = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      px[i] = (x * 255 / Math.max(1, w - 1)) & 255;
      px[i + 1] = (y * 255 / Math.max(1, h - 1)) & 255;
      px[i + 2] = ((x ^ y) * 7 + ((x * y) % 31)) & 255;
      px[i + 3] = 255 - ((((x >> 3) + (y >> 3)) & 1) * 96) - ((x * 3 + y * 5) % 64);
    }
  }
  return {data: px, width: w, height: h};
}

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const bytes = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

// The optimizer's operations, each exactly as impl.js calls codecs.js.
const ops = {
  async decodePNG(buf) { const d = await codecs.oxipng.dec(); return d.decode(new Uint8Array(buf)); },
  async encodePNG(im) { const e = await codecs.oxipng.enc(); return Buffer.from(e.encode(im.data, im.width, im.height, {...codecs.oxipng.defaultEncoderOptions})); },
  async encodePlainPNG(im) { await codecs.oxipng.dec(); return Buffer.from(require(path.join(dir, 'png/squoosh_png.js')).encode(new Uint8Array(im.data), im.width, im.height)); },
  async resize(im, width) { const m = await preprocessors.resize.instantiate(); return m(im.data, im.width, im.height, {...preprocessors.resize.defaultOptions, width}); },
  async rotate(im, numRotations) { const m = await preprocessors.rotate.instantiate(); return m(im.data, im.width, im.height, {numRotations}); },
  async decodeJPEG(buf) { const d = await codecs.mozjpeg.dec(); return d.decode(new Uint8Array(buf)); },
  async encodeJPEG(im, quality) { const e = await codecs.mozjpeg.enc(); return Buffer.from(await e.encode(im.data, im.width, im.height, {...codecs.mozjpeg.defaultEncoderOptions, quality})); },
  async decodeWebP(buf) { const d = await codecs.webp.dec(); return d.decode(new Uint8Array(buf)); },
  async encodeWebP(im, quality) { const e = await codecs.webp.enc(); return Buffer.from(await e.encode(im.data, im.width, im.height, {...codecs.webp.defaultEncoderOptions, quality})); },
};

const pixels = (im) => Buffer.from(im.data || im._data);
const imageRecord = (im) => ({width: im.width, height: im.height, sha256: sha(pixels(im))});
const fileRecord = (b) => ({bytes: b.length, sha256: sha(b)});

// traceSizes are the resizes of the memory trace: one reused squoosh_resize
// instance, memory size after each call.
const traceSizes = [[67, 43, 31], [640, 480, 320], [200, 150, 100], [1600, 1200, 800], [300, 200, 150], [2000, 1500, 1000], [640, 480, 320]];

async function resizeTrace() {
  // The glue's own init and resize(), the functions codecs.js's
  // resizeInit and preprocessors.resize call, on a fresh instance whose
  // memory this trace reads.
  const glue = require(path.join(dir, 'resize/squoosh_resize.js'));
  const exports = await glue.default(fs.readFileSync(path.join(dir, 'resize/squoosh_resize_bg.wasm')));
  const o = preprocessors.resize.defaultOptions;
  const method = ['triangle', 'catrom', 'mitchell', 'lanczos3'].indexOf(o.method);
  const trace = [{call: 'instantiate', memoryBytes: exports.memory.buffer.byteLength}];
  for (const [w, h, tw] of traceSizes) {
    const im = pattern(w, h);
    const th = Math.round(h / w * tw);
    const out = glue.resize(im.data, w, h, tw, th, method, o.premultiply, o.linearRGB);
    trace.push({call: `resize ${w}x${h} to ${tw}x${th}`, input: sha(im.data), output: sha(bytes(out)), memoryBytes: exports.memory.buffer.byteLength});
  }
  return trace;
}

// requests are whole requests as the optimizer made them (impl.js
// processBuffer): input, operations, encoding, quality. internal/casestudy/squoosh's
// TestProcessMatchesNode and BenchmarkOps make the same.
function requests(png, jpg, webp, width) {
  return [
    [png, [{type: 'resize', width}], 'webp', 75],
    [jpg, [{type: 'resize', width}], 'jpeg', 75],
    [webp, [{type: 'rotate', numRotations: 1}, {type: 'resize', width}], 'png', 75],
  ];
}

// emvalHandles counts the emval handles each emscripten module holds after
// one call (emval.js count_emval_handles), on a fresh instance as the
// optimizer made one per call.
async function emvalHandles(im, jpg, webp) {
  const counts = {};
  for (const [name, make, call] of [
    ['mozjpegEnc', codecs.mozjpeg.enc, (m) => m.encode(im.data, im.width, im.height, {...codecs.mozjpeg.defaultEncoderOptions, quality: 75})],
    ['mozjpegDec', codecs.mozjpeg.dec, (m) => m.decode(new Uint8Array(jpg))],
    ['webpEnc', codecs.webp.enc, (m) => m.encode(im.data, im.width, im.height, {...codecs.webp.defaultEncoderOptions, quality: 75})],
    ['webpDec', codecs.webp.dec, (m) => m.decode(new Uint8Array(webp))],
  ]) {
    const m = await make();
    call(m);
    counts[name] = m.count_emval_handles();
  }
  return counts;
}

async function gen(out) {
  fs.mkdirSync(out, {recursive: true});
  const im = pattern(67, 43);
  const g = {node: process.version, next: require(path.join(root, 'node_modules/next/package.json')).version, pattern: imageRecord(im)};
  const png = await ops.encodePlainPNG(im);
  const jpg = await ops.encodeJPEG(im, 75);
  const webp = await ops.encodeWebP(im, 75);
  fs.writeFileSync(path.join(out, 'pattern.png'), png);
  fs.writeFileSync(path.join(out, 'pattern.jpg'), jpg);
  fs.writeFileSync(path.join(out, 'pattern.webp'), webp);
  g.encodePlainPNG = fileRecord(png);
  g.encodePNG = fileRecord(await ops.encodePNG(im));
  g.encodeJPEG = fileRecord(jpg);
  g.encodeWebP = fileRecord(webp);
  g.decodePNG = imageRecord(await ops.decodePNG(png));
  g.decodeJPEG = imageRecord(await ops.decodeJPEG(jpg));
  g.decodeWebP = imageRecord(await ops.decodeWebP(webp));
  g.resize = imageRecord(await ops.resize(im, 31));
  g.rotate = [];
  for (const n of [1, 2, 3]) g.rotate.push(imageRecord(await ops.rotate(im, n)));
  g.requests = [];
  for (const [input, operations, encoding, quality] of requests(png, jpg, webp, 31)) {
    g.requests.push(fileRecord(await processBuffer(input, operations, encoding, quality)));
  }
  g.resizeTrace = await resizeTrace();
  g.emvalHandles = await emvalHandles(im, jpg, webp);
  fs.writeFileSync(path.join(out, 'golden.json'), JSON.stringify(g, null, 2) + '\n');
}

// bench times each operation on a 512x384 pattern and prints Go benchmark
// lines (internal/casestudy/squoosh BenchmarkOps prints the same names), megapixels
// of the operation's image per second. inst=optimizer is the operation as
// impl.js ran it: the wasm-bindgen modules instantiated once and reused,
// rotate, mozjpeg and webp read from disk, compiled and instantiated at
// every call. inst=reused calls one instance of mozjpeg or webp again and
// again: the codec's own speed. The request cases are whole requests
// (processBuffer: decode, resize to 256 wide, encode), their MP/s counted
// on the 512x384 input. cpu-ns/op is the process's CPU time (all
// threads: V8's compilers and GC too) per operation, which the load of a
// shared machine disturbs less than the wall clock. The -N suffix is the number of CPUs, as
// Go's GOMAXPROCS suffix is, so benchstat pairs the rows.
async function bench(count, only) {
  const im = pattern(512, 384);
  const png = await ops.encodePlainPNG(im);
  const jpg = await ops.encodeJPEG(im, 75);
  const webp = await ops.encodeWebP(im, 75);
  const mp = im.width * im.height / 1e6;
  const reused = {
    jpegDec: await codecs.mozjpeg.dec(), jpegEnc: await codecs.mozjpeg.enc(),
    webpDec: await codecs.webp.dec(), webpEnc: await codecs.webp.enc(),
  };
  const cases = [
    ['decodePNG/inst=optimizer', () => ops.decodePNG(png)],
    ['encodePNG/inst=optimizer', () => ops.encodePNG(im)],
    ['resize/inst=optimizer', () => ops.resize(im, 256)],
    ['rotate/inst=optimizer', () => ops.rotate(im, 1)],
    ['decodeJPEG/inst=optimizer', () => ops.decodeJPEG(jpg)],
    ['encodeJPEG/inst=optimizer', () => ops.encodeJPEG(im, 75)],
    ['decodeWebP/inst=optimizer', () => ops.decodeWebP(webp)],
    ['encodeWebP/inst=optimizer', () => ops.encodeWebP(im, 75)],
    ['requestPNGtoWebP/inst=optimizer', () => processBuffer(...requests(png, jpg, webp, 256)[0])],
    ['requestJPEGtoJPEG/inst=optimizer', () => processBuffer(...requests(png, jpg, webp, 256)[1])],
    ['decodeJPEG/inst=reused', () => reused.jpegDec.decode(new Uint8Array(jpg))],
    ['encodeJPEG/inst=reused', () => reused.jpegEnc.encode(im.data, im.width, im.height, {...codecs.mozjpeg.defaultEncoderOptions, quality: 75})],
    ['decodeWebP/inst=reused', () => reused.webpDec.decode(new Uint8Array(webp))],
    ['encodeWebP/inst=reused', () => reused.webpEnc.encode(im.data, im.width, im.height, {...codecs.webp.defaultEncoderOptions, quality: 75})],
  ];
  if (only === 'list') {
    for (const [name] of cases) console.log(name);
    return;
  }
  const cpus = require('os').availableParallelism();
  for (let c = 0; c < count; c++) {
    for (const [name, fn] of cases) {
      if (only && name !== only) continue;
      await fn(); // warm: first instantiation and tier-up outside the timing
      let n = 0;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      let t;
      do { await fn(); n++; t = Number(process.hrtime.bigint() - t0); } while (t < 1e9);
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) * 1e3; // ns, all of the process's threads
      console.log(`BenchmarkOps/op=${name}-${cpus}\t${n}\t${(t / n).toFixed(0)} ns/op\t${(mp * n / (t / 1e9)).toFixed(3)} MP/s\t${(cpu / n).toFixed(0)} cpu-ns/op`);
    }
  }
}

(async () => {
  if (mode === 'gen') {
    if (!arg) { console.error('usage: golden.js gen ROOT OUTDIR'); process.exit(2); }
    await gen(arg);
  } else {
    await bench(Number(arg || 1), process.argv[5]);
  }
})().catch((e) => { console.error(e); process.exit(1); });
