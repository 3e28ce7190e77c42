package main

// fillerWasm is the whole wasm module of the filler target, assembled
// here byte by byte (wazero has no text-format compiler, and a 100-byte
// module needs no toolchain). In the text format it is
//
//	(module
//	  (memory (export "memory") 0 4096)        ;; no pages at first, at most 256 MiB
//	  (func (export "fill") (param $pages i32) (result i32) (local $old i32)
//	    ;; grow memory by $pages; -1 if it can't
//	    (local.set $old (memory.grow (local.get $pages)))
//	    (if (i32.eq (local.get $old) (i32.const -1)) (then (return (i32.const -1))))
//	    ;; write 1 into every byte of the new pages, so the OS backs them
//	    (memory.fill (i32.shl (local.get $old) (i32.const 16))    ;; at old pages × 64 KiB
//	                 (i32.const 1)
//	                 (i32.shl (local.get $pages) (i32.const 16))) ;; pages × 64 KiB bytes
//	    (local.get $old)))                       ;; the old size in pages
//
// memory.fill is a bulk-memory instruction, part of WebAssembly 2.0,
// which wazero enables by default.
var fillerWasm = module(
	// type section: one function type, (i32) -> (i32)
	section(1,
		0x01,       // one type
		0x60,       // a function type
		0x01, 0x7f, // one parameter: i32
		0x01, 0x7f, // one result: i32
	),
	// function section: one function, of type 0
	section(3, 0x01, 0x00),
	// memory section: one memory with a maximum
	section(5,
		0x01,       // one memory
		0x01,       // limits with a maximum
		0x00,       // minimum 0 pages
		0x80, 0x20, // maximum 4096 pages (LEB128): 256 MiB
	),
	// export section: the memory and the function
	section(7,
		0x02,                                           // two exports
		0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // "memory": memory 0
		0x04, 'f', 'i', 'l', 'l', 0x00, 0x00, // "fill": function 0
	),
	// code section: one body, of function 0
	section(10, append([]byte{0x01}, body(
		0x01, 0x01, 0x7f, // locals: one group of one i32 ($old, local 1)
		0x20, 0x00, // local.get $pages
		0x40, 0x00, // memory.grow (memory 0)
		0x22, 0x01, // local.tee $old
		0x41, 0x7f, // i32.const -1
		0x46,       // i32.eq
		0x04, 0x40, // if (no result)
		0x41, 0x7f, //   i32.const -1
		0x0f,       //   return
		0x0b,       // end
		0x20, 0x01, // local.get $old
		0x41, 0x10, // i32.const 16
		0x74,       // i32.shl: the destination
		0x41, 0x01, // i32.const 1: the value
		0x20, 0x00, // local.get $pages
		0x41, 0x10, // i32.const 16
		0x74,             // i32.shl: the length
		0xfc, 0x0b, 0x00, // memory.fill (memory 0)
		0x20, 0x01, // local.get $old
		0x0b, // end of the function
	)...)...),
)

// module prefixes the sections with the magic number "\0asm" and version 1.
func module(sections ...[]byte) []byte {
	b := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// section is a section: its id, its size (LEB128) and its contents.
func section(id byte, contents ...byte) []byte {
	return append(append([]byte{id}, uleb128(len(contents))...), contents...)
}

// body is a function body: its size (LEB128) and its bytes.
func body(code ...byte) []byte {
	return append(uleb128(len(code)), code...)
}

// uleb128 encodes n as unsigned LEB128: seven bits a byte, low first, the
// high bit set on every byte but the last.
func uleb128(n int) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
