/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one TAP producer of the C tests (tests/, tests/lib/, tests/cli/,
 * and tests/lib/vm_test.c in the test VM): one "ok N - name" or "not ok
 * N - name" line per test function, diagnostics as "# ..." lines, a
 * "1..N" plan at the end. tests/tap.sh relays and counts the lines
 * (Documentation/testing.rst, "The test harness"). No allocation.
 *
 *	static void test_x(void) { TAP_CHECK(a == b, "a %d b %d", a, b); }
 *	int main(void) { tap_run("x does y", test_x); return tap_done(); }
 */
#ifndef PGENC_TAP_H
#define PGENC_TAP_H

#include <stdarg.h>
#include <stdio.h>

/* Diagnostics printed per test before the rest are only counted. */
#define TAP_MAX_DIAG 8

static unsigned int tap_n, tap_failed, tap_cur_fails;

/* Returns ok; when it is 0, reports expr with a printf-style context. */
static int __attribute__((unused, format(printf, 5, 6)))
tap_check(int ok, const char *file, int line, const char *expr, const char *fmt,
	  ...)
{
	va_list ap;

	if (ok || tap_cur_fails++ >= TAP_MAX_DIAG)
		return ok;
	printf("#   %s:%d: check failed: %s\n#     ", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return ok;
}

#define TAP_CHECK(cond, ...) \
	tap_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/*
 * Run one test. A test with a todo reason is a known failure: TAP's
 * "not ok N - name # TODO reason" does not fail the run, and an "ok ...
 * # TODO" says the reason is gone.
 */
static void __attribute__((unused))
tap_run_todo(const char *name, void (*fn)(void), const char *todo)
{
	tap_cur_fails = 0;
	fn();
	tap_n++;
	if (tap_cur_fails > TAP_MAX_DIAG)
		printf("#   ... %u failed checks in all\n", tap_cur_fails);
	printf("%s %u - %s", tap_cur_fails ? "not ok" : "ok", tap_n, name);
	if (todo)
		printf(" # TODO %s", todo);
	printf("\n");
	if (tap_cur_fails && !todo)
		tap_failed++;
	fflush(stdout);
}

static void __attribute__((unused)) tap_run(const char *name, void (*fn)(void))
{
	tap_run_todo(name, fn, NULL);
}

/* One result for one condition, when a test is a single check. */
static void __attribute__((unused)) tap_ok(int ok, const char *name)
{
	printf("%s %u - %s\n", ok ? "ok" : "not ok", ++tap_n, name);
	if (!ok)
		tap_failed++;
	fflush(stdout);
}

static void __attribute__((unused)) tap_skip(const char *name, const char *why)
{
	printf("ok %u - %s # SKIP %s\n", ++tap_n, name, why);
	fflush(stdout);
}

static int tap_done(void)
{
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* PGENC_TAP_H */
