/*
 * app.h - the program: owns the libuv loop, every source and the aggregator, and decides
 * when reports are printed. main() parses options and calls app_run().
 */
#ifndef FLOWDRILL_APP_H
#define FLOWDRILL_APP_H

#include "flowdrill/options.h"

/* Run until the input ends, the report count is reached or a signal arrives.
 * Returns the process exit status (0 success, 1 runtime failure). */
int app_run(const struct options *o);

#endif
