/*
 * privdrop.c - dropping root and capabilities (see privdrop.h).
 */
#include "config.h"

#include "flowdrill/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int privdrop_clear_caps(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    return (int)syscall(SYS_capset, &hdr, data);
}

int privdrop(const char *user, char *err, size_t errlen)
{
    if (!user)
        user = "nobody";
    if (geteuid() == 0 && strcmp(user, "root") != 0) {
        errno = 0;
        struct passwd *pw = getpwnam(user);
        if (!pw) {
            snprintf(err, errlen, "-Z: no user '%s' on this system; create it or use -Z root",
                     user);
            return -1;
        }
        uid_t uid = pw->pw_uid;
        gid_t gid = pw->pw_gid;
        if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
            snprintf(err, errlen, "cannot switch to user '%s': %s", user, strerror(errno));
            return -1;
        }
        if (uid != 0 && setuid(0) == 0) {
            snprintf(err, errlen, "dropping root to '%s' did not stick; refusing to continue",
                     user);
            return -1;
        }
    } else if (geteuid() != 0) {
        /* file capabilities (setcap cap_net_raw,cap_net_admin=eip): not needed any more */
        privdrop_clear_caps();
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return 0;
}
