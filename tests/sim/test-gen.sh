#!/bin/sh
# Checks what jpki-sim-gen writes, with openssl(1) and plain shell tools only:
# certificate sizes and DER length forms, extensions, chains, key/cert pairs,
# the text AP files byte by byte (offsets, values, hashes, signature), PINs,
# facts, the My Number check digit, that two cards differ, --seed, and that the
# generator never writes into a non-empty directory.
set -u

builddir=${top_builddir:-.}
gen=$builddir/sim/jpki-sim-gen
failures=0
checks=0

ok() { checks=$((checks + 1)); echo "ok - $1"; }
not_ok() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL - $1"; }
check() { # check DESCRIPTION COMMAND...
	description=$1; shift
	if "$@" >/dev/null; then ok "$description"; else not_ok "$description"; fi
}
equal() { # equal DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}

[ -x "$gen" ] || { echo "FAIL - $gen not built"; exit 1; }
command -v openssl >/dev/null || { echo "FAIL - openssl(1) missing"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/test-gen.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
hex_of_string() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
fact() { sed -n "s/^$2=//p" "$1/facts"; }
pin() { sed -n "s/^$2=//p" "$1/pins"; }
sha256_hex() { openssl dgst -sha256 -r | cut -d' ' -f1; }
file_size() { wc -c < "$1" | tr -d ' '; }
bytes() { # bytes FILE OFFSET COUNT -> stdout
	tail -c +$(($2 + 1)) "$1" | head -c "$3"
}

# Walks BER-TLVs in a hex string (two-byte tags when the low five bits of the
# first are all ones; lengths in short, 81 or 82 form). Prints, per request,
# "TAG LEN VALUE_OFFSET" for the TLV at the given byte offset.
tlv_at() { # tlv_at FILE OFFSET
	hex "$1" | awk -v pos="$2" '
	function b(i) { return (index("0123456789abcdef", substr(h, 2*i+1, 1)) - 1) * 16 + \
	                       index("0123456789abcdef", substr(h, 2*i+2, 1)) - 1 }
	{ h = $0; n = length(h) / 2
	  p = pos; t = b(p); p++
	  if (t % 32 == 31) { t = t * 256 + b(p); p++ }
	  l = b(p); p++
	  if (l == 129) { l = b(p); p++ } else if (l == 130) { l = b(p) * 256 + b(p + 1); p += 2 } \
	  else if (l >= 128) { print "bad"; exit }
	  if (p + l > n) { print "overrun"; exit }
	  printf "%X %d %d\n", t, l, p }'
}
u16_at() { # u16_at FILE OFFSET: big-endian 16-bit value
	hex "$1" | awk -v pos="$2" '
	function d(c) { return index("0123456789abcdef", c) - 1 }
	{ v = 0; for (i = 0; i < 4; i++) v = v * 16 + d(substr($0, 2*pos + 1 + i, 1)); print v }'
}
# DER header: prints "FORM CONTENT_LENGTH HEADER_LENGTH" of the outer SEQUENCE.
der_header() {
	h=$(hex "$1" | cut -c1-8)
	case $h in
		3081*) echo "81 $(printf '%d' "0x$(echo "$h" | cut -c5-6)") 3" ;;
		3082*) echo "82 $(printf '%d' "0x$(echo "$h" | cut -c5-8)") 4" ;;
		*) echo "other 0 0" ;;
	esac
}
my_number_valid() { # the published check digit rule
	echo "$1" | awk '
	/^[0-9]{12}$/ || /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/ {
		split("6 5 4 3 2 7 6 5 4 3 2", w, " "); s = 0
		for (i = 1; i <= 11; i++) s += substr($0, i, 1) * w[i]
		r = s % 11; c = (r <= 1) ? 0 : 11 - r
		exit (c == substr($0, 12, 1)) ? 0 : 1 }
	{ exit 1 }'
}
era_of() { # era digit of YYYYMMDD, as the signature certificate writes it
	if [ "$1" -ge 20190501 ]; then echo 5; elif [ "$1" -ge 19890108 ]; then echo 4;
	elif [ "$1" -ge 19261225 ]; then echo 3; elif [ "$1" -ge 19120730 ]; then echo 2; else echo 1; fi
}
pem_cert() { openssl x509 -inform DER -in "$1"; }
spki_of_cert() { openssl x509 -inform DER -in "$1" -noout -pubkey; }
spki_of_key() { openssl pkey -in "$1" -pubout; }

