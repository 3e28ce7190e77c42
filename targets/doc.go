// Package targets holds leakbench targets built on real wazero codec
// libraries, gen2brain's webp, avif and heic, each running the builtin
// request flow (decode → optional rotate → resize → encode) with the library
// in the place of the matching codec:
//
//	webp-decode, avif-decode, heic-decode  decode a source in the library's format
//	webp-encode, avif-encode               encode the resized image in the library's format
//
// Every target keeps its last Options.Keep decoded images, as a thumbnail
// cache would. The libraries' decoders return images whose pixels are a
// view of the decoder instance's linear memory, so each kept image keeps
// that instance's whole memory alive after the library has closed it;
// Options.CopyOut copies the pixels out first, the library-side fix.
//
// Register plugs every target into leakbench's public harness
// (cmd/bench is that program, with the scenarios of targets/scenarios).
// A target's Snapshot reports its kept images as the holder "cache", with
// what they keep reachable: for the library's decoder, the Go array
// behind each decoder instance's linear memory (read from a replay of the
// same decode, internal/memprobe, once per source before the baseline);
// for copied-out images and the encode targets' standard decoder, their
// pixels.
//
// The libraries load a system shared library (libwebp.so, libavif.so,
// libheif.so) instead of their WebAssembly build when they find one, and
// only the build tag nodynamic turns that off. Every Decode and Encode
// here then fails with libcodec.ErrNotWASM, and cmd/bench refuses to
// start, naming the library and the tag.
//
// This module is separate from leakbench's so that the libraries and their
// dependencies stay out of the core module.
package targets
