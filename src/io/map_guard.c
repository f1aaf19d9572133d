/*
 * map_guard.c - SIGBUS inside a shrinking file mapping (see map_guard.h).
 *
 * Why a handler and not a pread loop or a size check: the mapping is what makes `-r` fast
 * (zero copies), and no size check before a read closes the race with a truncation that
 * happens right after it. The kernel reports the fault exactly, so the handler is the only
 * place that sees every truncation. It does only async-signal-safe work: one mmap(MAP_FIXED)
 * of anonymous zero pages over the rest of the mapping (the faulting load is then retried and
 * reads 0) and a store to a volatile sig_atomic_t.
 *
 * The state below is the one exception to "no mutable globals": a signal handler gets no
 * user argument, so the mapping it guards must be reachable from static storage. It is
 * written only by map_guard_arm/disarm (with the handler not yet or no longer installed)
 * and read by the handler.
 */
#include "config.h"

#include "flowdrill/map_guard.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t guard_tripped;
static uintptr_t guard_base, guard_end;
static struct sigaction guard_old;
static bool guard_armed;

bool map_guard_absorb(const siginfo_t *si)
{
    uintptr_t a = (uintptr_t)si->si_addr;
    /* only a fault the kernel raised has an address; kill(2) has si_code <= 0 */
    if (si->si_code <= 0 || !guard_base || a < guard_base || a >= guard_end)
        return false;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = a & ~(page - 1);
    if (from < guard_base)
        from = guard_base;
    if (mmap((void *)from, guard_end - from, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0) == MAP_FAILED)
        return false;
    guard_tripped = 1;
    return true;
}

static void map_guard_on_bus(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    if (map_guard_absorb(si))
        return;
    /* not ours (or cannot repair): hand it to whoever had SIGBUS before (the terminal
     * restore, or the default action) and re-raise, so the exit status tells the truth */
    sigaction(sig, &guard_old, NULL);
    raise(sig);
}

int map_guard_arm(const void *base, size_t len)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = map_guard_on_bus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    guard_tripped = 0;
    guard_base = (uintptr_t)base;
    guard_end = guard_base + len;
    if (sigaction(SIGBUS, &sa, guard_armed ? NULL : &guard_old) != 0) {
        guard_base = guard_end = 0;
        return -errno;
    }
    guard_armed = true;
    return 0;
}

void map_guard_disarm(void)
{
    if (!guard_armed)
        return;
    sigaction(SIGBUS, &guard_old, NULL);
    guard_armed = false;
    guard_base = guard_end = 0;
}

bool map_guard_tripped(void)
{
    return guard_tripped != 0;
}
