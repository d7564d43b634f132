/*
 * kernel/newlib_glue.c: what newlib needs from the kernel.
 *
 * newlib is configured with MISSING_SYSCALL_NAMES, so it calls the plain
 * names (write, sbrk, ...) and _exit. write goes to the console, sbrk to the
 * kernel heap; the rest have no meaning here and fail with a clear errno.
 *
 * It is also built with --enable-newlib-retargetable-locking: every core calls
 * into it, so the locks below are real, recursive spinlocks owned by a core.
 * Interrupt handlers must not call into newlib (a handler re-entering a lock
 * its own core holds would corrupt the state the lock protects).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/lock.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kernel/console.h"
#include "kernel/kernel.h"
#include "kernel/percpu.h"
#include "emu/lock.h"
#include "kernel/cpu.h"

#undef errno
extern int errno;

/* ---- heap --------------------------------------------------------------- */
/* one contiguous region, handed over by mm_init(); malloc before then fails */
static uint8_t *heap_base;
static size_t heap_size, heap_used;

void kernel_heap_init(void *base, unsigned long size)
{
    heap_base = base;
    heap_size = size;
}

void *sbrk(ptrdiff_t incr);
void *sbrk(ptrdiff_t incr)
{
    /* called under newlib's malloc lock */
    if (!heap_base || (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > heap_size - heap_used)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    void *old = heap_base + heap_used;
    heap_used += (size_t)incr;
    return old;
}

/* ---- files: only the console -------------------------------------------- */
int write(int fd, const void *buf, size_t len);
int write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    console_write(buf, len);
    return (int)len;
}

int read(int fd, void *buf, size_t len);
int read(int fd, void *buf, size_t len)
{
    (void)fd, (void)buf, (void)len;
    errno = ENOSYS; /* no console input yet */
    return -1;
}

int close(int fd);
int close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int fstat(int fd, struct stat *st);
int fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > 2) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}

int isatty(int fd);
int isatty(int fd) { return fd >= 0 && fd <= 2; }

off_t lseek(int fd, off_t off, int whence);
off_t lseek(int fd, off_t off, int whence)
{
    (void)fd, (void)off, (void)whence;
    errno = ESPIPE;
    return -1;
}

int kill(int pid, int sig);
int kill(int pid, int sig)
{
    (void)pid, (void)sig;
    errno = EINVAL;
    return -1;
}

int getpid(void);
int getpid(void) { return 1; }

void _exit(int status);
void _exit(int status) { kernel_stop(status == 0 ? KERNEL_EXIT_OK : KERNEL_EXIT_FAIL); }

/* ---- locks (newlib's sys/lock.h, retargetable) -------------------------- */
struct __lock {
    struct spinlock lock;
    int owner; /* core index + 1, 0 when free */
    unsigned depth;
};

struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
    __lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex, __lock___malloc_recursive_mutex,
    __lock___env_recursive_mutex, __lock___tz_mutex, __lock___dd_hash_mutex,
    __lock___arc4random_mutex;

/* locks that newlib creates at run time come from a fixed pool: malloc would recurse */
#define LOCK_POOL 64
static struct __lock lock_pool[LOCK_POOL];
static bool lock_pool_used[LOCK_POOL];
static struct spinlock lock_pool_lock;

static struct __lock *lock_alloc(void)
{
    struct __lock *l = NULL;
    spin_lock(&lock_pool_lock);
    for (int i = 0; i < LOCK_POOL && !l; i++)
        if (!lock_pool_used[i]) {
            lock_pool_used[i] = true;
            l = &lock_pool[i];
        }
    spin_unlock(&lock_pool_lock);
    if (!l)
        kernel_panic("newlib: more than %d dynamic locks", LOCK_POOL);
    *l = (struct __lock){0};
    return l;
}

static void lock_free(struct __lock *l)
{
    if (l < lock_pool || l >= lock_pool + LOCK_POOL)
        return; /* one of the static locks above */
    spin_lock(&lock_pool_lock);
    lock_pool_used[l - lock_pool] = false;
    spin_unlock(&lock_pool_lock);
}

static int self_id(void) { return (int)this_cpu_index() + 1; }

void __retarget_lock_init(_LOCK_T *lock) { *lock = lock_alloc(); }
void __retarget_lock_init_recursive(_LOCK_T *lock) { *lock = lock_alloc(); }
void __retarget_lock_close(_LOCK_T lock) { lock_free(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { lock_free(lock); }

void __retarget_lock_acquire(_LOCK_T lock) { spin_lock(&lock->lock); }
int __retarget_lock_try_acquire(_LOCK_T lock) { return spin_trylock(&lock->lock); }
void __retarget_lock_release(_LOCK_T lock) { spin_unlock(&lock->lock); }

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
    int me = self_id();
    if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == me) {
        lock->depth++;
        return 1;
    }
    if (!spin_trylock(&lock->lock))
        return 0;
    lock->owner = me;
    lock->depth = 1;
    return 1;
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
    while (!__retarget_lock_try_acquire_recursive(lock))
        cpu_relax();
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
    if (--lock->depth == 0) {
        lock->owner = 0;
        spin_unlock(&lock->lock);
    }
}
