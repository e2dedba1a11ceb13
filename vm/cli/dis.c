/*
 * vm/cli/dis.c - `gilt dis FILE.py`: compile a program and print its
 * bytecode, every code object after its parent (vm/bytecode/dis.c).
 */
#include <stdio.h>
#include <string.h>

#include "vm/bytecode/dis.h"
#include "vm/cli/cli.h"
#include "vm/compile/compiler.h"

int cli_dis_main(const char *prog, int argc, char **argv) {
    CliRun cr;
    int rc = cli_parse_run(prog, "dis", argc, argv, &cr);
    if (rc >= 0) return rc;
    VmShared *vm = vm_shared_new(&cr.opts);
    vm_thread_new(vm);
    VmCompileError err;
    memset(&err, 0, sizeof err);
    ObjCode *code = vm_compile_n(vm, cr.source, cr.source_len, cr.filename, &err);
    int status = 0;
    if (code) {
        vm_dis_code(stdout, code);
    } else {
        fprintf(stderr, "%s:%d:%d: %s: %s\n", cr.filename, err.line, err.col,
                err.type[0] ? err.type : "SyntaxError", err.message);
        status = 1;
    }
    if (fflush(stdout) != 0 && status == 0) status = 1;
    vm_shared_destroy(vm);
    cli_run_fini(&cr);
    return status;
}
