#!/usr/bin/python3
"""A PKCS#11 client driven one step at a time (tests/shared, issues 10 and 11).

    p11step.py --module PATH --key HEXID [--token LABEL-PART]

Loads the PKCS#11 module (the stock opensc-pkcs11.so), opens one read-write
session on the token that holds key HEXID, prints one line

    ok ready slot=N token=LABEL

and then reads commands from stdin, one per line, answering each with exactly
one line on stdout: "ok [detail]" or "err NAME [detail]", NAME being the
PKCS#11 return value's name (CKR_PIN_INCORRECT), never its number. Between two
commands the session stays open and the module holds no card transaction, so a
shell test can let another process use the card between the steps.

Commands:
    login PIN                     C_Login(CKU_USER)
    context-login PIN             C_Login(CKU_CONTEXT_SPECIFIC)
    logout                        C_Logout
    setpin OLD NEW                C_SetPIN
    sign KEYID MESSAGEFILE OUTFILE
                                  C_SignInit(CKM_SHA256_RSA_PKCS, private key
                                  KEYID) + C_Sign over the file's bytes; the
                                  signature goes to OUTFILE ("ok BYTES")
    sign-init KEYID [raw]         C_SignInit only (for a context login in between);
                                  with "raw" the mechanism is CKM_RSA_PKCS (as
                                  sign-raw), else CKM_SHA256_RSA_PKCS
    sign-final MESSAGEFILE OUTFILE
                                  C_Sign only, for the operation sign-init began
    tokens                        the slots with a token: "ok N:LABEL|N:LABEL"
    sign-raw KEYID MESSAGEFILE OUTFILE
                                  C_SignInit(CKM_RSA_PKCS, private key KEYID)
                                  + C_Sign over the file's bytes as they are
                                  (no hashing, no DigestInfo): "ok BYTES"
    random N                      C_GenerateRandom of N bytes: "ok N"
    token-info                    C_GetTokenInfo of the current session's
                                  token: "ok FLAG,FLAG,..." (CKF_ names)
    session-state                 C_GetSessionInfo: "ok CKS_..." (the state)
    read-data OUTFILE LABEL...    the data object (CKO_DATA) whose CKA_LABEL
                                  is LABEL (the rest of the line, words joined
                                  by one space): C_GetAttributeValue(CKA_VALUE)
                                  into OUTFILE, "ok BYTES"; the value is never
                                  echoed; "err NOOBJECT" when not visible
    open NAME LABEL-PART...       one more session in this process, on the
                                  token whose label contains LABEL-PART (the
                                  rest of the line): it becomes the current
                                  session ("ok slot=N token=LABEL")
    use NAME                      makes session NAME current ("main" is the
                                  one opened at start)
    quit                          "ok bye", closes the sessions and exits

Every command but tokens, open and use acts on the current session.

The PIN is never echoed. A key KEYID that cannot be found (the private key is
not visible, for instance before C_Login) answers "err NOKEY".

How the token is chosen: the token where an object (private key, public key or
certificate) with CKA_ID = HEXID is visible before login; when none is (the
signature token shows nothing before login), the token whose label contains
--token, or for the JPKI IDs 01 and 02 "User Authentication PIN" and
"Digital Signature PIN" (the PIN labels OpenSC puts into the token labels).
"""

import sys

try:
    import PyKCS11

except ImportError as exc:  # python3-pykcs11 (scripts/packages-extra.txt)
    sys.stdout.write("err NOPYKCS11 %s\n" % exc)
    sys.exit(2)

CKR = PyKCS11.CKR
LABELS = {"01": "User Authentication PIN", "02": "Digital Signature PIN"}


def ckr_name(value):
    name = CKR.get(value)
    if isinstance(name, str):
        return name
    return "CKR_0x%08X" % value


class Failure(Exception):
    def __init__(self, name, detail=""):
        Exception.__init__(self, name)
        self.name = name
        self.detail = detail


def check(rv):
    if rv != PyKCS11.CKR_OK:
        raise Failure(ckr_name(rv))


