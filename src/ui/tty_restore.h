/*
 * tty_restore.h - leave the terminal usable when the process dies of a fatal signal.
 *
 * While the screen is up the terminal is in raw mode on the alternate screen with the cursor
 * hidden. tty_restore_arm saves the terminal's settings; on SIGSEGV, SIGBUS (outside a
 * guarded file mapping, see map_guard.h), SIGFPE, SIGILL or SIGABRT a handler puts them back
 * (tcsetattr), writes the sequences that reset attributes, show the cursor and leave the
 * alternate screen (write(2) only: async-signal-safe), then restores the default action and
 * re-raises, so the exit status still names the signal.
 */
#ifndef FLOWDRILL_TTY_RESTORE_H
#define FLOWDRILL_TTY_RESTORE_H

/* Save fd's terminal settings and install the handlers. Returns 0, or -1 when fd is not a
 * terminal (nothing installed). */
int tty_restore_arm(int fd);

/* Put the previous actions back (after a normal endwin). */
void tty_restore_disarm(void);

#endif
