#!/bin/sh
# Every relative link of the README and the pages behind it (README.md,
# doc/*.md, bench/README.md) names a file that exists, and a #fragment names
# a heading of that file (GitHub's anchors: lower case, punctuation dropped,
# spaces as hyphens). Links with a scheme (https:) are not followed. In a
# tree without debian/ (the dist tarball), links into debian/ are skipped.
# Prints one line per broken link; exit 1 when there is one.
set -eu
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top"
status=0
checked=0
for page in README.md bench/README.md doc/*.md; do
	[ -f "$page" ] || { echo "FAIL: $page is missing"; status=1; continue; }
	dir=$(dirname "$page")
	# The link targets outside fenced code blocks, one a line.
	links=$(awk '
		/^```/ { code = !code; next }
		code { next }
		{
			line = $0
			while (match(line, /\]\([^) \t]+\)/)) {
				print substr(line, RSTART + 2, RLENGTH - 3)
				line = substr(line, RSTART + RLENGTH)
			}
		}' "$page")
	for link in $links; do
		case "$link" in [a-z]*:*) continue ;; esac
		path=${link%%#*}
		fragment=""
		[ "$path" = "$link" ] || fragment=${link#*#}
		if [ -n "$path" ]; then target=$dir/$path; else target=$page; fi
		case "$target" in debian/*|*/debian/*)
			[ -d debian ] || continue ;;
		esac
		checked=$((checked + 1))
		if [ ! -e "$target" ]; then
			echo "FAIL: $page: $link: no file $target"
			status=1
			continue
		fi
		[ -n "$fragment" ] || continue
		case "$target" in *.md) ;; *) continue ;; esac
		if ! awk -v want="$fragment" '
			/^```/ { code = !code; next }
			code || !/^#+ / { next }
			{
				title = tolower($0)
				sub(/^#+ +/, "", title)
				gsub(/[^a-z0-9_ -]/, "", title)
				gsub(/ /, "-", title)
				n = seen[title]++
				if (n > 0) title = title "-" n
				if (title == want) found = 1
			}
			END { exit !found }' "$target"; then
			echo "FAIL: $page: $link: no heading #$fragment in $target"
			status=1
		fi
	done
done
echo "$checked relative links checked"
exit $status
