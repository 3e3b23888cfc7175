/*
 * common/units.h — time units, named once, for every layer (capture stamps
 * in ns; the analysis and the reports speak ms and s).
 */
#ifndef TCPLENS_COMMON_UNITS_H
#define TCPLENS_COMMON_UNITS_H

#define NS_PER_S_U64 1000000000ull   /* integer arithmetic on timestamps */
#define NS_PER_MS_U64 1000000ull
#define NS_PER_US_U64 1000ull
#define NS_PER_S 1e9                 /* double: ns -> s */
#define NS_PER_MS 1e6                /* double: ns -> ms */
#define MS_PER_S 1000.0

#endif
