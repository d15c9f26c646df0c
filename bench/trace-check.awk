# Card-link hygiene from the card's own APDU trace, per run of a workload
# (issue #6: "each file read once per bind; no APDU for files the card does not
# have; no needless card reset").
#
# Input: the run lines of bench/session.sh (9 fields, for the resets) and its
# trace slices (4 fields: label, workload, run, one jpki-sim trace line such as
# "#12 00 B0 01 00 00 => 256 bytes + 90 00").
#
#   awk -f trace-check.awk RUNS.tsv RUNS.apdus               Markdown table
#   awk -f trace-check.awk -v mode=check RUNS.tsv RUNS.apdus  plugin only; exit 1 on a miss
#
# A "re-read" is a READ BINARY of a (application, file, offset) already read in
# the same run: the same bytes fetched twice; the driver's 64-byte read-back of
# EF 000A that confirms the JPKI AP in a new transaction is not one. A "not found" is an APDU answered
# 6A82 (file or application not found): a probe for something the card lacks.
BEGIN {
	FS = "\t"
	if (mode == "") mode = "table"
	for (i = 0; i < 16; i++) hex_digit[substr("0123456789ABCDEF", i + 1, 1)] = i
}

function byte_value(text) {
	return hex_digit[substr(text, 1, 1)] * 16 + hex_digit[substr(text, 2, 1)]
}

function conf_of(label) {
	return substr(label, match(label, /_[a-z]+$/) + 1)
}

function note(kind, label, workload, run, detail,    key) {
	key = workload SUBSEP conf_of(label)
	per_run[kind, label, workload, run]++
	if (per_run[kind, label, workload, run] > worst[kind, key]) worst[kind, key] = per_run[kind, label, workload, run]
	if (!((kind, key) in example)) example[kind, key] = detail " (" label ", run " run ")"
	seen_key[key] = 1
}

NF >= 9 && $2 != "driver" {
	key = $2 SUBSEP conf_of($1)
	seen_key[key] = 1
	if ($4 == 0) expected_apdus[$1, $2, $3] = $5
	if ($4 == 0 && $8 > 0) {
		per_run["reset", $1, $2, $3] = $8
		if ($8 > worst["reset", key]) worst["reset", key] = $8
		if (!(("reset", key) in example)) example["reset", key] = $8 " reset(s) (" $1 ", run " $3 ")"
	}
	next
}

NF == 4 {
	run_id = $1 SUBSEP $2 SUBSEP $3
	traced_apdus[run_id]++
	if (run_id != current_run) {
		current_run = run_id
		current_ap = "?"
		current_ef = "?"
	}
	split($4, halves, " => ")
	n = split(halves[1], apdu, " ")
	# apdu[1] is "#N"; the C-APDU bytes follow.
	cla = apdu[2]; ins = apdu[3]; p1 = apdu[4]; p2 = apdu[5]
	m = split(halves[2], response, " ")
	sw = response[m - 1] response[m]
	if (ins == "A4") {
		name = ""
		for (i = 7; i <= n; i++) name = name apdu[i]
		if (p1 == "04") {
			current_ap = name
			current_ef = ""
		} else {
			current_ef = name
		}
	} else if (ins == "B0" && byte_value(p1) >= 128 && sw != "9000" && sw != "6282") {
		# A refused read by short EF identifier: the card's current EF is unknown.
		current_ef = "?"
	} else if (ins == "B0" && (sw == "9000" || sw == "6282")) {
		if (byte_value(p1) >= 128) {
			# By short EF identifier, which on this card (and jpki-sim) is the
			# FID's low byte; the EF becomes the current one, so the chunks
			# read after it by offset are keyed alike.
			ef = sprintf("%04X", byte_value(p1) - 128)
			offset = byte_value(p2)
			current_ef = ef
		} else {
			ef = current_ef
			offset = byte_value(p1) * 256 + byte_value(p2)
		}
		read_key = run_id SUBSEP current_ap SUBSEP ef SUBSEP offset
		# The first 64 bytes of 000A read back to confirm the JPKI AP in a
		# new transaction without a SELECT (src/card-jpki/card-link.c):
		# a check of where the card stands, not the file fetched again.
		if (ef == "000A" && offset == 0 && n == 6 && apdu[6] == "40")
			next
		if (read_key in read_before)
			note("reread", $1, $2, $3, "EF " ef " offset " offset " read again")
		read_before[read_key] = 1
	}
	if (sw == "6A82")
		note("notfound", $1, $2, $3, "`" cla " " ins " " p1 " " p2 "` answered 6A82")
}

function cell(kind, key) {
	return (kind, key) in worst ? worst[kind, key] : 0
}

END {
	split("opensc-tool-n dump read-cert-2 sign-20", order, " ")
	if (mode == "check") {
		misses = 0
		# Without the trace every hygiene check would pass vacuously.
		for (run_id in expected_apdus) {
			split(run_id, id_part, SUBSEP)
			if (conf_of(id_part[1]) != "plugin" || traced_apdus[run_id] + 0 == expected_apdus[run_id]) continue
			print "NOT MET: " id_part[2] " (" id_part[1] ", run " id_part[3] "): the trace holds " \
				traced_apdus[run_id] + 0 " APDUs, the counters " expected_apdus[run_id]
			misses++
		}
		for (w = 1; w <= 4; w++) {
			key = order[w] SUBSEP "plugin"
			if (!(key in seen_key)) continue
			split("reread notfound reset", kinds, " ")
			for (k = 1; k <= 3; k++) {
				if (cell(kinds[k], key) == 0) continue
				print "NOT MET: " order[w] ": " example[kinds[k], key]
				misses++
			}
		}
		if (misses == 0) print "met:     no re-read, no 6A82, no reset in any plugin run"
		exit misses ? 1 : 0
	}
	title["opensc-tool-n"] = "`opensc-tool -n`"
	title["dump"] = "`pkcs15-tool --dump`"
	title["read-cert-2"] = "`pkcs15-tool --read-certificate 2 --verify-pin`"
	title["sign-20"] = "20 × C_Sign (`bench/p11-sign`)"
	print "| workload | re-reads plugin / built-in | 6A82 answers plugin / built-in | resets plugin / built-in |"
	print "|---|---:|---:|---:|"
	for (w = 1; w <= 4; w++) {
		pk = order[w] SUBSEP "plugin"
		bk = order[w] SUBSEP "builtin"
		if (!(pk in seen_key) && !(bk in seen_key)) continue
		printf "| %s | %d / %d | %d / %d | %d / %d |\n", title[order[w]],
			cell("reread", pk), cell("reread", bk), cell("notfound", pk), cell("notfound", bk),
			cell("reset", pk), cell("reset", bk)
	}
}
