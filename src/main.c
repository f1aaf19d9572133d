/*
 * main.c - entry point: parse the command line, run the app.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "flowdrill/app.h"
#include "flowdrill/options.h"

int main(int argc, char **argv)
{
    struct options o;
    setlocale(LC_ALL, "");
    int r = options_parse(&o, argc, argv, stdout, stderr);
    if (r != OPTIONS_OK) {
        options_free(&o);
        return r == OPTIONS_EXIT ? 0 : 2;
    }
    int rc = app_run(&o);
    options_free(&o);
    return rc;
}
