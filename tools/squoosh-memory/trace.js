#!/usr/bin/env node
// trace.js: the linear memory of each squoosh module of next@10.1.0, one
// instance per module reused over a workload, after every operation.
//
//   node --no-experimental-fetch tools/squoosh-memory/trace.js [--next DIR] [--width 1080]
//        [--limit N] [--out FILE.csv] IMAGE_OR_DIR...
//
// It loads the modules from an npm install of next (the default is the one
// examples/nextjs/install.sh 10.1.0 makes, under ~/.cache/leakbench); it
// never copies them. For each image (PNG or JPEG; a directory gives its
// *.png, *.jpg and *.jpeg in name order) it runs what the optimizer ran
// (next/dist/next-server/server/lib/squoosh/impl.js and codecs.js):
//
//   decode    squoosh_png.decode (PNG) or mozjpeg_dec's decode (JPEG); a
//             PNG is also decoded by mozjpeg_dec from a JPEG of it made by
//             an encoder instance of its own, which is not traced
//   rotate    rotate.wasm, numRotations 1, growing its memory to
//             2 * w * h * 4 + 8 bytes exactly as codecs.js's rotate did
//             (the optimizer instantiated it per call; here it is reused)
//   resize    squoosh_resize.resize to --width wide if the image is wider,
//             height by aspect (resizeWithAspect), lanczos3, premultiply
//             and linear RGB (preprocessors.resize.defaultOptions)
//   encode    the resized image, by squoosh_png.encode then
//             squoosh_oxipng.optimise level 2 (codecs.oxipng), by
//             mozjpeg_enc and by webp_enc with their defaultEncoderOptions
//             at quality 75 (impl.js encodeJpeg, encodeWebp)
//
// The wasm-bindgen modules (squoosh_png, squoosh_oxipng, squoosh_resize)
// are single instances in their glue, as in the optimizer (execOnce); the
// emscripten ones (mozjpeg_dec, mozjpeg_enc, webp_enc) are instantiated
// once here and reused. After each operation it writes one CSV row: image,
// its size, the operation, the module, the module's linear memory in
// bytes (its WebAssembly.Memory buffer's byteLength) and in MiB, and the
// error if the operation threw (the module is kept and used again, as the
// optimizer's was).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

function usage(msg) {
  if (msg) console.error('trace.js: ' + msg);
  console.error('usage: node --no-experimental-fetch trace.js [--next DIR] [--width N] [--limit N] [--out FILE.csv] IMAGE_OR_DIR...');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    next: path.join(os.homedir(), '.cache/leakbench/nextjs/10.1.0/node_modules/next'),
    width: 1080,
    limit: 0,
    out: '',
    inputs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(a + ' needs a value');
      return argv[++i];
    };
    if (a === '--next') o.next = val();
    else if (a === '--width') o.width = Number(val());
    else if (a === '--limit') o.limit = Number(val());
    else if (a === '--out') o.out = val();
    else if (a === '-h' || a === '--help') usage('');
    else if (a.startsWith('-')) usage('unknown flag ' + a);
    else o.inputs.push(a);
  }
  if (!(o.width > 0) || !Number.isInteger(o.width)) usage('--width must be a positive integer');
  if (!(o.limit >= 0) || !Number.isInteger(o.limit)) usage('--limit must be a non-negative integer');
  if (o.inputs.length === 0) usage('no images');
  return o;
}

function listImages(inputs) {
  const files = [];
  for (const p of inputs) {
    let st;
    try {
      st = fs.statSync(p);
    } catch (e) {
      usage(p + ': ' + e.message);
    }
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) {
        if (/\.(png|jpe?g)$/i.test(f)) files.push(path.join(p, f));
      }
    } else {
      files.push(p);
    }
  }
  return files;
}