# The check digit rule itself, on a published example and a broken copy of it.
check "check digit rule accepts 123456789018" my_number_valid 123456789018
check "check digit rule rejects 123456789017" eval '! my_number_valid 123456789017'

# ---- runs -------------------------------------------------------------------
"$gen" --out "$work/a" >"$work/a.log" 2>&1; equal "normal run exits 0" 0 $?
"$gen" --out "$work/b" >"$work/b.log" 2>&1; equal "second normal run exits 0" 0 $?
"$gen" --out "$work/s" --variant small >"$work/s.log" 2>&1; equal "small run exits 0" 0 $?
mkdir "$work/l"  # an existing empty directory is accepted
"$gen" --out "$work/l" --long-address --variant normal >"$work/l.log" 2>&1; equal "long-address run into an empty dir exits 0" 0 $?
for d in a b s l; do [ -f "$work/$d/facts" ] || { cat "$work/$d.log"; echo "FAIL - no identity in $d"; exit 1; }; done

check_identity() { # check_identity DIR VARIANT ADDRESS_FORM
	d=$1; variant=$2; form=$3
	for f in jpki/000A jpki/000B jpki/0001 jpki/0002 jpki/0006 keys/auth.pem keys/sign.pem \
	         keys/text-ap.pem ca/auth-ca.pem ca/sign-ca.pem text/0001 text/0002 text/0003 \
	         text/0004 text/0005 pins facts; do
		[ -s "$d/$f" ] || not_ok "$variant: $f missing or empty"
	done
	equal "$variant: keys and pins are private" "600 600 600 600 600 600" \
		"$(stat -c %a "$d/keys/auth.pem" "$d/keys/sign.pem" "$d/keys/text-ap.pem" "$d/ca/auth-ca.pem" "$d/ca/sign-ca.pem" "$d/pins" | tr '\n' ' ' | sed 's/ $//')"
	equal "$variant: token info is JPKIAPICCTOKEN2 padded to 20 bytes" \
		"$(hex_of_string 'JPKIAPICCTOKEN2     ')" "$(hex "$d/jpki/0006")"

	# -- certificates: length forms and sizes
	for f in 000A 000B 0001 0002; do
		set -- $(der_header "$d/jpki/$f")
		equal "$variant: jpki/$f DER length matches the file" "$(file_size "$d/jpki/$f")" $(($2 + $3))
		case "$variant:$f" in
			small:000A|small:000B) equal "$variant: jpki/$f uses the 30 81 form" 81 "$1" ;;
			*) equal "$variant: jpki/$f uses the 30 82 form" 82 "$1" ;;
		esac
	done
	for f in 0001 $( [ "$variant" = small ] || echo 000A); do
		size=$(file_size "$d/jpki/$f")
		check "$variant: jpki/$f is 1-2 KiB ($size bytes)" test "$size" -ge 1024 -a "$size" -le 2048
	done

	# -- chains, and a negative control: the other CA does not verify it
	pem_cert "$d/jpki/000B" >"$d.auth-ca.pem"; pem_cert "$d/jpki/0002" >"$d.sign-ca.pem"
	pem_cert "$d/jpki/000A" >"$d.auth.pem"; pem_cert "$d/jpki/0001" >"$d.sign.pem"
	check "$variant: auth cert verifies against auth CA" openssl verify -CAfile "$d.auth-ca.pem" "$d.auth.pem"
	check "$variant: sign cert verifies against sign CA" openssl verify -CAfile "$d.sign-ca.pem" "$d.sign.pem"
	check "$variant: auth cert does not verify against sign CA" eval "! openssl verify -CAfile '$d.sign-ca.pem' '$d.auth.pem' >/dev/null 2>&1"

	# -- keys match certificates, and sign
	for pair in "keys/auth.pem jpki/000A" "keys/sign.pem jpki/0001" "ca/auth-ca.pem jpki/000B" "ca/sign-ca.pem jpki/0002"; do
		set -- $pair
		equal "$variant: $1 is the key of $2" "$(spki_of_cert "$d/$2")" "$(spki_of_key "$d/$1")"
	done
	printf 'data to sign' >"$d.msg"
	for pair in "keys/auth.pem $d.auth.pem" "keys/sign.pem $d.sign.pem"; do
		set -- $pair
		openssl dgst -sha256 -sign "$d/$1" -out "$d.sig" "$d.msg" &&
			openssl x509 -in "$2" -noout -pubkey >"$d.pub" &&
			check "$variant: $1 signs, the certificate's key verifies" openssl dgst -sha256 -verify "$d.pub" -signature "$d.sig" "$d.msg"
	done

	# -- extensions
	auth_ext=$(openssl x509 -in "$d.auth.pem" -noout -text)
	sign_ext=$(openssl x509 -in "$d.sign.pem" -noout -text)
	if [ "$variant" = small ]; then
		equal "small: auth key is RSA-512" "Public-Key: (512 bit)" "$(echo "$auth_ext" | grep -o 'Public-Key: ([0-9]* bit)')"
	else
		equal "$variant: auth key is RSA-2048" "Public-Key: (2048 bit)" "$(echo "$auth_ext" | grep -o 'Public-Key: ([0-9]* bit)')"
		equal "$variant: auth keyUsage critical digitalSignature only" "critical|Digital Signature" \
			"$(openssl x509 -in "$d.auth.pem" -noout -ext keyUsage | sed -n '1s/.*: //p;2s/^ *//p' | tr '\n' '|' | sed 's/|$//')"
		check "$variant: auth EKU clientAuth" eval "echo \"\$auth_ext\" | grep -A1 'Extended Key Usage' | grep -q 'TLS Web Client Authentication'"
		check "$variant: auth certificatePolicies" eval "echo \"\$auth_ext\" | grep -q 'Policy: 1.2.392.200149.8.5.1.3.30'"
		check "$variant: auth SKI and AKI" eval "echo \"\$auth_ext\" | grep -q 'Subject Key Identifier' && echo \"\$auth_ext\" | grep -q 'Authority Key Identifier'"
		check "$variant: auth CRL distribution point URL" eval "echo \"\$auth_ext\" | grep -q 'URI:http://jpki-test.invalid/crl/auth/'"
		check "$variant: auth subject has no personal data" eval "! echo \"\$auth_ext\" | grep -q 'Subject Alternative Name'"
	fi
	equal "$variant: sign keyUsage critical digitalSignature+nonRepudiation" "critical|Digital Signature, Non Repudiation" \
		"$(openssl x509 -in "$d.sign.pem" -noout -ext keyUsage | sed -n '1s/.*: //p;2s/^ *//p' | tr '\n' '|' | sed 's/|$//')"
	san=$(openssl x509 -in "$d.sign.pem" -noout -ext subjectAltName | tail -n +2)
	birth=$(fact "$d" birth)
	for entry in "1.2.392.200149.8.5.5.1::$(fact "$d" name)" \
	             "1.2.392.200149.8.5.5.4::$(era_of "$birth")$birth" \
	             "1.2.392.200149.8.5.5.3::$(fact "$d" sex)" \
	             "1.2.392.200149.8.5.5.5::$(fact "$d" address)"; do
		# OpenSSL 3.0 prints OID::value, 3.5 OID:value
		check "$variant: SAN otherName ${entry%%::*} = facts" eval "echo \"\$san\" | tr ',' '\n' | sed 's/^ *othername: //; s/^\([0-9.]*\)::*/\1::/' | grep -qxF \"\$entry\""
	done

	# -- facts and PINs
	my_number=$(fact "$d" my_number)
	check "$variant: my_number has a valid check digit" my_number_valid "$my_number"
	check "$variant: birth is a YYYYMMDD date" eval "date -d '$birth' +%Y%m%d 2>/dev/null | grep -qx '$birth'"
	check "$variant: sex is 1, 2 or 9" eval "fact '$d' sex | grep -qx '[129]'"
	equal "$variant: variant in facts" "$variant" "$(fact "$d" variant)"
	equal "$variant: auth_serial is the certificate's serial" \
		"$(openssl x509 -in "$d.auth.pem" -noout -serial | sed 's/^serial=//')" "$(fact "$d" auth_serial)"
	check "$variant: auth_serial is 8-16 bytes, upper-case, no 00 sign byte" \
		eval "fact '$d' auth_serial | grep -qxE '([0-9A-F]{2}){8,16}' && ! fact '$d' auth_serial | grep -q '^00'"
	check "$variant: auth PIN is 4 digits" eval "pin '$d' auth | grep -qxE '[0-9]{4}'"
	check "$variant: sign PIN is 6-16 of A-Z0-9 with a letter" eval "pin '$d' sign | grep -qxE '[A-Z0-9]{6,16}' && pin '$d' sign | grep -q '[A-Z]'"
	check "$variant: text PIN is 4 digits" eval "pin '$d' text | grep -qxE '[0-9]{4}'"

	# -- text AP EF 0001
	equal "$variant: text/0001 is 17 bytes" 17 "$(file_size "$d/text/0001")"
	equal "$variant: text/0001 = FF 10 0C + My Number + 2 bytes" "ff100c$(hex_of_string "$my_number")" "$(hex "$d/text/0001" | cut -c1-30)"

	# -- text AP EF 0002: outer TLV, offsets, each field against facts
	ef2=$d/text/0002
	set -- $(tlv_at "$ef2" 0)
	equal "$variant: text/0002 outer tag" FF20 "$1"
	equal "$variant: text/0002 outer TLV ends at the end of the file" "$(file_size "$ef2")" $(($2 + $3))
	equal "$variant: text/0002 outer length form" "$form" "$(hex "$ef2" | cut -c5-6)"
	set -- $(tlv_at "$ef2" "$3")
	equal "$variant: DF 21 first, 8 bytes of offsets" "DF21 8" "$1 $2"
	offsets_at=$3
	first_offset=$(u16_at "$ef2" "$offsets_at")
	equal "$variant: first offset right after DF 21" $((offsets_at + 8)) "$first_offset"
	i=0; next=$first_offset
	for field in "DF22 name" "DF23 address" "DF24 birth" "DF25 sex"; do
		set -- $field
		offset=$(u16_at "$ef2" $((offsets_at + 2 * i)))
		equal "$variant: offset $i points right after the previous field" "$next" "$offset"
		set -- $(tlv_at "$ef2" "$offset") "$2"
		equal "$variant: field at offset $i is $4's tag" "$(echo "$field" | cut -d' ' -f1)" "$1"
		equal "$variant: $4 in text/0002 = facts" "$(hex_of_string "$(fact "$d" "$4")")" "$(bytes "$ef2" "$3" "$2" | od -An -v -tx1 | tr -d ' \n')"
		next=$(($3 + $2)); i=$((i + 1))
	done
	equal "$variant: last field ends the file" "$(file_size "$ef2")" "$next"

	# -- text AP EF 0003: hashes recomputed, signature verified
	ef3=$d/text/0003
	equal "$variant: text/0003 is 336 bytes" 336 "$(file_size "$ef3")"
	set -- $(tlv_at "$ef3" 0); equal "$variant: text/0003 outer" "FF30 331" "$1 $2"
	set -- $(tlv_at "$ef3" "$3"); equal "$variant: DF 31 is 32 bytes" "DF31 32" "$1 $2"; df31_at=$3
	equal "$variant: DF 31 = SHA-256 of EF 0001's TLV" "$(head -c 15 "$d/text/0001" | sha256_hex)" "$(bytes "$ef3" "$df31_at" 32 | od -An -v -tx1 | tr -d ' \n')"
	set -- $(tlv_at "$ef3" $((df31_at + 32))); equal "$variant: DF 32 is 32 bytes" "DF32 32" "$1 $2"; df32_at=$3
	equal "$variant: DF 32 = SHA-256 of EF 0002 from the first offset" "$(tail -c +$((first_offset + 1)) "$ef2" | sha256_hex)" "$(bytes "$ef3" "$df32_at" 32 | od -An -v -tx1 | tr -d ' \n')"
	set -- $(tlv_at "$ef3" $((df32_at + 32))); equal "$variant: DF 33 is 256 bytes" "DF33 256" "$1 $2"
	bytes "$ef3" "$3" 256 >"$d.df33"
	{ bytes "$ef3" "$df31_at" 32; bytes "$ef3" "$df32_at" 32; } >"$d.hashes"
	openssl pkey -in "$d/keys/text-ap.pem" -pubout >"$d.text.pub"
	check "$variant: DF 33 verifies over DF 31 || DF 32" openssl dgst -sha256 -verify "$d.text.pub" -signature "$d.df33" "$d.hashes"

	# -- EF 0004, 0005
	set -- $(tlv_at "$d/text/0004" 0)
	equal "$variant: text/0004 is one 7F 21 TLV" "7F21 $(file_size "$d/text/0004")" "$1 $(($2 + $3))"
	set -- $(tlv_at "$d/text/0004" "$3")
	equal "$variant: text/0004 body first" 5F4E "$1"
	set -- $(tlv_at "$d/text/0004" $(($2 + $3)))
	equal "$variant: text/0004 signature second" "5F37 256" "$1 $2"
	equal "$variant: text/0005 bytes" "ff4012df410401010000df4208$(hex_of_string JPKITEST)" "$(hex "$d/text/0005")"
}

