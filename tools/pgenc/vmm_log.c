// SPDX-License-Identifier: GPL-2.0
/*
 * pgenc run's messages (vmm_log, vmm_err: one line each, never torn by
 * another thread) and state names: the bottom of the VMM, which every
 * other part of it uses.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "vmm.h"

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

void vmm_print_lock(void)
{
	pthread_mutex_lock(&print_lock);
}

void vmm_print_unlock(void)
{
	pthread_mutex_unlock(&print_lock);
}

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	vmm_print_lock();
	fputs("pgenc run: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	vmm_print_unlock();
}

void vmm_err(const char *fmt, ...)
{
	va_list ap;

	vmm_print_lock();
	fflush(stdout);
	fputs("pgenc run: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	vmm_print_unlock();
}

const char *vmm_state_name(enum vmm_state s)
{
	switch (s) {
	case VMM_RUNNING:
		return "running";
	case VMM_HALTED:
		return "halted";
	case VMM_SHUTDOWN:
		return "shutdown";
	case VMM_STOPPED:
		return "stopped";
	case VMM_ERROR:
		return "error";
	}
	return "?";
}
