#!/bin/sh
# Issue #7, TLS client authentication: Debian's unmodified gnutls-cli takes its
# client certificate and key from the card through p11-kit (pkcs11: URLs) and
# logs in to an `openssl s_server` that requires a certificate issued by the
# identity's authentication CA.
#
# The client finds the card the way a user with more than one card must: by the
# token's serial number in the pkcs11: URL. The plugin gives each card a serial of
# its own (its authentication certificate's serial number); OpenSC's built-in
# driver calls every card 00000000. So with the built-in driver the scenario
# stops at [token], the step only the plugin passes, and the outer run requires
# the negative control to fail exactly there.
#
# Steps (inside the card's namespace):
#   extensions the test identity's authentication certificate has key usage
#             digitalSignature and extended key usage clientAuth
#   token     p11tool (p11-kit, Debian's opensc-pkcs11.module) lists a token
#             whose serial is the authentication certificate's serial
#   server    s_server on a free loopback port, client certificates verified
#             against jpki/000B
#   tls-card  gnutls-cli with the card's certificate and key: accepted, the
#             server names the card's subject, data goes both ways
#   refused   gnutls-cli without a certificate, and with a certificate from
#             another CA: refused, no data exchanged, no PIN try spent
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

clients_start "$here/e2e-tls.sh" token "${1:-}"
clients_require gnutls-cli p11tool openssl

auth_pin=$(clients_value "$JPKI_IDENTITY/pins" auth)
auth_serial=$(clients_value "$JPKI_IDENTITY/facts" auth_serial)
[ -n "$auth_pin" ] && [ -n "$auth_serial" ] || clients_fail prerequisites "identity lacks the auth PIN or auth_serial"

# --- extensions ----------------------------------------------------------------
# What TLS stacks check in a client certificate, as real cards' certificates
# carry it: key usage digitalSignature, extended key usage clientAuth.
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -noout -ext keyUsage,extendedKeyUsage \
	>"$clients_tmp/auth-ext" 2>&1 || clients_fail extensions "cannot read the authentication certificate's extensions"
grep -q 'Digital Signature' "$clients_tmp/auth-ext" && grep -q 'TLS Web Client Authentication' "$clients_tmp/auth-ext" ||
	clients_fail extensions "the authentication certificate lacks digitalSignature or clientAuth: $(tr '\n' ' ' <"$clients_tmp/auth-ext")"

