module github.com/leakbench/leakbench/targets

go 1.26.8

// leakbench is the harness API (issue 13) these targets plug into. Nothing
// imports it until that package lands, so `go mod tidy` drops this line
// until then; keep it, it also keeps wazero and x/image at leakbench's
// versions.
require github.com/leakbench/leakbench v0.0.0

require (
	github.com/gen2brain/avif v0.4.4
	github.com/gen2brain/heic v0.4.5
	github.com/gen2brain/webp v0.5.5
	github.com/tetratelabs/wazero v1.12.0
	golang.org/x/image v0.47.0
	golang.org/x/mod v0.43.0
)

require (
	github.com/ebitengine/purego v0.11.2 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/leakbench/leakbench => ../
