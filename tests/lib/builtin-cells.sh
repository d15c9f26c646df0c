# Sourced: what the "What works" table of doc/comparison.md says OpenSC's
# built-in jpki driver does, in the column of one OpenSC release. The
# comparison tests read their expectation of the built-in from here, so a
# release whose built-in behaves differently needs its own column, measured,
# not an edited test. A column serves every release its heading lists:
# "built-in (OpenSC 0.24.0, 0.25.0-rc1, 0.25.1)", each measured alike.
#
#   builtin_cell ROW [VERSION]
# ROW is the start of the row's first cell (the feature), matched literally;
# VERSION defaults to $OPENSC_JPKI_VERSION (the installed libopensc's). Prints
# the cell, surrounding blanks trimmed; status 1, with a message on stderr,
# when doc/comparison.md has no column for VERSION or no (or more than one)
# such row.
# Needs $top_srcdir.

builtin_cell() {
	awk -v row="$1" -v version="${2:-${OPENSC_JPKI_VERSION:?}}" '
		function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
		/^## What works/ { section = 1; next }
		/^## / { section = 0 }
		!section || !/^\|/ { next }
		column == 0 {
			for (i = 2; i < NF; i++) {
				if (!index($i, "built-in") || !match($i, /\(OpenSC [^)]*\)/)) continue
				n = split(substr($i, RSTART + 8, RLENGTH - 9), listed, /, */)
				for (j = 1; j <= n; j++) if (listed[j] == version) column = i
			}
			if (column == 0) { print "builtin_cell: doc/comparison.md has no built-in column for OpenSC " version > "/dev/stderr"; bad = 1; exit }
			next
		}
		index(trim($2), row) == 1 { found++; cell = trim($column) }
		END {
			if (bad) exit 1
			if (found != 1) { print "builtin_cell: " found + 0 " rows start with \"" row "\"" > "/dev/stderr"; exit 1 }
			print cell
		}' FS='|' "${top_srcdir:?}/doc/comparison.md"
}
