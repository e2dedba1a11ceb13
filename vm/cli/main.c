/*
 * vm/cli/main.c - the `gilt` command: dispatch on the command word.
 *
 *   gilt run [OPTIONS] FILE.py [ARGS...]   run a program     (run.c)
 *   gilt run [OPTIONS] -c CODE [ARGS...]   run a string
 *   gilt dis FILE.py | -c CODE             disassemble       (dis.c)
 *   gilt calibrate [-o FILE] [--quick]     measure this host (calibrate.c)
 *   gilt help [COMMAND]                    the overview, or a command's usage
 *
 * Command-line mistakes exit with 2 and a message on stderr, every line of
 * it starting "gilt:"; a mistyped command gets the nearest one suggested.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "vm/cli/calibrate.h"
#include "vm/cli/cli.h"

static int help_main(const char *prog, int argc, char **argv);

static const struct {
    const char *name;
    int (*main)(const char *prog, int argc, char **argv);
    void (*usage)(FILE *out, const char *prog);
} commands[] = {
    {"run", cli_run_main, cli_run_usage},
    {"dis", cli_dis_main, cli_dis_usage},
    {"calibrate", vm_calibrate_main, vm_calibrate_usage},
    {"help", help_main, cli_usage},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

/* The command named name, or -1 after saying so (with the nearest). */
static int find_command(const char *prog, const char *name) {
    const char *names[NCOMMANDS];
    for (int i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0) return i;
        names[i] = commands[i].name;
    }
    const char *near = cli_nearest(name, names, NCOMMANDS, false);
    if (near)
        fprintf(stderr, "%s: unknown command '%s' (did you mean '%s'?)\n", prog, name, near);
    else
        fprintf(stderr, "%s: unknown command '%s'\n", prog, name);
    fprintf(stderr, "%s: the commands are: run, dis, calibrate, help (see '%s --help')\n", prog,
            prog);
    return -1;
}

/* gilt help [COMMAND]: the overview, or that command's usage, on stdout. */
static int help_main(const char *prog, int argc, char **argv) {
    if (argc > 2) return cli_error(prog, NULL, "help: unexpected argument '%s'", argv[2]);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        cli_usage(stdout, prog);
        return 0;
    }
    int i = find_command(prog, argv[1]);
    if (i < 0) return CLI_EXIT_USAGE;
    commands[i].usage(stdout, prog);
    return 0;
}

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
    if (cmd[0] == '-')
        return cli_error(prog, NULL, "unknown option '%s' (options follow the command word)", cmd);
    int i = find_command(prog, cmd);
    if (i < 0) return CLI_EXIT_USAGE;
    return commands[i].main(prog, argc - 1, argv + 1);
}
