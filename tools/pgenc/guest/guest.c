// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers of the built-in guests (guest.h): console output, line
 * formatting, hypercall 12, WRMSR, HLT, and an IDT whose handlers report
 * an exception on the console before shutting the VM down.
 */
#include "guest.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

void puts_raw(const char *s)
{
	while (*s)
		outb(PGENC_CONSOLE_PORT, (uint8_t)*s++);
}

/* Unsigned v in base 16 or 10, at least width digits. */
char *fmt_u(char *p, uint64_t v, unsigned int base, unsigned int width)
{
	char tmp[24];
	unsigned int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width && n < sizeof(tmp))
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *fmt_s(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

char *fmt_x(char *p, uint64_t v, unsigned int width)
{
	return fmt_u(fmt_s(p, "0x"), v, 16, width);
}

char *fmt_l(char *p, long v)
{
	if (v < 0) {
		*p++ = '-';
		return fmt_u(p, 0 - (uint64_t)v, 10, 1);
	}
	return fmt_u(p, (uint64_t)v, 10, 1);
}

void put_line(char *start, char *end)
{
	*end++ = '\n';
	*end = '\0';
	puts_raw(start);
}

long hypercall(uint64_t gpa, uint64_t npages, uint64_t a2)
{
	long ret;

	__asm__ __volatile__("vmmcall"
			     : "=a"(ret)
			     : "a"((uint64_t)KVM_HC_PAGE_ENC_STATUS), "b"(gpa),
			       "c"(npages), "d"(a2)
			     : "memory");
	return ret;
}

void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr"
			     :
			     : "c"(msr), "a"((uint32_t)v),
			       "d"((uint32_t)(v >> 32))
			     : "memory");
}

void halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("hlt" : : : "memory");
}

/*
 * Exceptions: an IDT whose handlers report the vector, error code, RIP
 * and CR2 on the console, then shut the VM down (a triple fault with an
 * empty IDT), so that a fault is explained rather than silent.
 */
struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
};

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	uint64_t base;
};

extern const char guest_vectors[];
static struct idt_gate idt[32] __attribute__((aligned(16)));

void guest_setup_idt(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned int i;

	for (i = 0; i < 32; i++) {
		uint64_t a = (uint64_t)guest_vectors + 16 * i;

		idt[i].off0 = (uint16_t)a;
		idt[i].sel = 0x08;
		idt[i].ist = 0;
		idt[i].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		idt[i].off1 = (uint16_t)(a >> 16);
		idt[i].off2 = (uint32_t)(a >> 32);
		idt[i].zero = 0;
	}
	__asm__ __volatile__("lidt %0" : : "m"(p) : "memory");
}

/* frame: vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS. */
void guest_exception(const uint64_t *frame)
{
	struct idt_ptr none = { 0, 0 };
	char buf[200], *p;
	uint64_t cr2;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	p = fmt_s(buf, "EXCEPTION: vector ");
	p = fmt_u(p, frame[0], 10, 1);
	p = fmt_s(p, " error ");
	p = fmt_x(p, frame[1], 1);
	p = fmt_s(p, " rip ");
	p = fmt_x(p, frame[2], 1);
	p = fmt_s(p, " rsp ");
	p = fmt_x(p, frame[5], 1);
	p = fmt_s(p, " cr2 ");
	p = fmt_x(p, cr2, 1);
	p = fmt_s(p, ": shutting down");
	put_line(buf, p);
	__asm__ __volatile__("lidt %0\n\tud2" : : "m"(none) : "memory");
}