# --- token ---------------------------------------------------------------------
# p11-kit skips per-user module files for root, so what is used here is the
# system-wide file: Debian's opensc-pkcs11.module (package opensc-pkcs11), or
# opensc.module as OpenSC's own make install writes it; doc/clients.md tells
# users the same.
p11kit_module=$(grep -l '^module: *opensc-pkcs11.so' /usr/share/p11-kit/modules/*.module 2>/dev/null | head -n 1)
[ -n "$p11kit_module" ] ||
	clients_fail prerequisites "no /usr/share/p11-kit/modules/*.module loads opensc-pkcs11.so (Debian: package opensc-pkcs11; from source: OpenSC's make install)"

# The serial PKCS#11 shows: OpenSC keeps the last 16 characters of a longer
# PKCS#15 serial (the token info field has 16), and the plugin's PKCS#15 serial is
# the authentication certificate's serial number in upper-case hex.
cert_serial=$(openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -noout -serial | sed 's/^serial=//')
[ "$cert_serial" = "$auth_serial" ] ||
	clients_fail prerequisites "facts say auth_serial=$auth_serial, the certificate says $cert_serial"

# The token of the authentication PIN, for this key pair.
clients_token_url "$auth_serial" "User Authentication PIN"
clients_note "token: $token_url"
# The key pair by its PKCS#15 ID (01, the authentication key; users' scripts
# rely on the IDs).
cert_url="$token_url;id=%01;type=cert"
key_url="$token_url;id=%01;type=private"

# --- server --------------------------------------------------------------------
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000B" -out "$clients_tmp/auth-ca.pem" ||
	clients_fail prerequisites "cannot read the authentication CA certificate"
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -out "$clients_tmp/auth.pem" ||
	clients_fail prerequisites "cannot read the authentication certificate"

# A server CA of the test's own, so the client can verify the server.
mkcert() { # name, subject, extensions, [issuer name]
	if [ -z "${4:-}" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "$2" \
			-keyout "$clients_tmp/$1.key" -out "$clients_tmp/$1.pem" \
			-addext "$3" -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
	else
		openssl req -newkey rsa:2048 -nodes -subj "$2" \
			-keyout "$clients_tmp/$1.key" -out "$clients_tmp/$1.csr" 2>/dev/null &&
		printf '%s\n' "$3" >"$clients_tmp/$1.ext" &&
		openssl x509 -req -days 2 -in "$clients_tmp/$1.csr" -CA "$clients_tmp/$4.pem" \
			-CAkey "$clients_tmp/$4.key" -CAcreateserial -extfile "$clients_tmp/$1.ext" \
			-out "$clients_tmp/$1.pem" 2>/dev/null
	fi
}
mkcert server-ca '/CN=opensc-jpki test server CA' 'basicConstraints=critical,CA:true' &&
mkcert server '/CN=127.0.0.1' 'subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature,keyEncipherment' server-ca ||
	clients_fail server "cannot make the server certificate"
# A client certificate the server must not accept: right shape, wrong CA.
mkcert other-ca '/CN=not the JPKI CA' 'basicConstraints=critical,CA:true' &&
mkcert other '/C=JP/CN=someone else' 'extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature' other-ca ||
	clients_fail server "cannot make the foreign client certificate"

# The server's output is opened for appending, so that emptying it between
# connections (": >file") does not leave s_server writing at its old offset.
# s_server -rev answers every line reversed: the client gets data back only
# through an accepted connection. -verify_return_error makes a missing or foreign
# client certificate fatal; -Verify requires one.
server_pid=""
attempt=0
while [ -z "$server_pid" ]; do
	attempt=$((attempt + 1))
	[ "$attempt" -le 5 ] || clients_fail server "s_server did not start: $(cat "$clients_tmp/server.err")"
	port=$(clients_random_port)
	openssl s_server -accept "127.0.0.1:$port" -rev \
		-cert "$clients_tmp/server.pem" -key "$clients_tmp/server.key" \
		-Verify 2 -verify_return_error -verifyCAfile "$clients_tmp/auth-ca.pem" \
		</dev/null >>"$clients_tmp/server.out" 2>>"$clients_tmp/server.err" &
	pid=$!
	clients_track_pid "$pid"
	if clients_wait_for "$clients_tmp/server.out" '^ACCEPT' 10 "$pid"; then
		server_pid=$pid
	fi
done
clients_note "server: s_server pid $server_pid on 127.0.0.1:$port"

# Connects once; $1 = what the client presents: card | none | other.
connect() { # who, message
	case "$1" in
		card) creds="--x509certfile=$cert_url --x509keyfile=$key_url" ;;
		none) creds="" ;;
		other) creds="--x509certfile=$clients_tmp/other.pem --x509keyfile=$clients_tmp/other.key" ;;
	esac
	# GNUTLS_PIN answers gnutls-cli's PIN callback: the PIN stays out of argv.
	# TLS 1.3 signs CertificateVerify with RSA-PSS only, which the card cannot
	# do (it pads PKCS#1 v1.5 itself; no raw RSA), and gnutls-cli does not fall
	# back on its own: it completes TLS 1.3 without sending the certificate. So
	# the client offers TLS 1.2 at most - as a user of this card must.
	# stdin: one line, then a pause so the answer can arrive before EOF closes.
	# shellcheck disable=SC2086
	{ printf '%s\n' "$2"; sleep 3; } |
		GNUTLS_PIN=$auth_pin timeout 60 gnutls-cli --x509cafile="$clients_tmp/server-ca.pem" \
			--priority=NORMAL:-VERS-TLS1.3 $creds -p "$port" 127.0.0.1
}
# What s_server -rev sends back for a line (rev(1) is not in every base system).
reverse() {
	printf '%s\n' "$1" | awk '{ r = ""; for (i = length($0); i > 0; i--) r = r substr($0, i, 1); print r }'
}

# --- tls-card ------------------------------------------------------------------
nonce=card-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
: >"$clients_tmp/server.err"
rc=0
connect card "$nonce" >"$clients_tmp/card.out" 2>"$clients_tmp/card.err" || rc=$?
[ "$rc" -eq 0 ] || clients_fail tls-card "gnutls-cli exited $rc: $(tail -n 5 "$clients_tmp/card.err")"
grep -qx "$(reverse "$nonce")" "$clients_tmp/card.out" ||
	clients_fail tls-card "no answer from the server: $(tail -n 5 "$clients_tmp/card.out")"
clients_wait_for "$clients_tmp/server.err" '^CONNECTION CLOSED' 10 "$server_pid" ||
	clients_fail tls-card "the server did not finish the connection"
seen_subject=$(sed -n 's/^Peer certificate: //p' "$clients_tmp/server.err" | tail -n 1)
# s_server prints the subject in its default one-line form; compare it with the
# same form of the certificate read from the identity.
want_subject=$(openssl x509 -in "$clients_tmp/auth.pem" -noout -subject | sed 's/^subject= *//')
[ "$seen_subject" = "$want_subject" ] ||
	clients_fail tls-card "the server saw '$seen_subject', the card's subject is '$want_subject'"
grep -aq '^Verification: OK' "$clients_tmp/server.err" ||
	clients_fail tls-card "the server did not verify the client certificate"
[ "$(clients_tries auth)" = 3 ] || clients_fail tls-card "tries_auth is $(clients_tries auth) after a good PIN"
protocol=$(sed -n 's/^Protocol version: //p' "$clients_tmp/server.err" | tail -n 1)
sigtype=$(sed -n 's/^Signature type: //p' "$clients_tmp/server.err" | tail -n 1)
clients_note "tls-card: accepted ($protocol, client signature $sigtype), server saw subject $seen_subject"

# --- refused -------------------------------------------------------------------
for who in none other; do
	case "$who" in
		none) why='peer did not return a certificate' ;;
		other) why='unable to get local issuer certificate' ;;
	esac
	nonce=$who-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	: >"$clients_tmp/server.err"
	rc=0
	connect "$who" "$nonce" >"$clients_tmp/$who.out" 2>"$clients_tmp/$who.err" || rc=$?
	! grep -q "$(reverse "$nonce")" "$clients_tmp/$who.out" ||
		clients_fail refused "the server answered a client with $who certificate"
	clients_wait_for "$clients_tmp/server.err" '^CONNECTION (CLOSED|FAILURE)' 10 "$server_pid" ||
		clients_fail refused "the server did not finish the connection from a client with $who certificate"
	grep -aq '^CONNECTION FAILURE' "$clients_tmp/server.err" &&
	! grep -aq '^CONNECTION ESTABLISHED' "$clients_tmp/server.err" ||
		clients_fail refused "the server did not refuse a client with $who certificate"
	grep -aq "$why" "$clients_tmp/server.err" ||
		clients_fail refused "the server refused $who for another reason than '$why': $(tail -n 5 "$clients_tmp/server.err")"
	[ "$rc" -ne 0 ] || clients_fail refused "gnutls-cli with $who certificate exited 0"
	clients_note "refused: client with $who certificate: $why (gnutls-cli exit $rc)"
done
[ "$(clients_tries auth)" = 3 ] || clients_fail refused "tries_auth is $(clients_tries auth)"

kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
clients_pids=""
clients_note "PASS tls"
