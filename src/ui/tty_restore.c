/*
 * tty_restore.c - terminal restore on fatal signals (see tty_restore.h).
 *
 * The saved settings below are the one exception to "no mutable globals": a signal handler
 * gets no user argument, so what it restores must be in static storage. They are written by
 * tty_restore_arm/disarm only, while the handlers are not installed, and read by the handler.
 */
#include "config.h"

#include "tty_restore.h"

#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "flowdrill/map_guard.h"

static const int tty_fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define TTY_NFATAL (sizeof tty_fatal / sizeof tty_fatal[0])

static struct termios tty_saved;
static int tty_fd = -1;
static struct sigaction tty_old[TTY_NFATAL];

static void tty_restore_on_fatal(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    /* a capture file shrinking under its mapping is not fatal: the reader handles it */
    if (sig == SIGBUS && map_guard_absorb(si))
        return;
    if (tty_fd >= 0) {
        static const char seq[] = "\033[0m\033[?25h\033[?1049l\r\n";
        tcsetattr(tty_fd, TCSANOW, &tty_saved);
        ssize_t w = write(tty_fd, seq, sizeof seq - 1);
        (void)w;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

int tty_restore_arm(int fd)
{
    if (tty_fd >= 0 || tcgetattr(fd, &tty_saved) != 0)
        return -1;
    tty_fd = fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = tty_restore_on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < TTY_NFATAL; i++)
        sigaction(tty_fatal[i], &sa, &tty_old[i]);
    return 0;
}

void tty_restore_disarm(void)
{
    if (tty_fd < 0)
        return;
    for (size_t i = 0; i < TTY_NFATAL; i++)
        sigaction(tty_fatal[i], &tty_old[i], NULL);
    tty_fd = -1;
}
