/*
 * map_guard.h - survive a mapped file that shrinks under its reader.
 *
 * Reading a page of a file mapping that lies past the file's end raises SIGBUS; a capture
 * truncated while `-r` reads it (tcpdump restarted on the same name, log rotation) would kill
 * the process. While armed, a SIGBUS whose fault address lies inside the guarded mapping maps
 * anonymous zero pages over the rest of the mapping and sets a flag; the reader then checks
 * the file's size (fstat) and stops at the last whole record. A SIGBUS anywhere else is
 * re-raised with the default action, so real faults still end the process truthfully.
 * One mapping at a time (flowdrill reads one file).
 */
#ifndef FLOWDRILL_MAP_GUARD_H
#define FLOWDRILL_MAP_GUARD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Guard [base, base+len) (a mapping from mmap). Returns 0, or -errno if sigaction fails. */
int map_guard_arm(const void *base, size_t len);

/* Stop guarding; restores the previous SIGBUS action. */
void map_guard_disarm(void);

/* True once a fault inside the guarded mapping has been absorbed (data past it reads 0). */
bool map_guard_tripped(void);

/* For another SIGBUS handler installed later (the terminal restore): absorb the fault when
 * it lies in the guarded mapping and return true (the handler then just returns); false
 * when it is not ours. Async-signal-safe. */
bool map_guard_absorb(const siginfo_t *si);

#endif
