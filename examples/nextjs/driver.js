#!/usr/bin/env node
// driver.js NEXT_DIR: drives the real Next.js 10 image optimizer through
// leakbench's exec protocol (docs/exec-protocol.md; README.md beside this
// file says how to run it).
//
// NEXT_DIR is an install made by install.sh (it holds node_modules/next).
// The driver reads the plan named by LEAKBENCH_PLAN, pins the optimizer's
// worker count to the plan's `workers` by replacing os.cpus() before the
// optimizer loads, then feeds every request's source file to
// processBuffer() of next/dist/next-server/server/lib/squoosh/main.js with
// the arguments next's image optimizer (next-server/server/image-optimizer.js)
// passes: the source buffer, [rotate (when the request rotates), resize to
// the requested width], the output format and the quality. `in_flight`
// requests are in flight at a time, round by round. Then it idles for
// `idle_seconds`, settles (global.gc() twice when node runs with
// --expose-gc) and reports done. Events go, one JSON line each, to the file
// descriptor named by LEAKBENCH_EVENTS_FD; nothing is written to stdout.
//
// LEAKBENCH_NEXTJS_OUT, when set, is a directory the driver writes each
// request's output to, as <id>.<format> (for tests that decode it).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

// The formats next 10's processBuffer encodes, and the rotations it applies
// (as numRotations, quarter turns clockwise, like the EXIF orientations
// RIGHT_TOP, BOTTOM_RIGHT and LEFT_BOTTOM in image-optimizer.js).
const FORMATS = ['png', 'jpeg', 'webp'];
const QUARTER_TURNS = new Map([[0, 0], [90, 1], [180, 2], [270, 3]]);
const SNAPSHOT_EVERY_MS = 1000;
const MAX_LINE = 64 << 10; // bytes per event line, newline included
const DEFAULTS = {rounds: 1, in_flight: 6, idle_seconds: 0, workers: 15, quality: 75};

// usageError ends the process before events can be written.
function usageError(msg) {
  process.stderr.write(`driver.js: ${msg}\n`);
  process.exit(2);
}

// openEvents returns emit(event), which writes one JSON line, stamped with
// the Unix time in nanoseconds, to the inherited events descriptor.
function openEvents() {
  const s = process.env.LEAKBENCH_EVENTS_FD;
  if (s === undefined || s === '') {
    usageError('LEAKBENCH_EVENTS_FD is not set: run me as a leakbench exec target (see README.md)');
  }
  const fd = Number(s);
  if (!Number.isInteger(fd) || fd < 3) {
    usageError(`LEAKBENCH_EVENTS_FD=${JSON.stringify(s)}: want the number of an inherited descriptor, 3 or above`);
  }
  try {
    fs.fstatSync(fd);
  } catch (err) {
    usageError(`LEAKBENCH_EVENTS_FD=${fd}: descriptor not open (${err.code})`);
  }
  const wall0 = BigInt(Date.now()) * 1000000n;
  const mono0 = process.hrtime.bigint();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return function emit(event) {
    const now = wall0 + (process.hrtime.bigint() - mono0);
    let buf = Buffer.from(`{"time":${now},${JSON.stringify(event).slice(1)}\n`);
    if (buf.length > MAX_LINE && typeof event.err === 'string') {
      // The protocol caps lines at 64 KiB: shorten the message, not the event.
      return emit({...event, err: `${event.err.slice(0, 4096)}... (${event.err.length} characters)`});
    }
    // Synchronous writes keep the order of events and survive
    // process.exit(); a full non-blocking pipe is retried, never dropped.
    for (let off = 0; off < buf.length;) {
      try {
        off += fs.writeSync(fd, buf, off);
      } catch (err) {
        if (err.code !== 'EAGAIN') throw err;
        Atomics.wait(pause, 0, 0, 5);
      }
    }
  };
}

