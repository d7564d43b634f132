/*
 * emu/dev/lapic_timer.h: the LAPIC timer's side of struct lapic, shared by
 * lapic.c (registers) and lapic_timer.c (counting); not for other users, who
 * see the timer through lapic.h.
 */
#ifndef BAREMU_LAPIC_TIMER_H
#define BAREMU_LAPIC_TIMER_H

#include "emu/dev/lapic.h"

uint32_t lapic_timer_mode(const struct lapic *l); /* LVT_TIMER_ONESHOT, _PERIODIC, _DEADLINE */
void lapic_timer_lvt_changed(struct lapic *l, uint32_t old, uint32_t val);
void lapic_timer_write_initial(struct lapic *l, uint32_t value);
void lapic_timer_write_divide(struct lapic *l, uint32_t value);
uint32_t lapic_timer_current(const struct lapic *l);
uint64_t lapic_tsc_deadline_read(const struct lapic *l);
void lapic_tsc_deadline_write(struct lapic *l, uint64_t value);
void lapic_timer_reset(struct lapic *l);

#endif
