/*
 * opensc-jpki: the names the PKCS#15 emulator gives the card's objects, which
 * PKCS#11 applications show and users type (an NSS nickname is
 * "TOKEN:CERTIFICATE"). The emulator labels its objects with them and
 * opensc-jpki-config prints them in the commands it suggests, so both say the
 * same thing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_LABELS_H
#define JPKI_LABELS_H

#define JPKI_LABEL_TOKEN     "JPKI"
#define JPKI_LABEL_AUTH_PIN  "User Authentication PIN"
#define JPKI_LABEL_SIGN_PIN  "Digital Signature PIN"
#define JPKI_LABEL_AUTH_CERT "User Authentication Certificate"
#define JPKI_LABEL_SIGN_CERT "Digital Signature Certificate"

#endif
