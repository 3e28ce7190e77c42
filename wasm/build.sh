#!/usr/bin/env bash
# build.sh builds every codec module wasm/src/<module>/ (all but common,
# native and the allocators alloc_*) into wasm/<module>.wasm, the variants
# listed below into wasm/<module>_original.wasm, and writes wasm/SHA256SUMS.
#
#   ./build.sh            build into wasm/ (installs missing Debian packages)
#   ./build.sh --check    rebuild into a temporary directory and exit 1,
#                         naming the file, if any byte differs from wasm/
#   ./build.sh --out DIR  build into DIR instead of wasm/
#
# Toolchain: Debian bookworm's clang-14, lld, wasi-libc, libstb-dev (stb
# headers are used from /usr/include/stb, never copied here) and
# libclang-rt-14-dev-wasm32. The output is byte-reproducible for a given
# toolchain: no debug info, no names section, no producers section, and
# source paths are mapped so the checkout location cannot leak in.
#
# Each module is linked from src/common/*.c and src/<module>/*.c; its
# exports are src/common/exports.txt plus src/<module>/exports.txt (one
# symbol per line, '#' comments allowed), passed as -Wl,--export=NAME.
# A folder without exports.txt is an unfinished module and is skipped.
set -euo pipefail
caller=$PWD
cd -P -- "$(dirname -- "$0")"
export LC_ALL=C

mode=build
out=$PWD
case "${1-}" in
--check) mode=check ;;
--out)
	out=${2:?--out needs a directory}
	[[ $out == /* ]] || out=$caller/$out
	mkdir -p -- "$out"
	;;
"") ;;
*)
	echo "usage: $0 [--check | --out DIR]" >&2
	exit 2
	;;
esac

# Debian packages the build needs.
packages=(clang lld wasi-libc libstb-dev libclang-rt-14-dev-wasm32)

ensure_tools() {
	local missing=() p
	for p in "${packages[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if ((${#missing[@]} == 0)); then
		return
	fi
	echo "build.sh: installing ${missing[*]}" >&2
	local sudo=()
	if ((EUID != 0)); then
		sudo=(sudo)
	fi
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}
ensure_tools

CC=clang
# Flags, each kept because it measured faster under wazero v1.12 (which
# implements all these proposals; they are in Wasm 2.0 core):
#   -msimd128             vector code (12 MP: resize 320 -> 165 ms,
#                         encode_jpeg 330 -> 260 ms; encode_png -10%)
#   -mbulk-memory -mnontrapping-fptoint -msign-ext
#                         a further ~8% on resize and encode_jpeg
#   -O3 -flto             -O3 is no slower than -O2; LTO gave ~3% on the
#                         multi-file encode_webp and nothing measurable on
#                         the others
# wasm-opt -O3 (binaryen 108) measured no faster and is not used; without
# it the modules have no custom sections at all (--strip-all drops names,
# producers and target_features), which embed_test.go checks.
CFLAGS=(
	--target=wasm32-wasi
	-O3 -flto -DNDEBUG -g0
	-msimd128 -mbulk-memory -mnontrapping-fptoint -msign-ext
	-ffile-prefix-map="$PWD"=. -fdebug-prefix-map="$PWD"=.
	-Wall -Wextra -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter
	-Wno-missing-field-initializers -Wno-implicit-fallthrough
	-Wno-unused-but-set-variable -Wno-shift-negative-value
	-Isrc/common
)
LDFLAGS=(
	--target=wasm32-wasi -mexec-model=reactor -flto -Wl,--lto-O3
	-Wl,--strip-all -Wl,-z,stack-size=262144
	-Wl,--no-entry
)

# build_module NAME DST [ALLOCATOR]: ALLOCATOR, a folder of src/, is linked
# with the module's sources and defines LB_ORIGINAL_ALLOCATION (see below).
build_module() {
	local name=$1 dst=$2 alloc=${3-}
	local srcs=(src/common/*.c src/"$name"/*.c) cflags=("${CFLAGS[@]}")
	if [[ -n $alloc ]]; then
		srcs+=(src/"$alloc"/*.c)
		cflags+=(-DLB_ORIGINAL_ALLOCATION)
	fi
	local exports
	exports=$(cat src/common/exports.txt src/"$name"/exports.txt |
		awk 'NF && $1 !~ /^#/ {print $1}' | sort -u |
		awk '{print "-Wl,--export=" $1}')
	local tmp="$dst.d" objs=() src obj
	mkdir -p -- "$tmp"
	# Compile and link separately: a clang driver that links with an -O flag
	# runs any wasm-opt on PATH itself, with no feature flags, which fails.
	for src in "${srcs[@]}"; do
		obj="$tmp/$(basename -- "$(dirname -- "$src")")_$(basename -- "$src" .c).o"
		"$CC" "${cflags[@]}" -c -o "$obj" "$src"
		objs+=("$obj")
	done
	# shellcheck disable=SC2086 # one word per export
	"$CC" "${LDFLAGS[@]}" $exports -o "$dst" "${objs[@]}" -lm
	rm -rf -- "$tmp"
}

# Build everything into a scratch directory first, so a failed build
# leaves the committed modules and SHA256SUMS untouched and consistent.
dest=$out
out=$(mktemp -d)
trap 'rm -rf -- "$out"' EXIT

names=()
for dir in src/*/; do
	name=$(basename -- "$dir")
	case $name in common | native | alloc_*) continue ;; esac
	if [[ ! -f src/$name/exports.txt ]]; then
		echo "build.sh: skipping src/$name/: no exports.txt yet (unfinished module)" >&2
		continue
	fi
	names+=("$name")
	echo "build.sh: $name.wasm" >&2
	build_module "$name" "$out/$name.wasm"
done

# Variants: <module>_original.wasm is <module> built from the same sources
# with the allocation of the original codec it stands for (an allocator of
# src/alloc_*/ in place of wasi-libc's malloc, and LB_ORIGINAL_ALLOCATION,
# under which the module allocates the buffers the original did). See
# docs/allocation.md for why resize is the only one.
variants=("resize alloc_wee")
for v in "${variants[@]}"; do
	read -r base alloc <<<"$v"
	names+=("${base}_original")
	echo "build.sh: ${base}_original.wasm (with src/$alloc/)" >&2
	build_module "$base" "$out/${base}_original.wasm" "$alloc"
done

(cd -- "$out" && for n in "${names[@]}"; do sha256sum -- "$n.wasm"; done | sort -k2) >"$out/SHA256SUMS"

if [[ $mode == build ]]; then
	for f in "${names[@]/%/.wasm}" SHA256SUMS; do
		cp -- "$out/$f" "$dest/$f"
	done
	exit 0
fi

if [[ $mode == check ]]; then
	status=0
	for f in SHA256SUMS "${names[@]/%/.wasm}"; do
		if [[ ! -f $f ]]; then
			echo "build.sh --check: wasm/$f is not committed (the rebuild produced it)" >&2
			status=1
		elif ! cmp -s -- "$f" "$out/$f"; then
			echo "build.sh --check: wasm/$f differs from the rebuild" >&2
			status=1
		fi
	done
	for f in *.wasm; do
		[[ -e $f ]] || continue
		if [[ ! -f $out/$f ]]; then
			echo "build.sh --check: wasm/$f has no source in wasm/src/" >&2
			status=1
		fi
	done
	if ((status == 0)); then
		echo "build.sh --check: all ${#names[@]} modules and SHA256SUMS are byte-identical" >&2
	fi
	exit "$status"
fi
