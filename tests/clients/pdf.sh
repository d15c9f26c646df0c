# Sourced by tests/clients/e2e-pdfsig.sh: a small valid PDF without any tool.
# shellcheck shell=sh

# Writes a one-page PDF 1.4 to OUT, its cross-reference table with the objects'
# true byte offsets (pdfsig appends an incremental update that relies on them).
make_pdf() { # out
	: >"$1"
	printf '%%PDF-1.4\n' >>"$1"
	catalog=$(wc -c <"$1")
	printf '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' >>"$1"
	pages=$(wc -c <"$1")
	printf '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' >>"$1"
	page=$(wc -c <"$1")
	printf '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n' >>"$1"
	xref=$(wc -c <"$1")
	printf 'xref\n0 4\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \n' \
		"$catalog" "$pages" "$page" >>"$1"
	printf 'trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' "$xref" >>"$1"
}
