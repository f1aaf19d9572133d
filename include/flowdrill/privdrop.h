/*
 * privdrop.h - give up privileges once every capture handle and socket is open.
 */
#ifndef FLOWDRILL_PRIVDROP_H
#define FLOWDRILL_PRIVDROP_H

#include <stddef.h>

/*
 * Running as root: switch to `user` (NULL = "nobody"): supplementary groups cleared, gid and
 * uid set, then verified that root cannot be regained. "root" keeps root. Not root: clear
 * any capabilities the binary was given (setcap). Either way set no_new_privs.
 * Returns 0, or -1 with a one-line message in err.
 */
int privdrop(const char *user, char *err, size_t errlen);

#endif
