#!/usr/bin/python3
"""Looks for a virtual card's secrets in OpenSC debug logs (tests/shared, issue 11).

    logscan.py --identity DIR LOG...

DIR is the card's identity directory (sim/IDENTITY.md): its "facts" file has
the card-face values (my_number, name, address, birth, sex), its "pins" file
the PINs (auth, sign, text). Prints one line per finding,

    found KEY FORM LOG:LINE

never the value itself, and exits 1 when something was found, 0 when not, 2
on a usage error. With --expect KEY... the sense is reversed for those keys:
each must be found (a control that shows the search would see a leak); the
exit status is then 1 when one of them is not found, and the other keys are
not searched.

What counts as a finding, for a value V (its UTF-8 bytes):
  raw      V itself in the log text. Only for values of 6 bytes or more, and
           for the 12-digit My Number: a 4-digit PIN or the 1-digit sex would
           match timestamps, thread ids and addresses.
  hex      V as hexadecimal in the "hex stream": every hex dump of the log
           (OpenSC's sc_hex_dump lines "31 32 ... ascii", sc_dump_hex's
           "3132... 3334...", PKCS#11 attribute dumps "CKA_VALUE = 3132...")
           joined in order, so a value cut by a line break is still found.
  prefix   the first 12 bytes of V (values longer than that) raw and in the
           hex stream: OpenSC truncates attribute dumps to 32 bytes.
  Short values are searched only in a distinctive context, in the hex stream:
  the 4-digit PINs as the data of a VERIFY (00 20 00 80 04 PIN), the sex as
  its DF 25 TLV (DF 25 01 S) and as a whole PKCS#11 attribute value
  (CKA_VALUE = S), and the 4-digit PINs raw only as a whole word in the
  message of a line that mentions a PIN (not in the line's head, whose
  source line numbers are 4-digit numbers too).
"""

import re
import sys

FACT_KEYS = ("my_number", "name", "address", "birth", "sex")
PIN_KEYS = ("auth", "sign", "text")
HEX_DUMP_LINE = re.compile(r"^((?:[0-9A-F]{2} ){1,16})")
HEX_TOKEN = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")
# OpenSC's line head: "P:PID; T:0xTHREAD HH:MM:SS.mmm [app] file.c:LINE:function: "
LINE_HEAD = re.compile(r"^P:\d+; T:0x[0-9a-fA-F]+ [\d:.]+ \[[^\]]*\] [^:\s]+:\d+:[^:\s]+: ?")


def read_pairs(path, keys):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                key, value = line.split("=", 1)
                if key in keys and value:
                    values[key] = value
    return values


def hex_stream(text):
    """All hex bytes of the log's dumps, in order, as one upper-case string,
    with the line and the offset where each line's bytes begin."""
    parts = []
    starts = []  # (offset in the stream, line number)
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        m = HEX_DUMP_LINE.match(line)
        if m:
            chunk = m.group(1).replace(" ", "")
        else:
            chunk = "".join(t for t in re.split(r"[\s=:,()\[\]']+", line) if len(t) >= 2 and HEX_TOKEN.match(t))
        if chunk:
            starts.append((offset, number))
            parts.append(chunk.upper())
            offset += len(chunk)
    return "".join(parts), starts


def line_at(starts, pos):
    found = 0
    for offset, number in starts:
        if offset > pos:
            break
        found = number
    return found


def find_hex(stream, starts, needle_hex):
    """Line numbers where needle_hex starts in the stream (byte-aligned)."""
    lines = []
    pos = stream.find(needle_hex)
    while pos >= 0:
        if pos % 2 == 0:
            lines.append(line_at(starts, pos))
        pos = stream.find(needle_hex, pos + 1)
    return lines


def find_raw(text, needle):
    return [n for n, line in enumerate(text.split("\n"), 1) if needle in line]


def scan(path, secrets):
    """Yields (key, form, line) for each finding in one log."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    stream, starts = hex_stream(text)
    for key, value in secrets.items():
        data = value.encode("utf-8")
        hexv = data.hex().upper()
        if key == "sex":
            for form, needle in (("hex-DF25", "DF2501" + hexv),):
                for line in find_hex(stream, starts, needle):
                    yield key, form, line
            for n, line in enumerate(text.split("\n"), 1):
                if re.search(r"CKA_VALUE = %s\s*$" % hexv, line):
                    yield key, "attribute", n
            continue
        if len(value) == 4 and value.isdigit():  # a 4-digit PIN
            for line in find_hex(stream, starts, "0020008004" + hexv):
                yield key, "hex-VERIFY", line
            for n, line in enumerate(text.split("\n"), 1):
                message = LINE_HEAD.sub("", line)  # not the source line numbers
                if re.search(r"pin", line, re.I) and re.search(r"(?<![0-9A-Za-z])%s(?![0-9A-Za-z])" % value, message):
                    yield key, "raw-pin-line", n
            continue
        for line in find_raw(text, value):
            yield key, "raw", line
        for line in find_hex(stream, starts, hexv):
            yield key, "hex", line
        if len(data) > 12:
            prefix = data[:12]
            try:
                prefix_text = prefix.decode("utf-8")
            except UnicodeDecodeError:
                prefix_text = None
            if prefix_text:
                for line in find_raw(text, prefix_text):
                    yield key, "prefix-raw", line
            for line in find_hex(stream, starts, prefix.hex().upper()):
                yield key, "prefix-hex", line


def main(argv):
    identity = None
    expect = []
    logs = []
    i = 1
    while i < len(argv):
        if argv[i] == "--identity" and i + 1 < len(argv):
            identity = argv[i + 1]
            i += 2
        elif argv[i] == "--expect" and i + 1 < len(argv):
            expect.append(argv[i + 1])
            i += 2
        else:
            logs.append(argv[i])
            i += 1
    if not identity or not logs:
        sys.stderr.write("usage: logscan.py --identity DIR [--expect KEY]... LOG...\n")
        return 2
    secrets = {}
    try:
        for key, value in read_pairs(identity + "/facts", FACT_KEYS).items():
            secrets[key] = value
        for key, value in read_pairs(identity + "/pins", PIN_KEYS).items():
            secrets["pin_" + key] = value
    except OSError as e:
        sys.stderr.write("logscan.py: %s\n" % e)
        return 2
    missing = [k for k in FACT_KEYS if k not in secrets] + ["pin_" + k for k in PIN_KEYS if "pin_" + k not in secrets]
    if missing:
        sys.stderr.write("logscan.py: %s: no %s\n" % (identity, ", ".join(missing)))
        return 2
    unknown = [k for k in expect if k not in secrets]
    if unknown:
        sys.stderr.write("logscan.py: unknown key(s) %s\n" % ", ".join(unknown))
        return 2
    if expect:
        secrets = {k: secrets[k] for k in expect}
    seen = set()
    for path in logs:
        try:
            findings = list(scan(path, secrets))
        except OSError as e:
            sys.stderr.write("logscan.py: %s\n" % e)
            return 2
        for key, form, line in findings:
            seen.add(key)
            sys.stdout.write("found %s %s %s:%d\n" % (key, form, path, line))
    if expect:
        for key in expect:
            if key not in seen:
                sys.stdout.write("missing %s\n" % key)
        return 0 if all(k in seen for k in expect) else 1
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