def parse_args(argv):
    module = key = token = None
    i = 1
    while i < len(argv):
        if argv[i] in ("--module", "--key", "--token") and i + 1 < len(argv):
            if argv[i] == "--module":
                module = argv[i + 1]
            elif argv[i] == "--key":
                key = argv[i + 1].lower()
            else:
                token = argv[i + 1]
            i += 2
        else:
            sys.stdout.write("err USAGE unknown argument %s\n" % argv[i])
            sys.exit(2)
    if not module or not key:
        sys.stdout.write("err USAGE p11step.py --module PATH --key HEXID [--token LABEL-PART]\n")
        sys.exit(2)
    return module, key, token


class Client:
    def __init__(self, module, key, token):
        self.pkcs11 = PyKCS11.PyKCS11Lib()
        self.pkcs11.load(module)
        self.session = None
        self.slot = None
        self.label = None
        self.sign_mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS, None)
        self.raw_mech = PyKCS11.Mechanism(PyKCS11.CKM_RSA_PKCS, None)
        self.open(key, token)
        # name -> (session, slot, label); the current one is in self.session
        self.sessions = {"main": (self.session, self.slot, self.label)}

    def slots(self):
        result = []
        for slot in self.pkcs11.getSlotList(tokenPresent=True):
            label = self.pkcs11.getTokenInfo(slot).label.strip()
            result.append((slot, label))
        return result

    def has_id(self, session, key):
        want = bytes.fromhex(key)
        for cls in (PyKCS11.CKO_PRIVATE_KEY, PyKCS11.CKO_PUBLIC_KEY, PyKCS11.CKO_CERTIFICATE):
            found = session.findObjects([(PyKCS11.CKA_CLASS, cls), (PyKCS11.CKA_ID, want)])
            if found:
                return True
        return False

    def open(self, key, token):
        flags = PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION
        slots = self.slots()
        by_object = []
        for slot, label in slots:
            probe = self.pkcs11.openSession(slot, flags)
            try:
                if self.has_id(probe, key):
                    by_object.append((slot, label))
            finally:
                probe.closeSession()
        wanted = token or LABELS.get(key)
        if token:
            chosen = [s for s in slots if token in s[1]]
        elif len(by_object) == 1:
            chosen = by_object
        elif wanted:
            chosen = [s for s in slots if wanted in s[1]]
        else:
            chosen = by_object
        if len(chosen) != 1:
            raise Failure("NOTOKEN", "key %s: %d candidate tokens among %s" % (
                key, len(chosen), ", ".join("%d:%s" % s for s in slots)))
        self.slot, self.label = chosen[0]
        self.session = self.pkcs11.openSession(self.slot, flags)

    # -- helpers ---------------------------------------------------------------
    def private_key(self, key):
        try:
            want = bytes.fromhex(key)
        except ValueError:
            raise Failure("USAGE", "bad key id %r" % key)
        found = self.session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, want)])
        if not found:
            raise Failure("NOKEY", "no private key with ID %s visible" % key)
        return found[0]

    def open_more(self, name, part):
        chosen = [s for s in self.slots() if part in s[1]]
        if len(chosen) != 1:
            raise Failure("NOTOKEN", "'%s': %d candidate tokens among %s" % (
                part, len(chosen), ", ".join("%d:%s" % s for s in self.slots())))
        slot, label = chosen[0]
        flags = PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION
        session = self.pkcs11.openSession(slot, flags)
        self.sessions[name] = (session, slot, label)
        self.session, self.slot, self.label = session, slot, label
        return "slot=%d token=%s" % (slot, label)

    def data_object(self, label):
        found = self.session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, label)])
        if not found:
            raise Failure("NOOBJECT", "no data object '%s' visible" % label)
        return found[0]

    def read_value(self, obj, out_file):
        lib = self.session.lib
        template = PyKCS11.LowLevel.ckattrlist(1)
        template[0].SetType(PyKCS11.CKA_VALUE)
        check(lib.C_GetAttributeValue(self.session.session, obj, template))  # the size
        check(lib.C_GetAttributeValue(self.session.session, obj, template))
        blob = bytes(template[0].GetBin())
        with open(out_file, "wb") as f:
            f.write(blob)
        return "%d" % len(blob)

    def c_sign(self, message_file, out_file):
        with open(message_file, "rb") as f:
            data = PyKCS11.ckbytelist(f.read())
        lib = self.session.lib
        signature = PyKCS11.ckbytelist()
        check(lib.C_Sign(self.session.session, data, signature))  # the size
        check(lib.C_Sign(self.session.session, data, signature))
        blob = bytes(signature)
        with open(out_file, "wb") as f:
            f.write(blob)
        return "%d" % len(blob)

    # -- commands ----------------------------------------------------------------
    def do(self, words):
        cmd, args = words[0], words[1:]
        lib = self.session.lib
        h = self.session.session
        if cmd == "login" and len(args) == 1:
            check(lib.C_Login(h, PyKCS11.CKU_USER, PyKCS11.ckbytelist(args[0])))
            return ""
        if cmd == "context-login" and len(args) == 1:
            check(lib.C_Login(h, PyKCS11.CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(args[0])))
            return ""
        if cmd == "logout" and not args:
            check(lib.C_Logout(h))
            return ""
        if cmd == "setpin" and len(args) == 2:
            check(lib.C_SetPIN(h, PyKCS11.ckbytelist(args[0]), PyKCS11.ckbytelist(args[1])))
            return ""
        if cmd == "sign" and len(args) == 3:
            key = self.private_key(args[0])
            check(lib.C_SignInit(h, self.sign_mech.to_native(), key))
            return self.c_sign(args[1], args[2])
        if cmd == "sign-init" and (len(args) == 1 or (len(args) == 2 and args[1] == "raw")):
            key = self.private_key(args[0])
            mech = self.raw_mech if len(args) == 2 else self.sign_mech
            check(lib.C_SignInit(h, mech.to_native(), key))
            return ""
        if cmd == "sign-final" and len(args) == 2:
            return self.c_sign(args[0], args[1])
        if cmd == "tokens" and not args:
            return "|".join("%d:%s" % s for s in self.slots())
        if cmd == "sign-raw" and len(args) == 3:
            key = self.private_key(args[0])
            check(lib.C_SignInit(h, self.raw_mech.to_native(), key))
            return self.c_sign(args[1], args[2])
        if cmd == "random" and len(args) == 1 and args[0].isdigit():
            buf = PyKCS11.ckbytelist([0] * int(args[0]))
            check(lib.C_GenerateRandom(h, buf))
            return "%d" % len(buf)
        if cmd == "token-info" and not args:
            info = self.pkcs11.getTokenInfo(self.slot)
            return ",".join(info.flags2text())
        if cmd == "session-state" and not args:
            state = self.session.getSessionInfo().state
            return PyKCS11.CKS.get(state, "CKS_0x%X" % state)
        if cmd == "read-data" and len(args) >= 2:
            return self.read_value(self.data_object(" ".join(args[1:])), args[0])
        if cmd == "open" and len(args) >= 2:
            if args[0] in self.sessions:
                raise Failure("USAGE", "session %s is open already" % args[0])
            return self.open_more(args[0], " ".join(args[1:]))
        if cmd == "use" and len(args) == 1:
            if args[0] not in self.sessions:
                raise Failure("USAGE", "no session %s" % args[0])
            self.session, self.slot, self.label = self.sessions[args[0]]
            return ""
        raise Failure("USAGE", "unknown command or wrong arguments: %s" % cmd)


def reply(line):
    sys.stdout.write(line.rstrip() + "\n")
    sys.stdout.flush()


def main():
    module, key, token = parse_args(sys.argv)
    try:
        client = Client(module, key, token)
    except Failure as f:
        reply("err %s %s" % (f.name, f.detail))
        return 1
    except PyKCS11.PyKCS11Error as e:
        reply("err %s" % ckr_name(e.value))
        return 1
    reply("ok ready slot=%d token=%s" % (client.slot, client.label))
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            for session, _, _ in client.sessions.values():
                try:
                    session.closeSession()
                except PyKCS11.PyKCS11Error:
                    pass
            reply("ok bye")
            return 0
        try:
            detail = client.do(words)
            reply("ok %s" % detail)
        except Failure as f:
            reply("err %s %s" % (f.name, f.detail))
        except PyKCS11.PyKCS11Error as e:
            reply("err %s" % ckr_name(e.value))
        except OSError as e:
            reply("err OSERROR %s" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
