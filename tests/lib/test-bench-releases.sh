#!/bin/sh
# bench/releases.sh on synthetic run lines of two releases: the full table,
# the APDU-only one (--apdus), and --update-doc into a named block (--block)
# that leaves the rest of the file and another block alone.
set -eu
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/test-bench-releases.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
check() { # name, expected file, actual file
	if cmp -s "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1"; diff "$2" "$3" || true; fails=$((fails + 1)); fi
}

# Run lines as bench/session.sh writes them: three runs per workload, the
# median taken; release B's plugin dump costs one APDU more with extended length.
for conf in plugin builtin; do
	for ext in 1 0; do
		printf 'lat0_ext%s_%s\tdriver\t-\t-\t-\t-\t-\t-\t%s\n' "$ext" "$conf" "$conf-driver"
		for w in opensc-tool-n dump; do
			for r in 1 2 3; do
				a=2; [ "$conf" = plugin ] || a=30
				[ "$w" != dump ] || a=$((a + 8))
				[ "$ext" = 1 ] || a=$((a + 2))
				printf 'lat0_ext%s_%s\t%s\t%s\t0\t%s\t100\t200\t0\t%s000000\n' "$ext" "$conf" "$w" "$r" "$a" "$((r * 10))"
			done
		done
	done
done > "$work/a.tsv"
sed 's/^\(lat0_ext1_plugin\tdump\t[0-9]*\t0\t\)10\t/\111\t/' "$work/a.tsv" > "$work/b.tsv"

cat > "$work/full.want" <<'TABLE'
| workload | ext. length | A: APDUs plugin / built-in | ms plugin / built-in | B: APDUs plugin / built-in | ms plugin / built-in |
|---|:---:|---:|---:|---:|---:|
| `opensc-tool -n` | 1 | 2 / 30 | 20 / 20 | 2 / 30 | 20 / 20 |
| `opensc-tool -n` | 0 | 4 / 32 | 20 / 20 | 4 / 32 | 20 / 20 |
| `pkcs15-tool --dump` | 1 | 10 / 38 | 20 / 20 | 11 / 38 | 20 / 20 |
| `pkcs15-tool --dump` | 0 | 12 / 40 | 20 / 20 | 12 / 40 | 20 / 20 |
TABLE
sh "$top/bench/releases.sh" A="$work/a.tsv" B="$work/b.tsv" > "$work/full.got"
check "full table" "$work/full.want" "$work/full.got"

cat > "$work/apdus.want" <<'TABLE'
| workload | ext. length | A | B, OpenSC x |
|---|:---:|---:|---:|
| `opensc-tool -n` | 1 | 2 / 30 | 2 / 30 |
| `opensc-tool -n` | 0 | 4 / 32 | 4 / 32 |
| `pkcs15-tool --dump` | 1 | 10 / 38 | 11 / 38 |
| `pkcs15-tool --dump` | 0 | 12 / 40 | 12 / 40 |
TABLE
sh "$top/bench/releases.sh" --apdus A="$work/a.tsv" "B, OpenSC x=$work/b.tsv" > "$work/apdus.got"
check "--apdus" "$work/apdus.want" "$work/apdus.got"

printf 'intro\n<!-- bench-releases -->\nold 1\n<!-- /bench-releases -->\nmiddle\n<!-- bench-upstream -->\nold 2\n<!-- /bench-upstream -->\nend\n' > "$work/doc.md"
sh "$top/bench/releases.sh" --apdus --block bench-upstream --update-doc "$work/doc.md" A="$work/a.tsv" "B, OpenSC x=$work/b.tsv"
{ printf 'intro\n<!-- bench-releases -->\nold 1\n<!-- /bench-releases -->\nmiddle\n<!-- bench-upstream -->\n'
	cat "$work/apdus.want"; printf '<!-- /bench-upstream -->\nend\n'; } > "$work/doc.want"
check "--update-doc --block" "$work/doc.want" "$work/doc.md"

rc=0
sh "$top/bench/releases.sh" --block no-such-block --update-doc "$work/doc.md" A="$work/a.tsv" 2> "$work/err" || rc=$?
if [ "$rc" = 1 ] && grep -q 'has no <!-- no-such-block --> block' "$work/err"; then echo "ok: a missing block is refused"
else echo "FAIL: a missing block: exit $rc, $(cat "$work/err")"; fails=$((fails + 1)); fi
check "a refused update leaves the file" "$work/doc.want" "$work/doc.md"
[ "$fails" -eq 0 ]
