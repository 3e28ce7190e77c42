module github.com/leakbench/leakbench/targets

go 1.26.8

require github.com/leakbench/leakbench v0.0.0

require (
	github.com/ebitengine/purego v0.11.2 // indirect
	github.com/gen2brain/avif v0.4.4 // indirect
	github.com/gen2brain/heic v0.4.5 // indirect
	github.com/gen2brain/webp v0.5.5 // indirect
	github.com/tetratelabs/wazero v1.12.0 // indirect
	golang.org/x/image v0.47.0 // indirect
	golang.org/x/mod v0.43.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/leakbench/leakbench => ../
