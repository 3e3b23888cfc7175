/*
 * pipeline/privdrop.h — giving up privileges once the capture is open (live
 * capture only; called by main before the first packet is analyzed, so no
 * packet is parsed with privileges).
 */
#ifndef TCPLENS_PRIVDROP_H
#define TCPLENS_PRIVDROP_H

#include <stddef.h>

/* Become <user> (its groups, gid and uid, as tcpdump -Z does), or stay who
 * we are when user is NULL; then keep no capability, except CAP_NET_ADMIN
 * when <keep_net_admin> (an NFQUEUE verdict needs it on every message).
 * Returns 0, or -1 with a message in err (unknown user, setuid failed, the
 * old uid could be regained). */
int privdrop(const char *user, int keep_net_admin, char *err, size_t errlen);

#endif
