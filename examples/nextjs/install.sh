#!/usr/bin/env bash
# install.sh VERSION [DIR]: installs next@VERSION with the React it needs into
# DIR (default: the user cache dir, $XDG_CACHE_HOME or ~/.cache, under
# leakbench/nextjs/VERSION), never into this repository. Idempotent: a DIR
# that already holds a complete install of VERSION is left alone. Prints DIR.
#
# npm runs with --ignore-scripts: no package's install script runs, so the
# optional native dependencies next 10 lists (sharp is not one of them; its
# image optimizer is pure wasm) stay unbuilt and nothing outside DIR changes.
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: install.sh VERSION [DIR]  (e.g. install.sh 10.1.0)"
version=$1
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION must be an exact version like 10.1.0, got \"$version\""
cache=${XDG_CACHE_HOME:-${HOME:?install.sh: neither XDG_CACHE_HOME nor HOME is set}/.cache}
dir=${2:-$cache/leakbench/nextjs/$version}

command -v node >/dev/null || die "node not found on PATH"
command -v npm >/dev/null || die "npm not found on PATH"

# React 17 is the newest React next 10 accepts (peer range ^16.6.0 || ^17).
react=17.0.2
want="next@$version react@$react react-dom@$react"

# resolve prints the absolute, symlink-free form of a path that may not
# exist yet: its deepest existing ancestor resolved, plus the rest.
resolve() {
	local d=$1 rest=
	while [[ ! -d $d ]]; do
		rest=/$(basename -- "$d")$rest
		d=$(dirname -- "$d")
	done
	echo "$(cd -P -- "$d" && pwd)$rest"
}
dir=$(resolve "$dir")
repo=$(cd -P -- "$(dirname -- "$0")/../.." && pwd)
case $dir/ in
"$repo"/*) die "refusing to install into the repository ($dir is inside $repo); pick a DIR outside it" ;;
esac
marker=$dir/.leakbench-installed
if [[ -f $marker && $(<"$marker") == "$want" && -f $dir/node_modules/next/package.json ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir" || die "cannot create $dir"

rm -f "$marker"
# A package.json of its own keeps npm from walking up to a parent project.
printf '{"name":"leakbench-nextjs-%s","private":true}\n' "$version" >"$dir/package.json"
log=$dir/npm-install.log
if ! npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --no-save \
	--loglevel=error "next@$version" "react@$react" "react-dom@$react" >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "npm install next@$version into $dir failed (full log: $log)"
fi
got=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/next/package.json") ||
	die "npm finished but $dir/node_modules/next/package.json is unreadable"
[[ $got == "$version" ]] || die "npm installed next@$got into $dir, wanted $version"
printf '%s' "$want" >"$marker"
echo "$dir"