check_identity "$work/a" normal 81
check_identity "$work/s" small 81
check_identity "$work/l" normal 82

# The long address: its own TLV needs the 81 form too. EF 0002 starts
# FF 20 82 xx xx DF 21 08, so DF 23's offset is the second one, at byte 10.
address_at=$(u16_at "$work/l/text/0002" 10)
set -- $(tlv_at "$work/l/text/0002" "$address_at")
check "long address: DF 23 is over 127 bytes" test "$1" = DF23 -a "$2" -gt 127
equal "long address: DF 23 uses the 81 form" df2381 "$(bytes "$work/l/text/0002" "$address_at" 3 | od -An -v -tx1 | tr -d ' \n')"

# ---- two cards differ; --seed repeats the card face -----------------------------
for f in my_number auth_serial sign_serial; do
	check "two runs differ in $f" test "$(fact "$work/a" $f)" != "$(fact "$work/b" $f)"
done
check "two runs differ in the auth certificate" eval "! cmp -s '$work/a/jpki/000A' '$work/b/jpki/000A'"
check "two runs differ in the auth key" eval "! cmp -s '$work/a/keys/auth.pem' '$work/b/keys/auth.pem'"
"$gen" --out "$work/seed1" --seed 42 >/dev/null 2>&1 && "$gen" --out "$work/seed2" --seed 42 >/dev/null 2>&1 &&
	"$gen" --out "$work/seed3" --seed 43 >/dev/null 2>&1
