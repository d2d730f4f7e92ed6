/* Since glibc 2.34 SIGSTKSZ is a long from sysconf(), so the abseil bundled with mediasoup 3.8.4 fails to
 * compile `std::max(SIGSTKSZ, 65536)`. Forced-included (-include) into every C++ unit: redefine it as the int
 * constant it used to be, after <signal.h> so the system definition cannot come back later. */
#ifndef CALL_WIDGET_SIGSTKSZ_COMPAT_H
#define CALL_WIDGET_SIGSTKSZ_COMPAT_H
#include <signal.h>
#undef SIGSTKSZ
#define SIGSTKSZ 16384
#endif
