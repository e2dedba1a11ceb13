/*
 * vm/cli/calibrate.h - `gilt calibrate`: measure this machine and write a cost
 * file for --sim (see vm/platform/costs.h).
 */
#ifndef GILT_VM_CLI_CALIBRATE_H
#define GILT_VM_CLI_CALIBRATE_H

int vm_calibrate_main(const char *prog, int argc, char **argv);

#endif /* GILT_VM_CLI_CALIBRATE_H */
