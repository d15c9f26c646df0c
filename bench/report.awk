# Turns the benchmark's run lines (bench/session.sh) into the Markdown table, or,
# with -v mode=check, checks the APDU targets of issues #6 and #10 and exits 1
# on a miss, or, with -v mode=brief, prints the medians as tab-separated lines
# for bench/releases.sh.
#
# Input lines (tab-separated):
#   latN_extX_CONF  workload  run  exit_code  apdus  bytes_in  bytes_out  resets  wall_ns
#   latN_extX_CONF  driver    -    -  -  -  -  -  DRIVER_NAME
# CONF is "plugin" (plugin listed before internal) or "builtin" (stock config).
#
# Per run figures are reported as the median over the runs of a session; when
# the runs of one session disagree on APDUs, the range is shown too (the first
# run after the card is inserted is the usual outlier).
BEGIN {
	FS = "\t"
	if (mode == "") mode = "table"
	# The targets (issue #6, tightened by issue #10 with the cost of
	# confirming the application in every transaction counted in).
	# A pkcs15-tool that asks the dump's PINs' tries itself (OpenSC 0.26
	# on; tool_pin_queries, from check-counts.sh) pays one APDU more per PIN
	# than the bind's own query, which is then left out.
	target_dump_ext = 11 + tool_pin_queries
	target_dump_short = 26 + tool_pin_queries
	target_sign_ext = 70
	target_dump_ratio = 0.30
	target_time_ratio = 0.3
	target_time_latency = 20
	split("opensc-tool-n dump read-cert-2 sign-20", workload_order, " ")
	workload_title["opensc-tool-n"] = "`opensc-tool -n`"
	workload_title["dump"] = "`pkcs15-tool --dump`"
	workload_title["read-cert-2"] = "`pkcs15-tool --read-certificate 2 --verify-pin`"
	workload_title["sign-20"] = "20 × C_Sign SHA256-RSA-PKCS, auth key (`bench/p11-sign`)"
}

function insert_sorted(key, value,    n, i) {
	n = ++count[key]
	i = n
	while (i > 1 && sorted[key, i - 1] > value + 0) {
		sorted[key, i] = sorted[key, i - 1]
		i--
	}
	sorted[key, i] = value + 0
}

function median(key,    n) {
	n = count[key]
	if (n == 0) return ""
	if (n % 2 == 1) return sorted[key, (n + 1) / 2]
	return (sorted[key, n / 2] + sorted[key, n / 2 + 1]) / 2
}

# Counts are integers; an even number of runs that disagree gives a half, which
# is shown as it is rather than rounded into a false agreement.
function count_text(key,    n, text) {
	n = count[key]
	if (n == 0) return "—"
	text = median(key)
	if (sorted[key, 1] != sorted[key, n]) text = text " (" sorted[key, 1] "–" sorted[key, n] ")"
	return text
}

function ratio_text(numerator, denominator) {
	if (numerator == "" || denominator == "" || denominator + 0 == 0) return "—"
	return sprintf("%.2f", numerator / denominator)
}

function ms_text(key) {
	if (count[key] == 0) return "—"
	return sprintf("%.0f", median(key) / 1e6)
}

$2 == "driver" {
	driver[$1] = $9
	next
}

NF >= 9 {
	split($1, part, "_")
	latency = substr(part[1], 4)
	ext = substr(part[2], 4)
	conf = part[3]
	setting = latency SUBSEP ext
	if (!(setting in seen_setting)) {
		seen_setting[setting] = 1
		settings[++setting_count] = setting
	}
	key = $2 SUBSEP setting SUBSEP conf
	if ($4 != 0) {
		failed[key] = 1
		failures++
		next
	}
	insert_sorted(key SUBSEP "apdus", $5)
	insert_sorted(key SUBSEP "in", $6)
	insert_sorted(key SUBSEP "out", $7)
	insert_sorted(key SUBSEP "resets", $8)
	insert_sorted(key SUBSEP "ns", $9)
}

