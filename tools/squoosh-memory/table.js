#!/usr/bin/env node
// table.js: the side-by-side table of docs/allocation.md, from the CSVs of
// trace.js (the originals) and of the embedded command (ours, once per
// malloc setting), all on the same images.
//
//   node tools/squoosh-memory/table.js [--only PREFIX] ORIGINALS.csv LIBC.csv ORIGINAL.csv
//
// --only keeps the operations whose label starts with PREFIX ("resize").
//
// One markdown row per operation of the originals' CSV (image and
// operation label, as both tools write them): the original module, its
// linear memory after the operation in MiB and its growth over its
// previous operation, then ours under malloc libc and under malloc
// original (memory, growth, and that growth over the original's); "—"
// where a side has no such operation
// (oxipng has no embedded counterpart). An operation that failed shows
// "error". A last table gives, per module, the growth over the run.
'use strict';

const fs = require('fs');

function readCSV(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const head = lines.shift().split(',');
  const want = ['image', 'size', 'op', 'module', 'bytes', 'mib', 'error'];
  if (want.some((h, i) => head[i] !== h)) {
    throw new Error(`${file}: header ${head.join(',')}, want ${want.join(',')}`);
  }
  return lines.map((l, n) => {
    // Only the last field (error) may hold commas, quoted.
    const parts = l.split(',');
    if (parts.length < 7) throw new Error(`${file}:${n + 2}: ${parts.length} fields, want 7`);
    const [image, size, op, module, bytes, mib] = parts;
    const error = parts.slice(6).join(',');
    return { image, size, op, module, bytes: Number(bytes), mib, error };
  });
}

function key(r) {
  return r.image + '\u0000' + r.op;
}

function main() {
  let files = process.argv.slice(2);
  let only = '';
  if (files[0] === '--only') {
    only = files[1] || '';
    files = files.slice(2);
  }
  if (files.length !== 3) {
    console.error('usage: node table.js [--only PREFIX] ORIGINALS.csv LIBC.csv ORIGINAL.csv');
    process.exit(2);
  }
  const [orig, libc, wee] = files.map(readCSV);
  // delta: each row's growth over its module's previous row in its run.
  const delta = (rows) => {
    const last = new Map();
    for (const r of rows) {
      r.delta = last.has(r.module) ? r.bytes - last.get(r.module) : 0;
      last.set(r.module, r.bytes);
    }
  };
  [orig, libc, wee].forEach(delta);
  const index = (rows) => {
    const m = new Map();
    for (const r of rows) if (r.image !== '(start)') m.set(key(r), r);
    return m;
  };
  const libcIx = index(libc);
  const weeIx = index(wee);
  const cell = (r) => (r ? (r.error ? 'error' : r.mib) : '—');
  const out = [];
  const grew = (r) => (r && !r.error ? (r.delta / (1 << 20)).toFixed(1) : '—');
  const ratio = (a, b) => (a && b && !a.error && !b.error && a.delta > 0 ? (b.delta / a.delta).toFixed(3) : '—');
  out.push('| image | operation | original module | MiB | grew | ours | libc MiB | original MiB | grew | growth ratio |');
  out.push('|---|---|---|---:|---:|---|---:|---:|---:|---:|');
  for (const r of orig) {
    if (r.image === '(start)' || !r.op.startsWith(only)) continue;
    const a = libcIx.get(key(r));
    const b = weeIx.get(key(r));
    out.push(`| ${r.image} | ${r.op} | ${r.module} | ${cell(r)} | ${grew(r)} | ${a ? a.module : '—'} | ${cell(a)} | ${cell(b)} | ${grew(b)} | ${ratio(r, b)} |`);
  }
  // Growth per module: last minus first (after instantiation) of each run.
  const span = (rows) => {
    const m = new Map();
    for (const r of rows) {
      const s = m.get(r.module) || { first: r.bytes, last: r.bytes, max: r.bytes, ops: 0, errors: 0 };
      s.last = r.bytes;
      s.max = Math.max(s.max, r.bytes);
      if (r.image !== '(start)') s.ops++;
      if (r.error) s.errors++;
      m.set(r.module, s);
    }
    return m;
  };
  const mib = (b) => (b / (1 << 20)).toFixed(1);
  out.push('');
  out.push('| run | module | start MiB | end MiB | max MiB | operations | errors |');
  out.push('|---|---|---:|---:|---:|---:|---:|');
  for (const [name, rows] of [['original', orig], ['ours, libc', libc], ['ours, original', wee]]) {
    for (const [mod, s] of span(rows)) {
      out.push(`| ${name} | ${mod} | ${mib(s.first)} | ${mib(s.last)} | ${mib(s.max)} | ${s.ops} | ${s.errors} |`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

main();
