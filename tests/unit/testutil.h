/*
 * testutil.h - included by every unit test (tests/unit/test_*.c).
 * cmocka needs these system headers before <cmocka.h>.
 */
#ifndef FB_TESTUTIL_H
#define FB_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

/* assert two doubles agree within tol, printing both on failure */
#define assert_close(a, b, tol)                                                   \
	do {                                                                      \
		double a_ = (a), b_ = (b);                                        \
		if (!(fabs(a_ - b_) <= (tol)))                                    \
			fail_msg("%s = %.10g, expected %.10g (tol %g)", #a, a_, b_, \
				 (double)(tol));                                  \
	} while (0)

#endif