const MiB = 1 << 20;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (typeof globalThis.fetch === 'function') {
    // next 10's emscripten glue fetch()es its .wasm whenever fetch exists,
    // which fails on a file path (examples/nextjs/driver.js says the same).
    usage(`node ${process.version} exposes fetch(): run node --no-experimental-fetch trace.js ...`);
  }
  const dir = path.join(o.next, 'dist/next-server/server/lib/squoosh');
  if (!fs.existsSync(path.join(dir, 'codecs.js'))) {
    usage(dir + ' has no codecs.js: install next@10.1.0 with examples/nextjs/install.sh 10.1.0, or pass --next');
  }
  const req = (p) => require(path.join(dir, p));
  // The glue's decoders return ImageData, a global the optimizer set.
  global.ImageData = req('image_data.js').default;
  const wasmFile = (p) => fs.promises.readFile(path.join(dir, p));

  const png = req('png/squoosh_png.js');
  const oxipng = req('png/squoosh_oxipng.js');
  const resize = req('resize/squoosh_resize.js');
  const pngWasm = await png.default(wasmFile('png/squoosh_png_bg.wasm'));
  const oxiWasm = await oxipng.default(wasmFile('png/squoosh_oxipng_bg.wasm'));
  const resizeWasm = await resize.default(wasmFile('resize/squoosh_resize_bg.wasm'));
  const emscripten = async (glue, wasm) =>
    req(glue).default({ locateFile: () => path.join(dir, wasm) });
  const jpegDec = await emscripten('mozjpeg/mozjpeg_node_dec.js', 'mozjpeg/mozjpeg_node_dec.wasm');
  const jpegEnc = await emscripten('mozjpeg/mozjpeg_node_enc.js', 'mozjpeg/mozjpeg_node_enc.wasm');
  const webpEnc = await emscripten('webp/webp_node_enc.js', 'webp/webp_node_enc.wasm');
  // Makes JPEG sources for mozjpeg_dec; not traced.
  const jpegMaker = await emscripten('mozjpeg/mozjpeg_node_enc.js', 'mozjpeg/mozjpeg_node_enc.wasm');
  const { instance: rotInst } = await WebAssembly.instantiate(await wasmFile('rotate/rotate.wasm'));
  const rot = rotInst.exports;

  const codecs = req('codecs.js').codecs;
  const jpegOpts = { ...codecs.mozjpeg.defaultEncoderOptions, quality: 75 };
  const webpOpts = { ...codecs.webp.defaultEncoderOptions, quality: 75 };
  const oxiLevel = codecs.oxipng.defaultEncoderOptions.level;
  const resizeOpts = req('codecs.js').preprocessors.resize.defaultOptions;
  const methods = { triangle: 0, catrom: 1, mitchell: 2, lanczos3: 3 };

  const memory = {
    squoosh_png: () => pngWasm.memory.buffer.byteLength,
    squoosh_oxipng: () => oxiWasm.memory.buffer.byteLength,
    squoosh_resize: () => resizeWasm.memory.buffer.byteLength,
    mozjpeg_dec: () => jpegDec.HEAP8.buffer.byteLength,
    mozjpeg_enc: () => jpegEnc.HEAP8.buffer.byteLength,
    webp_enc: () => webpEnc.HEAP8.buffer.byteLength,
    rotate: () => rot.memory.buffer.byteLength,
  };

  // Written synchronously, row by row: the work below never yields to the
  // event loop, and a run that dies half-way keeps its rows.
  const fd = o.out ? fs.openSync(o.out, 'w') : 1;
  const out = { write: (s) => fs.writeSync(fd, s) };
  out.write('image,size,op,module,bytes,mib,error\n');
  const row = (image, size, op, mod, err) => {
    const b = memory[mod]();
    const e = err ? '"' + String(err.message || err).replace(/"/g, "'").replace(/\n/g, ' ') + '"' : '';
    out.write(`${image},${size},${op},${mod},${b},${(b / MiB).toFixed(1)},${e}\n`);
  };
  const run = (image, size, op, mod, f) => {
    let r, err;
    try {
      r = f();
    } catch (e) {
      err = e;
    }
    row(image, size, op, mod, err);
    return r;
  };

  for (const m of Object.keys(memory)) row('(start)', '', 'instantiate', m);

  let files = listImages(o.inputs);
  if (o.limit) files = files.slice(0, o.limit);
  for (const file of files) {
    const name = path.basename(file);
    const src = fs.readFileSync(file);
    const isPNG = src.slice(0, 8).equals(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
    let img;
    if (isPNG) {
      img = run(name, '', 'decode', 'squoosh_png', () => png.decode(new Uint8Array(src)));
      if (!img) continue;
      const jpeg = jpegMaker.encode(img.data, img.width, img.height, { ...jpegOpts, quality: 90 });
      run(name, `${img.width}x${img.height}`, 'decode (jpeg of it)', 'mozjpeg_dec', () => jpegDec.decode(jpeg));
    } else {
      img = run(name, '', 'decode', 'mozjpeg_dec', () => jpegDec.decode(new Uint8Array(src)));
      if (!img) continue;
    }
    const size = `${img.width}x${img.height}`;
    const data = img.data; // ImageData.data: a Buffer copy of the pixels

    // codecs.js preprocessors.rotate, with one instance kept.
    run(name, size, 'rotate 90', 'rotate', () => {
      const n = img.width * img.height * 4;
      const more = Math.ceil((n * 2 - rot.memory.buffer.byteLength + 8) / (64 * 1024));
      if (more > 0) rot.memory.grow(more);
      new Uint8ClampedArray(rot.memory.buffer).set(data, 8);
      rot.rotate(img.width, img.height, 90);
    });

    let small = { data, width: img.width, height: img.height };
    if (img.width > o.width) {
      const h = Math.round((img.height / img.width) * o.width);
      const pix = run(name, size, `resize to ${o.width}x${h}`, 'squoosh_resize', () =>
        resize.resize(data, img.width, img.height, o.width, h, methods[resizeOpts.method],
          resizeOpts.premultiply, resizeOpts.linearRGB));
      if (!pix) continue;
      small = { data: Buffer.from(pix), width: o.width, height: h };
    }
    const ssize = `${small.width}x${small.height}`;
    const simple = run(name, ssize, 'encode png', 'squoosh_png', () =>
      png.encode(new Uint8Array(small.data), small.width, small.height));
    if (simple) run(name, ssize, 'optimise png', 'squoosh_oxipng', () => oxipng.optimise(simple, oxiLevel));
    run(name, ssize, 'encode jpeg', 'mozjpeg_enc', () => jpegEnc.encode(small.data, small.width, small.height, jpegOpts));
    run(name, ssize, 'encode webp', 'webp_enc', () => webpEnc.encode(small.data, small.width, small.height, webpOpts));
  }
  if (o.out) fs.closeSync(fd);
}

main().catch((e) => {
  console.error('trace.js: ' + (e.stack || e));
  process.exit(1);
});