function check(condition, text) {
	if (condition) {
		print "met:     " text
	} else {
		print "NOT MET: " text
		misses++
	}
}

function target_line(condition, text) {
	if (condition) print "- met: " text
	else print "- **not met**: " text
}

function report_targets(printer,    s, setting_pair, latency, ext, plugin_key, builtin_key, p, b, limit, w, wl) {
	for (s = 1; s <= setting_count; s++) {
		split(settings[s], setting_pair, SUBSEP)
		latency = setting_pair[1]
		ext = setting_pair[2]
		plugin_key = "dump" SUBSEP settings[s] SUBSEP "plugin"
		builtin_key = "dump" SUBSEP settings[s] SUBSEP "builtin"
		p = median(plugin_key SUBSEP "apdus")
		b = median(builtin_key SUBSEP "apdus")
		if (p == "" || b == "") {
			emit(printer, 0, sprintf("`pkcs15-tool --dump` at %s ms, extended length %s: no successful run to measure", latency, ext))
			continue
		}
		limit = ext == "yes" ? target_dump_ext : target_dump_short
		# The worst run counts: a first run over the limit is a miss even if later runs are under.
		emit(printer, sorted[plugin_key SUBSEP "apdus", count[plugin_key SUBSEP "apdus"]] <= limit,
			sprintf("`pkcs15-tool --dump` at %s ms, extended length %s: %d APDUs (worst run), target ≤ %d",
				latency, ext, sorted[plugin_key SUBSEP "apdus", count[plugin_key SUBSEP "apdus"]], limit))
		# With short APDUs only, 0.30 of the built-in's count is below what
		# the certificates' bytes and the real PIN tries take (bench/README.md,
		# "Why the 0.30 ratio is not asserted with short APDUs"): shown, not judged.
		if (ext == "yes")
			emit(printer, p <= target_dump_ratio * b,
				sprintf("`pkcs15-tool --dump` at %s ms, extended length %s: %s of the built-in's APDUs (%s / %s), target ≤ %.2f",
					latency, ext, ratio_text(p, b), p, b, target_dump_ratio))
		else
			inform(printer, sprintf("`pkcs15-tool --dump` at %s ms, extended length %s: %s of the built-in's APDUs (%s / %s); the ≤ %.2f target applies with extended length only",
				latency, ext, ratio_text(p, b), p, b, target_dump_ratio))
		if (ext == "yes") {
			plugin_key = "sign-20" SUBSEP settings[s] SUBSEP "plugin"
			if (count[plugin_key SUBSEP "apdus"] == 0)
				emit(printer, 0, sprintf("20 × C_Sign at %s ms, extended length %s: no successful run to measure", latency, ext))
			else
				emit(printer, sorted[plugin_key SUBSEP "apdus", count[plugin_key SUBSEP "apdus"]] <= target_sign_ext,
					sprintf("20 × C_Sign at %s ms, extended length %s: %d APDUs (worst run), target ≤ %d",
						latency, ext, sorted[plugin_key SUBSEP "apdus", count[plugin_key SUBSEP "apdus"]], target_sign_ext))
		}
		if (mode == "check" || latency != target_time_latency) continue
		for (w = 1; w <= 2; w++) {
			wl = w == 1 ? "dump" : "opensc-tool-n"
			p = median(wl SUBSEP settings[s] SUBSEP "plugin" SUBSEP "ns")
			b = median(wl SUBSEP settings[s] SUBSEP "builtin" SUBSEP "ns")
			if (p == "" || b == "") continue
			emit(printer, p <= target_time_ratio * b,
				sprintf("%s wall time at %s ms, extended length %s: %s of the built-in's (%.0f / %.0f ms), target ≤ %.1f",
					workload_title[wl], latency, ext, ratio_text(p, b), p / 1e6, b / 1e6, target_time_ratio))
		}
	}
}

