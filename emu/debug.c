/*
 * emu/debug.c: the -d log items, the register dump and the RIP history
 * (see debug.h). Everything here runs on an event path or after the
 * machine stopped, never per instruction.
 */
#include "emu/debug.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emu/host.h"
#include "emu/x86.h"

#define INSN_MAX   15 /* bytes of an x86 instruction */
#define EVENT_LINE 192

const struct debug_item debug_items[] = {
    {"int", DEBUG_INT, "each exception and interrupt delivered, with CS:RIP"},
    {"cpu_reset", DEBUG_CPU_RESET, "registers at the entry and at INIT; each SIPI"},
    {"guest_errors", DEBUG_GUEST_ERRORS, "each unassigned MMIO or port access, each MSR #GP"},
};
const unsigned debug_nitems = sizeof debug_items / sizeof debug_items[0];

/* ---- formatting ------------------------------------------------------------ */

/* append to buf with snprintf semantics; *at counts the whole text */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t len, size_t *at,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*at < len ? buf + *at : NULL, *at < len ? len - *at : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at += (size_t)n;
}

static const char *const exc_names[32] = {
    [VEC_DE] = "#DE", [VEC_DB] = "#DB", [VEC_NMI] = "NMI", [VEC_BP] = "#BP", [VEC_OF] = "#OF",
    [VEC_BR] = "#BR", [VEC_UD] = "#UD", [VEC_NM] = "#NM",  [VEC_DF] = "#DF", [9] = "CSO",
    [VEC_TS] = "#TS", [VEC_NP] = "#NP", [VEC_SS] = "#SS",  [VEC_GP] = "#GP", [VEC_PF] = "#PF",
    [VEC_MF] = "#MF", [VEC_AC] = "#AC", [VEC_MC] = "#MC",  [VEC_XM] = "#XM", [VEC_VE] = "#VE",
    [VEC_CP] = "#CP",
};

static const char *mode_name(const struct cpu *c)
{
    switch (c->mode) {
    case MODE_REAL:
        return "real mode";
    case MODE_PROT16:
        return (c->efer & EFER_LMA) ? "16-bit compatibility mode" : "16-bit protected mode";
    case MODE_PROT32:
        return (c->efer & EFER_LMA) ? "32-bit compatibility mode" : "32-bit protected mode";
    default:
        return "64-bit mode";
    }
}

const char *debug_cs_rip(char buf[32], const struct cpu *c)
{
    snprintf(buf, 32, "%04x:%0*llx", c->seg[SEG_CS].sel, c->mode == MODE_LONG64 ? 16 : 8,
             (unsigned long long)c->rip);
    return buf;
}

/* up to INSN_MAX bytes at CS:RIP as hex, or a word saying why not */
static void put_code(char *buf, size_t len, size_t *at, const struct cpu *c)
{
    uint64_t lin = c->seg[SEG_CS].base + c->rip;
    if (c->mode != MODE_LONG64)
        lin &= 0xffffffffull;
    unsigned n = 0;
    for (; n < INSN_MAX; n++) {
        uint64_t pa;
        const uint8_t *p;
        if (!cpu_debug_translate(c, lin + n, &pa) || !(p = cpu_debug_ram(c, pa)))
            break;
        put(buf, len, at, "%s%02x", n ? " " : "", *p);
    }
    if (n == 0)
        put(buf, len, at, "(not in RAM or not mapped)");
}

/* ---- -d int ------------------------------------------------------------------ */

/* "#PF", "interrupt 0xec", "int 0x80", "NMI" */
static void event_name(char buf[32], enum cpu_event_kind kind, unsigned vector)
{
    if (kind == CPU_EVENT_SOFTWARE)
        snprintf(buf, 32, "int 0x%02x", vector);
    else if (kind == CPU_EVENT_EXTERNAL && vector != VEC_NMI && vector != VEC_DB)
        snprintf(buf, 32, "interrupt 0x%02x", vector);
    else if (vector < 32 && exc_names[vector])
        snprintf(buf, 32, "%s", exc_names[vector]);
    else
        snprintf(buf, 32, "exception %u", vector);
}

static void log_event(void *opaque, const struct cpu *c, unsigned vector, enum cpu_event_kind kind,
                      bool has_error, uint32_t error)
{
    (void)opaque;
    char line[EVENT_LINE], where[32];
    size_t at = 0;
    char what[32];
    event_name(what, kind, vector);
    put(line, sizeof line, &at, "vCPU %u: %s", c->index, what);
    if (has_error)
        put(line, sizeof line, &at, " error 0x%x", error);
    if (vector == VEC_PF && kind == CPU_EVENT_EXCEPTION)
        put(line, sizeof line, &at, " cr2 0x%llx", (unsigned long long)c->cr2);
    put(line, sizeof line, &at, " at %s (cpl %u, %s)", debug_cs_rip(where, c), c->cpl,
        mode_name(c));
    if (vector == VEC_UD && kind == CPU_EVENT_EXCEPTION) {
        put(line, sizeof line, &at, ", bytes ");
        put_code(line, sizeof line, &at, c);
    }
    host_log("baremu: %s\n", line);
}

/* ---- -d guest_errors --------------------------------------------------------- */

static void log_bad_msr(void *opaque, const struct cpu *c, uint32_t msr, bool write, uint64_t value)
{
    (void)opaque;
    char where[32];
    if (write)
        host_log("baremu: vCPU %u: wrmsr 0x%x value 0x%llx raises #GP at %s\n", c->index, msr,
                 (unsigned long long)value, debug_cs_rip(where, c));
    else
        host_log("baremu: vCPU %u: rdmsr 0x%x raises #GP at %s\n", c->index, msr,
                 debug_cs_rip(where, c));
}

