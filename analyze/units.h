/*
 * analyze/units.h — the time units and the TCP defaults the detectors
 * share, named once.
 */
#ifndef TCPLENS_UNITS_H
#define TCPLENS_UNITS_H

#include "common/units.h"  /* NS_PER_MS and the other time units */

/* The MSS of an Ethernet path (MTU 1500 less the IP and TCP headers), for
 * a connection whose handshake the capture missed. */
#define TCP_DEFAULT_MSS_V4 1460u
#define TCP_DEFAULT_MSS_V6 1440u

#endif