// readPlan parses and checks the plan file; every problem is collected so
// that one run reports them all.
function readPlan(file) {
  let plan;
  try {
    plan = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return {problems: [`plan ${file}: ${err.message}`]};
  }
  const problems = [];
  const where = `plan ${file}`;
  if (plan === null || typeof plan !== 'object' || Array.isArray(plan)) {
    return {problems: [`${where}: want a JSON object`]};
  }
  const int = (v, name, min, max, def) => {
    if (v === undefined) return def;
    if (!Number.isInteger(v) || v < min || (max !== undefined && v > max)) {
      problems.push(`${where}: ${name} ${JSON.stringify(v)}: want an integer ${max === undefined ? `>= ${min}` : `in ${min}..${max}`}`);
      return def;
    }
    return v;
  };
  const out = {
    rounds: int(plan.rounds, 'rounds', 1, undefined, undefined),
    in_flight: int(plan.in_flight, 'in_flight', 1, undefined, DEFAULTS.in_flight),
    workers: int(plan.workers, 'workers', 1, undefined, DEFAULTS.workers),
    idle_seconds: DEFAULTS.idle_seconds,
    requests: [],
  };
  if (plan.idle_seconds !== undefined) {
    if (typeof plan.idle_seconds !== 'number' || !(plan.idle_seconds >= 0)) {
      problems.push(`${where}: idle_seconds ${JSON.stringify(plan.idle_seconds)}: want a number >= 0`);
    } else {
      out.idle_seconds = plan.idle_seconds;
    }
  }
  if (!Array.isArray(plan.requests) || plan.requests.length === 0) {
    problems.push(`${where}: requests: want a non-empty list`);
    return {problems};
  }
  const ids = new Set();
  let lastRound = 1;
  plan.requests.forEach((r, i) => {
    const at = `${where}: requests[${i}]`;
    if (r === null || typeof r !== 'object') {
      problems.push(`${at}: want an object`);
      return;
    }
    const before = problems.length;
    const id = int(r.id, `requests[${i}].id`, 1, undefined, i + 1);
    if (ids.has(id)) problems.push(`${at}: id ${id} used twice`);
    ids.add(id);
    const round = int(r.round, `requests[${i}].round`, 1, undefined, 1);
    lastRound = Math.max(lastRound, round);
    if (out.rounds !== undefined && round > out.rounds) {
      problems.push(`${at}: round ${round} but the plan has ${out.rounds} rounds`);
    }
    const width = int(r.width, `requests[${i}].width`, 1, undefined, undefined);
    if (width === undefined && r.width === undefined) problems.push(`${at}: width missing`);
    if (!FORMATS.includes(r.format)) {
      problems.push(`${at}: format ${JSON.stringify(r.format)} unsupported: next 10's optimizer encodes ${FORMATS.join(', ')}`);
    }
    // next passes the quality to every encoder; oxipng (png) ignores it, so
    // a png request may carry leakbench's compression level 0-9 there.
    const quality = int(r.quality, `requests[${i}].quality`, r.format === 'png' ? 0 : 1, 100, DEFAULTS.quality);
    const rotate = r.rotate === undefined ? 0 : r.rotate;
    if (!QUARTER_TURNS.has(rotate)) {
      problems.push(`${at}: rotate ${JSON.stringify(r.rotate)} unsupported: want 0, 90, 180 or 270`);
    }
    if (typeof r.source !== 'string' || r.source === '') {
      problems.push(`${at}: source: want a file path`);
    } else {
      try {
        if (!fs.statSync(r.source).isFile()) problems.push(`${at}: source ${r.source}: not a regular file`);
      } catch (err) {
        problems.push(`${at}: source ${r.source}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      }
    }
    if (problems.length === before) {
      out.requests.push({id, round, width, format: r.format, quality, rotate, source: r.source});
    }
  });
  if (out.rounds === undefined) out.rounds = lastRound;
  // The plan lists every round's requests, each with its round; a round
  // without any is a plan written for another convention (one page to
  // replay), not an instant round.
  const used = new Set(plan.requests.map(r => (r && r.round) || 1));
  for (let round = 1; round <= out.rounds; round++) {
    if (!used.has(round)) problems.push(`${where}: round ${round} of ${out.rounds} has no requests: list each round's requests with their "round"`);
  }
  return {plan: out, problems};
}

// pinCPUs makes os.cpus() report workers+1 CPUs, so that the optimizer's
// jest-worker pool, sized cpus-1 (10.1.0: jest-worker's default; 10.1.3:
// min(cpus-1, 6)), gets `workers` workers on any machine.
function pinCPUs(workers) {
  const real = os.cpus();
  const model = real[0] || {model: 'leakbench', speed: 0, times: {user: 0, nice: 0, sys: 0, idle: 0, irq: 0}};
  os.cpus = () => Array.from({length: workers + 1}, () => ({...model, times: {...model.times}}));
}

// loadOptimizer requires next's squoosh entry point from the install.
function loadOptimizer(nextDir) {
  const pkg = path.join(nextDir, 'node_modules', 'next', 'package.json');
  const main = path.join(nextDir, 'node_modules', 'next', 'dist', 'next-server', 'server', 'lib', 'squoosh', 'main.js');
  let version;
  try {
    version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch (err) {
    throw new Error(`no next install in ${nextDir} (${pkg}: ${err.code || err.message}); run install.sh VERSION ${nextDir}`);
  }
  if (!fs.existsSync(main)) {
    throw new Error(`next@${version} in ${nextDir} has no squoosh optimizer (${main}); the driver needs next 10.1.x`);
  }
  const squoosh = require(main);
  if (typeof squoosh.processBuffer !== 'function') {
    throw new Error(`next@${version}: ${main} exports no processBuffer`);
  }
  return {version, processBuffer: squoosh.processBuffer};
}

// operations are what image-optimizer.js builds: a rotation for rotated
// sources, then a resize to the requested width (processBuffer resizes
// only images wider than that).
function operations(r) {
  const ops = [];
  const turns = QUARTER_TURNS.get(r.rotate);
  if (turns > 0) ops.push({type: 'rotate', numRotations: turns});
  ops.push({type: 'resize', width: r.width});
  return ops;
}

function snapshot(state) {
  const m = process.memoryUsage();
  // heap_live is the main isolate's heap only: the codecs run in worker
  // threads, whose heaps and wasm memories only the parent's RSS/PSS sees.
  return {kind: 'snapshot', snapshot: {heap_live: m.heapUsed, requests: state.done, errors: state.errors}};
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function run(emit, plan, optimizer, outDir) {
  const state = {done: 0, errors: 0};
  emit({kind: 'phase', phase: 'load', total: plan.requests.length});
  emit(snapshot(state));
  for (let round = 1; round <= plan.rounds; round++) {
    const queue = plan.requests.filter(r => r.round === round);
    let next = 0;
    const lane = async () => {
      while (next < queue.length) {
        const r = queue[next++];
        const start = process.hrtime.bigint();
        const ev = {kind: 'request', request: r.id, round};
        try {
          const input = await fs.promises.readFile(r.source);
          ev.bytes_in = input.length;
          const output = await optimizer.processBuffer(input, operations(r), r.format, r.quality);
          ev.bytes_out = output.length;
          if (outDir) await fs.promises.writeFile(path.join(outDir, `${r.id}.${r.format}`), output);
        } catch (err) {
          ev.err = `request ${r.id} (${r.source} to ${r.format} at width ${r.width}): ${err && err.message ? err.message : String(err)}`;
          state.errors++;
        }
        ev.seconds = Number(process.hrtime.bigint() - start) / 1e9;
        state.done++;
        emit(ev);
        emit(snapshot(state));
      }
    };
    await Promise.all(Array.from({length: Math.min(plan.in_flight, queue.length)}, lane));
    emit({kind: 'round', round});
  }
  emit({kind: 'phase', phase: 'idle'});
  for (let left = plan.idle_seconds * 1000; left > 0; left -= SNAPSHOT_EVERY_MS) {
    await sleep(Math.min(left, SNAPSHOT_EVERY_MS));
    emit(snapshot(state));
  }
  emit({kind: 'phase', phase: 'settle'});
  if (typeof global.gc === 'function') {
    global.gc();
    await sleep(100);
    global.gc();
  } else {
    process.stderr.write('driver.js: global.gc is not exposed (run node with --expose-gc); settle skips the forced GC\n');
  }
  emit(snapshot(state));
  emit({kind: 'phase', phase: 'done'});
}

function main() {
  const emit = openEvents();
  const fail = msg => {
    emit({kind: 'error', err: msg});
    process.stderr.write(`driver.js: ${msg}\n`);
    process.exit(1);
  };
  if (process.argv.length !== 3) fail('usage: driver.js NEXT_DIR (an install made by install.sh)');
  const planFile = process.env.LEAKBENCH_PLAN;
  if (!planFile) fail('LEAKBENCH_PLAN is not set: the driver needs a plan');
  const {plan, problems} = readPlan(planFile);
  if (problems.length > 0) {
    for (const p of problems.slice(0, 20)) emit({kind: 'error', err: p});
    fail(`${problems.length} problem(s) in the plan; nothing run`);
  }
  if (typeof globalThis.fetch === 'function') {
    // emscripten's glue in next 10 (mozjpeg, webp) loads its .wasm with
    // fetch() whenever fetch exists, which fails on a file path; worker
    // threads inherit node's flags, so this one check covers them.
    fail(`node ${process.version} exposes fetch(): next 10's emscripten codecs would fetch() their .wasm files and fail; run node with --no-experimental-fetch`);
  }
  const outDir = process.env.LEAKBENCH_NEXTJS_OUT;
  if (outDir) fs.mkdirSync(outDir, {recursive: true});
  pinCPUs(plan.workers);
  let optimizer;
  try {
    optimizer = loadOptimizer(path.resolve(process.argv[2]));
  } catch (err) {
    fail(err.message);
  }
  process.stderr.write(`driver.js: next@${optimizer.version} from ${process.argv[2]}, os.cpus() reports ${plan.workers + 1} CPUs, ${plan.requests.length} requests, ${plan.in_flight} in flight\n`);
  run(emit, plan, optimizer, outDir).then(
    // The optimizer's worker threads never exit by themselves.
    () => process.exit(0),
    err => fail(`driver: ${err && err.stack ? err.stack : String(err)}`),
  );
}

main();
