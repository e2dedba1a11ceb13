/*
 * vm/calibrate.c - placeholder
 */
#include "vm/calibrate.h"
#include <stdio.h>
int vm_calibrate_main(const char *prog, int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "%s: calibrate: not yet\n", prog);
    return 1;
}
