/*
 * opensc-jpki: the My Number Card's facts, in one place.
 *
 * The card driver and the PKCS#15 emulator take every AID, file ID, PIN rule and
 * status word from here. The virtual card (sim/) keeps its own copy on purpose,
 * so a wrong fact cannot hide by being wrong in both.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef JPKI_FACTS_H
#define JPKI_FACTS_H

#include <stddef.h>
#include <stdint.h>

/* Applications, selected with 00 A4 04 0C Lc AID (no FCI is returned). */
#define JPKI_AID_JPKI      { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 }
#define JPKI_AID_TEXT      { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 }
#define JPKI_AID_LEN       10

/* Elementary files of the JPKI AP, selected with 00 A4 02 0C 02 FID. */
#define JPKI_EF_SIGN_CERT      0x0001 /* signature certificate: signature PIN to read */
#define JPKI_EF_SIGN_CA_CERT   0x0002
#define JPKI_EF_TOKEN_INFO     0x0006
#define JPKI_EF_AUTH_CERT      0x000A
#define JPKI_EF_AUTH_CA_CERT   0x000B
#define JPKI_EF_AUTH_KEY       0x0017
#define JPKI_EF_AUTH_PIN       0x0018
#define JPKI_EF_SIGN_KEY       0x001A
#define JPKI_EF_SIGN_PIN       0x001B

/* Elementary files of the card-face input assistance ("text") AP. */
#define JPKI_TEXT_EF_MY_NUMBER   0x0001
#define JPKI_TEXT_EF_BASIC_INFO  0x0002
#define JPKI_TEXT_EF_INTEGRITY   0x0003
#define JPKI_TEXT_EF_PIN         0x0011

/* EF 0006 content, ASCII padded with spaces. The longer one must be tested first:
 * the old Juki card's value is a prefix of the My Number Card's. */
#define JPKI_TOKEN_MY_NUMBER_CARD "JPKIAPICCTOKEN2"
#define JPKI_TOKEN_JUKI_CARD      "JPKIAPICCTOKEN"

/* PIN references as OpenSC sees them; users' scripts rely on 1 and 2. */
enum jpki_pin_ref {
	JPKI_PIN_REF_AUTH = 1, /* 利用者証明用: exactly 4 digits, 3 tries */
	JPKI_PIN_REF_SIGN = 2, /* 署名用: 6-16 of A-Z 0-9, 5 tries */
	JPKI_PIN_REF_TEXT = 3, /* 券面事項入力補助: exactly 4 digits, 3 tries */
};

#define JPKI_AUTH_PIN_LEN       4
#define JPKI_AUTH_PIN_TRIES     3
#define JPKI_SIGN_PIN_MIN_LEN   6
#define JPKI_SIGN_PIN_MAX_LEN   16
#define JPKI_SIGN_PIN_TRIES     5
#define JPKI_TEXT_PIN_LEN       4
#define JPKI_TEXT_PIN_TRIES     3

/* Short APDUs carry at most this much per READ BINARY. */
#define JPKI_SHORT_LE_MAX 256

/* The applications the driver selects. JPKI_AP_NONE: nothing selected, or the
 * card's selection is unknown (after a reset). */
enum jpki_ap {
	JPKI_AP_NONE = 0,
	JPKI_AP_JPKI,
	JPKI_AP_TEXT,
};

/* Status words the driver treats specially. */
#define JPKI_SW_OK                 0x9000
#define JPKI_SW_END_OF_FILE        0x6282 /* fewer bytes than Le: the file ends here */
#define JPKI_SW_WRONG_LENGTH       0x6700 /* extended length refused: fall back to short */
#define JPKI_SW_SECURITY_STATUS    0x6982 /* PIN not verified */
#define JPKI_SW_PIN_BLOCKED        0x6983
#define JPKI_SW_PIN_BLOCKED_ALT    0x6984 /* cards differ on which of the two they send */
#define JPKI_SW_FILE_NOT_FOUND     0x6A82
#define JPKI_SW_OFFSET_PAST_END    0x6B00
#define JPKI_SW1_TRIES_LEFT        0x63   /* 63 Cx: x tries left */

/* VERIFY / CHANGE REFERENCE DATA / COMPUTE DIGITAL SIGNATURE parameters. */
#define JPKI_INS_SELECT            0xA4
#define JPKI_INS_READ_BINARY       0xB0
#define JPKI_INS_VERIFY            0x20
#define JPKI_INS_CHANGE_REF_DATA   0x24
#define JPKI_INS_SIGN              0x2A
#define JPKI_CLA_PROPRIETARY       0x80
#define JPKI_P1_SELECT_DF_NAME     0x04
#define JPKI_P1_SELECT_EF          0x02
#define JPKI_P2_SELECT_NO_FCI      0x0C
#define JPKI_P2_PIN                0x80
#define JPKI_P1_CHANGE_NEW_ONLY    0x01
#define JPKI_P1_SIGN               0x00
#define JPKI_P2_SIGN               0x80

/* READ BINARY offsets are 15 bits: P1's top bit would select a short file ID. */
#define JPKI_READ_OFFSET_MAX 0x7FFF

/* READ BINARY by short EF identifier, no SELECT first: P1 = 80 | SFI, P2 = an
 * 8-bit offset; the EF becomes the current one. On this card an EF's SFI is its
 * FID's low 5 bits (jsapdu reads whole files this way). Whether every card
 * accepts it is uncertain: a driver needs a SELECT fallback. */
#define JPKI_P1_READ_SFI     0x80
#define JPKI_SFI_MASK        0x1F

/* Longest PIN any rule accepts. */
#define JPKI_PIN_MAX_LEN JPKI_SIGN_PIN_MAX_LEN

#endif /* JPKI_FACTS_H */
