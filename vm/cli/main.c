/*
 * vm/cli/main.c - the `gilt` command: dispatch on the command word.
 *
 *   gilt run [OPTIONS] FILE.py [ARGS...]   run a program     (run.c)
 *   gilt run [OPTIONS] -c CODE [ARGS...]   run a string
 *   gilt dis FILE.py                       disassemble       (dis.c)
 *   gilt calibrate [-o FILE] [--quick]     measure this host (calibrate.c)
 *
 * Command-line mistakes exit with 2 and the usage on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "vm/cli/calibrate.h"
#include "vm/cli/cli.h"

int main(int argc, char **argv) {
    const char *prog = "gilt";
    if (argc < 2) {
        cli_usage(stderr, prog);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        cli_usage(stdout, prog);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("gilt %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return cli_run_main(prog, argc - 1, argv + 1);
    if (strcmp(cmd, "dis") == 0) return cli_dis_main(prog, argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0) return vm_calibrate_main(prog, argc - 1, argv + 1);
    fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
    cli_usage(stderr, prog);
    return CLI_EXIT_USAGE;
}