equal "--seed runs exit 0" 0 $?
strip_serials() { grep -v -e '^auth_serial=' -e '^sign_serial=' "$1/facts"; }
equal "--seed 42 twice: same card face" "$(strip_serials "$work/seed1")" "$(strip_serials "$work/seed2")"
check "--seed 42 twice: same PINs" cmp -s "$work/seed1/pins" "$work/seed2/pins"
check "--seed 42 twice: serials still differ" test "$(fact "$work/seed1" auth_serial)" != "$(fact "$work/seed2" auth_serial)"
check "--seed 42 and 43 differ" test "$(fact "$work/seed1" my_number)" != "$(fact "$work/seed3" my_number)"

# ---- never overwrite ----------------------------------------------------------
mkdir "$work/full"; printf 'keep me' >"$work/full/other"
"$gen" --out "$work/full" >"$work/full.log" 2>&1; status=$?
check "non-empty directory refused (exit $status)" test "$status" -ne 0
equal "non-empty directory left as it was" "other" "$(ls -A "$work/full")"
equal "its file untouched" "keep me" "$(cat "$work/full/other")"
check "refusal says why" grep -q 'not empty' "$work/full.log"
snapshot() { (cd "$1" && find . -type f | sort | xargs sha256sum); }
before=$(snapshot "$work/a")
"$gen" --out "$work/a" >/dev/null 2>&1; status=$?
check "existing identity refused (exit $status)" test "$status" -ne 0
equal "existing identity untouched" "$before" "$(snapshot "$work/a")"
printf 'x' >"$work/plainfile"
"$gen" --out "$work/plainfile" >/dev/null 2>&1; status=$?
check "a plain file as --out refused (exit $status)" test "$status" -ne 0
equal "the plain file untouched" x "$(cat "$work/plainfile")"
"$gen" --out "$work/bad" --variant tiny >/dev/null 2>&1; equal "unknown variant: usage error" 2 $?
check "unknown variant: nothing created" test ! -e "$work/bad"
"$gen" >/dev/null 2>&1; equal "no --out: usage error" 2 $?

echo "# $checks checks, $failures failed"
[ "$failures" -eq 0 ]
