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
// This module is separate from leakbench's so that the libraries and their
// dependencies stay out of the core module. The coupling to the harness
// API (issue 13) is in request.go (the request type) and one small file per
// library (webp.go, avif.go, heic.go: the factories).
package targets