function inform(printer, text) {
	if (printer == "check") print "info:    " text
	else print "- info: " text
}

function emit(printer, condition, text) {
	if (printer == "check") check(condition, text)
	else target_line(condition, text)
}

function driver_names(conf,    label, names, sep) {
	names = ""
	sep = ""
	for (label in driver) {
		if (label ~ ("_" conf "$") && index(" " names " ", " " driver[label] " ") == 0) {
			names = names sep driver[label]
			sep = " "
		}
	}
	return names == "" ? "unknown" : names
}

# One tab-separated line per workload and setting, for bench/releases.sh:
# workload title, latency, ext, APDUs plugin, APDUs built-in, ms plugin, ms built-in.
function brief_row(wl, setting_pair, pk, bk) {
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", workload_title[wl], setting_pair[1], setting_pair[2],
		(pk in failed) ? "FAILED" : count_text(pk SUBSEP "apdus"),
		(bk in failed) ? "FAILED" : count_text(bk SUBSEP "apdus"),
		ms_text(pk SUBSEP "ns"), ms_text(bk SUBSEP "ns")
}

function table_row(wl, setting_pair, pk, bk) {
	printf "| %s | %s ms | %s | %s%s | %s%s | %s | %s / %s | %s / %s | %s / %s | %s | %s | %s |\n",
		workload_title[wl], setting_pair[1], setting_pair[2],
		count_text(pk SUBSEP "apdus"), (pk in failed) ? " FAILED" : "",
		count_text(bk SUBSEP "apdus"), (bk in failed) ? " FAILED" : "",
		ratio_text(median(pk SUBSEP "apdus"), median(bk SUBSEP "apdus")),
		count_text(pk SUBSEP "in"), count_text(bk SUBSEP "in"),
		count_text(pk SUBSEP "out"), count_text(bk SUBSEP "out"),
		count_text(pk SUBSEP "resets"), count_text(bk SUBSEP "resets"),
		ms_text(pk SUBSEP "ns"), ms_text(bk SUBSEP "ns"),
		ratio_text(median(pk SUBSEP "ns"), median(bk SUBSEP "ns"))
}

END {
	if (mode == "check") {
		plugin_driver = driver_names("plugin")
		if (plugin_driver != expected_driver) {
			print "NOT MET: with the plugin listed first the card was bound by driver '" plugin_driver "', not '" expected_driver "'"
			misses++
		}
		report_targets("check")
		if (failures) {
			print "FAILED:  " failures " workload run(s) failed"
			misses++
		}
		exit misses ? 1 : 0
	}

	if (mode != "brief") {
		print "| workload | latency | ext. length | APDUs plugin | APDUs built-in | APDU ratio | bytes to card plugin / built-in | bytes from card plugin / built-in | resets plugin / built-in | median ms plugin | median ms built-in | time ratio |"
		print "|---|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	}
	for (w = 1; w <= 4; w++) {
		wl = workload_order[w]
		for (s = 1; s <= setting_count; s++) {
			split(settings[s], setting_pair, SUBSEP)
			pk = wl SUBSEP settings[s] SUBSEP "plugin"
			bk = wl SUBSEP settings[s] SUBSEP "builtin"
			if (count[pk SUBSEP "apdus"] == 0 && count[bk SUBSEP "apdus"] == 0 && !(pk in failed) && !(bk in failed)) continue
			if (mode == "brief")
				brief_row(wl, setting_pair, pk, bk)
			else
				table_row(wl, setting_pair, pk, bk)
		}
	}
	if (mode == "brief") exit 0
	print ""
	print "Card drivers that bound the card: plugin configuration `" driver_names("plugin") "`, stock configuration `" driver_names("builtin") "`."
	print ""
	print "Targets (issue #6):"
	print ""
	report_targets("table")
	if (failures) {
		print ""
		print "**" failures " workload run(s) failed** and are left out of the figures."
	}
}
