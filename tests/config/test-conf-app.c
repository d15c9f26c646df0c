/*
 * conf_app_token_name: the token name opensc-jpki-config prints in the pdfsig
 * command it suggests, for each OpenSC version spelling the project meets
 * (Debian's, upstream's pre-releases with and without '-') and for input it
 * must refuse. The e2e test (tests/clients/e2e-pdfsig.sh) checks the printed
 * name against the one NSS shows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conf-app.h"

static void lone_sign_token(void **state)
{
	(void)state;
	assert_string_equal(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "0.22.0"),
	                    "JPKI (Digital Signature PIN)");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "0.25.0-rc1"),
	                    "JPKI (Digital Signature PIN)");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "0.25.1"),
	                    "JPKI (Digital Signature PIN)");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "0.26.0"), "JPKI");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "0.27.0rc1"), "JPKI");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_AUTH, CONF_TOKENS_AUTH, "0.27.1"), "JPKI");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_AUTH, CONF_TOKENS_AUTH, "1.0.0"), "JPKI");
}

static void both_tokens(void **state)
{
	(void)state;
	assert_string_equal(conf_app_token_name(CONF_TOKENS_ALL, CONF_TOKENS_AUTH, "0.27.1"),
	                    "JPKI (User Authentication PIN)");
	assert_string_equal(conf_app_token_name(CONF_TOKENS_ALL, CONF_TOKENS_SIGN, "0.23.0"),
	                    "JPKI (Digital Signature PIN)");
}

static void refused(void **state)
{
	(void)state;
	assert_null(conf_app_token_name(CONF_TOKENS_AUTH, CONF_TOKENS_SIGN, "0.27.1"));
	assert_null(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_ALL, "0.27.1"));
	assert_null(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, ""));
	assert_null(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "git"));
	assert_null(conf_app_token_name(CONF_TOKENS_SIGN, CONF_TOKENS_SIGN, "0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lone_sign_token),
		cmocka_unit_test(both_tokens),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