static const struct cpu_debug hooks[] = {
    [DEBUG_INT] = {.event = log_event},
    [DEBUG_GUEST_ERRORS] = {.bad_msr = log_bad_msr},
    [DEBUG_INT | DEBUG_GUEST_ERRORS] = {.event = log_event, .bad_msr = log_bad_msr},
};

const struct cpu_debug *debug_cpu_hooks(unsigned flags)
{
    flags &= DEBUG_INT | DEBUG_GUEST_ERRORS;
    return flags ? &hooks[flags] : NULL;
}

/* ---- the register dump -------------------------------------------------------- */

static const char *const gpr_names[NUM_GPRS] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                                "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                                "r12", "r13", "r14", "r15"};
static const char *const seg_names[NUM_SEGS] = {"es", "cs", "ss", "ds", "fs", "gs"};

static void put_seg(char *buf, size_t len, size_t *at, const char *name, const struct seg *s)
{
    put(buf, len, at, "  %-4s %04x base %016llx limit %08x attr %04x\n", name, s->sel,
        (unsigned long long)s->base, s->limit, s->attr);
}

static void put_flags(char *buf, size_t len, size_t *at, uint64_t fl)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{RFLAGS_CF, "CF"}, {RFLAGS_PF, "PF"}, {RFLAGS_AF, "AF"}, {RFLAGS_ZF, "ZF"},
                 {RFLAGS_SF, "SF"}, {RFLAGS_TF, "TF"}, {RFLAGS_IF, "IF"}, {RFLAGS_DF, "DF"},
                 {RFLAGS_OF, "OF"}, {RFLAGS_NT, "NT"}, {RFLAGS_RF, "RF"}, {RFLAGS_VM, "VM"},
                 {RFLAGS_AC, "AC"}, {RFLAGS_ID, "ID"}};
    put(buf, len, at, "rflags %016llx [", (unsigned long long)fl);
    bool first = true;
    for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++)
        if (fl & names[k].bit) {
            put(buf, len, at, "%s%s", first ? "" : " ", names[k].name);
            first = false;
        }
    unsigned iopl = (unsigned)((fl & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT);
    if (iopl)
        put(buf, len, at, "%sIOPL=%u", first ? "" : " ", iopl);
    put(buf, len, at, "]");
}

size_t debug_format_cpu(char *buf, size_t len, const struct cpu *c, const char *state)
{
    size_t at = 0;
    if (len)
        buf[0] = '\0';
    put(buf, len, &at, "vCPU %u (%s): %s, CPL %u, %llu instructions retired\n", c->index, state,
        mode_name(c), c->cpl, (unsigned long long)c->icount);
    for (unsigned r = 0; r < NUM_GPRS; r++)
        put(buf, len, &at, "  %-3s %016llx%s", gpr_names[r], (unsigned long long)c->gpr[r],
            r % 4 == 3 ? "\n" : "");
    put(buf, len, &at, "  rip %016llx  ", (unsigned long long)c->rip);
    put_flags(buf, len, &at, cpu_get_rflags(c));
    put(buf, len, &at, "\n");
    for (unsigned s = 0; s < NUM_SEGS; s++)
        put_seg(buf, len, &at, seg_names[s], &c->seg[s]);
    put_seg(buf, len, &at, "ldtr", &c->ldtr);
    put_seg(buf, len, &at, "tr", &c->tr);
    put(buf, len, &at, "  gdtr %016llx/%04x  idtr %016llx/%04x\n", (unsigned long long)c->gdtr.base,
        c->gdtr.limit, (unsigned long long)c->idtr.base, c->idtr.limit);
    put(buf, len, &at, "  cr0 %016llx  cr2 %016llx  cr3 %016llx\n", (unsigned long long)c->cr0,
        (unsigned long long)c->cr2, (unsigned long long)c->cr3);
    put(buf, len, &at, "  cr4 %016llx  cr8 %016llx  efer %016llx\n", (unsigned long long)c->cr4,
        (unsigned long long)c->cr8, (unsigned long long)c->efer);
    if (c->exc.vector || c->exc.has_error) {
        unsigned v = c->exc.vector;
        put(buf, len, &at, "  last exception %s", v < 32 && exc_names[v] ? exc_names[v] : "?");
        if (c->exc.has_error)
            put(buf, len, &at, " error 0x%x", c->exc.error);
        put(buf, len, &at, "\n");
    }
    put(buf, len, &at, "  code at rip: ");
    put_code(buf, len, &at, c);
    put(buf, len, &at, "\n");
    return at;
}

/* ---- the RIP history ---------------------------------------------------------- */

void debug_log_rips(const struct cpu *c, uint64_t n)
{
    if (!c->rips)
        return;
    if (n > c->rips_mask + 1)
        n = c->rips_mask + 1;
    if (n > c->rips_next)
        n = c->rips_next;
    host_log("baremu: vCPU %u: the last %llu instructions and events, oldest first:\n", c->index,
             (unsigned long long)n);
    for (uint64_t k = c->rips_next - n; k < c->rips_next; k++) {
        const struct cpu_rip *r = &c->rips[k & c->rips_mask];
        int width = r->mode == MODE_LONG64 ? 16 : 8;
        if (!(r->event & CPU_RIP_EVENT)) {
            host_log("baremu:   %04x:%0*llx\n", r->cs, width, (unsigned long long)r->rip);
            continue;
        }
        char what[32];
        event_name(what, CPU_RIP_EVENT_KIND(r->event), CPU_RIP_EVENT_VECTOR(r->event));
        host_log("baremu:   %04x:%0*llx  -> %s\n", r->cs, width, (unsigned long long)r->rip, what);
    }
}
