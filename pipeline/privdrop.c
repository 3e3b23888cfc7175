/*
 * pipeline/privdrop.c — see privdrop.h. Capabilities are set with the raw capset
 * system call (no libcap dependency): version 3, two 32-bit words.
 */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int caps_set(int keep_net_admin)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (keep_net_admin) {
		data[CAP_NET_ADMIN / 32].effective = 1u << (CAP_NET_ADMIN % 32);
		data[CAP_NET_ADMIN / 32].permitted = 1u << (CAP_NET_ADMIN % 32);
	}
	return (int)syscall(SYS_capset, &hdr, data);
}

int privdrop(const char *user, int keep_net_admin, char *err, size_t errlen)
{
	if (user) {
		errno = 0;
		struct passwd *pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "-Z %s: no such user%s%s", user, errno ? ": " : "",
				 errno ? strerror(errno) : "");
			return -1;
		}
		uid_t uid = pw->pw_uid;
		gid_t gid = pw->pw_gid;
		if (initgroups(user, gid) < 0 || setgid(gid) < 0) {
			snprintf(err, errlen, "-Z %s: cannot set its groups: %s", user, strerror(errno));
			return -1;
		}
		/* Keep the permitted set across setuid only to hand CAP_NET_ADMIN on. */
		if (keep_net_admin && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
			snprintf(err, errlen, "-Z %s: PR_SET_KEEPCAPS: %s", user, strerror(errno));
			return -1;
		}
		if (setuid(uid) < 0) {
			snprintf(err, errlen, "-Z %s: setuid: %s", user, strerror(errno));
			return -1;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		if (uid != 0 && setuid(0) == 0) {
			snprintf(err, errlen, "-Z %s: root could be regained; refusing to go on", user);
			return -1;
		}
	}
	if (caps_set(keep_net_admin) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}
