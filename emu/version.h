/* emu/version.h: one version for both hosts. */
#ifndef BAREMU_VERSION_H
#define BAREMU_VERSION_H
#define BAREMU_VERSION "0.1.0"
#endif
