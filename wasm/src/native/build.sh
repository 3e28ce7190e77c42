#!/usr/bin/env bash
# build.sh OUT_DIR builds OUT_DIR/bench_native, the native (gcc) build of
# the codec module sources used by the Go benchmark for wasm/native ratios.
# See the comment at the top of bench_native.c for usage. encode_webp is
# compiled in (-DHAVE_WEBP) only when wasm/src/encode_webp/exports.txt exists
# (wasm/build.sh treats a source folder without exports.txt as unfinished).
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
mkdir -p -- "$out"
out=$(cd -P -- "$out" && pwd)
cd -P -- "$(dirname -- "$0")"
export LC_ALL=C
CC=${CC:-gcc}
srcs=(../common/lb.c ../decode/*.c ../resize/resize.c ../rotate/rotate.c
	../encode_png/encode_png.c ../encode_jpeg/encode_jpeg.c)
defs=()
if [[ -f ../encode_webp/exports.txt ]]; then
	defs+=(-DHAVE_WEBP)
	srcs+=(../encode_webp/*.c)
fi
"$CC" -std=gnu11 -O3 -march=x86-64-v2 -DNDEBUG -I../common "${defs[@]}" \
	-o "$out/bench_native" "${srcs[@]}" bench_native.c -lm
