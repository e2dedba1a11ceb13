/*
 * vm/cli/calibrate.h - `gilt calibrate`: measure this machine and write a cost
 * file for --sim (see vm/platform/costs.h).
 */
#ifndef GILT_VM_CLI_CALIBRATE_H
#define GILT_VM_CLI_CALIBRATE_H

#include <stdio.h>

int vm_calibrate_main(const char *prog, int argc, char **argv);
/* Its usage text (gilt calibrate --help, gilt help calibrate). */
void vm_calibrate_usage(FILE *out, const char *prog);

#endif /* GILT_VM_CLI_CALIBRATE_H */
