/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP for the libpgenc unit tests: each test function is one
 * "ok N - name" / "not ok N - name" line; failed checks print "# ..."
 * diagnostics (the first few per test). t_done() prints the plan and
 * gives the exit status.
 *
 *	static void test_x(void) { CHECK(a == b, "a %d b %d", a, b); }
 *	int main(void) { t_run("x", test_x); return t_done(); }
 */
#ifndef PGENC_TESTS_LIB_TAP_H
#define PGENC_TESTS_LIB_TAP_H

#include <stdarg.h>
#include <stdio.h>

#define T_MAX_DIAG 10

static unsigned int t_n, t_failed, t_fails_now;

static inline __attribute__((format(printf, 4, 5))) int
t_check(int ok, const char *where, const char *expr, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return 1;
	if (t_fails_now++ < T_MAX_DIAG) {
		printf("#   %s: check failed: %s\n#     ", where, expr);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return 0;
}

#define T_STR2(x) #x
#define T_STR(x) T_STR2(x)
/* CHECK(cond, fmt, ...): fmt is mandatory (a literal). */
#define CHECK(cond, ...) \
	t_check(!!(cond), __FILE__ ":" T_STR(__LINE__), #cond, __VA_ARGS__)

static inline void t_run(const char *name, void (*fn)(void))
{
	t_fails_now = 0;
	fn();
	t_n++;
	if (t_fails_now > T_MAX_DIAG)
		printf("#   ... %u failed checks in all\n", t_fails_now);
	printf("%s %u - %s\n", t_fails_now ? "not ok" : "ok", t_n, name);
	if (t_fails_now)
		t_failed++;
	fflush(stdout);
}

static inline void t_skip(const char *name, const char *why)
{
	printf("ok %u - %s # SKIP %s\n", ++t_n, name, why);
}

static inline int t_done(void)
{
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}

#endif /* PGENC_TESTS_LIB_TAP_H */
