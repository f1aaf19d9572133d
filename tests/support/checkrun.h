/*
 * checkrun.h - the end of every unit test's main(): run the suite, exit 0 when every test
 * passed, 1 otherwise (automake's test driver reads the exit status; CK_FORK stays Check's
 * default, so a crashing test fails alone).
 */
#ifndef FLOWDRILL_TESTS_CHECKRUN_H
#define FLOWDRILL_TESTS_CHECKRUN_H

#include <check.h>
#include <stdlib.h>

static inline int check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
