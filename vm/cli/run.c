/*
 * vm/cli/run.c - `gilt run`: make the VM on its platform (the host, or a
 * simulator for --sim), run the program, write what the run recorded.
 *
 * Exit statuses follow CPython: 0 on success, 1 for an uncaught exception
 * or a syntax error, the SystemExit code when the program calls sys.exit,
 * killed by SIGINT (130) for an uncaught KeyboardInterrupt.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/clock.h"
#include "sim/sched.h"
#include "vm/cli/cli.h"
#include "vm/gil/gil.h"
#include "vm/object/list.h"
#include "vm/object/str.h"
#include "vm/record/outfile.h"
#include "vm/record/record.h"
#include "vm/record/stats.h"
#include "vm/runtime/memory.h"

/* The main thread's eval breaker, for the SIGINT handler: the one piece of
 * process-wide state, because a signal handler cannot be given a pointer. */
static _Atomic uint32_t *sigint_breaker;

/* In --sim the main thread may sit in an untimed virtual wait while other
 * threads run on, so it might never see the first Ctrl-C: a second one
 * ends the run. */
static volatile sig_atomic_t sigint_count;
static bool sigint_sim;

static void on_sigint(int sig) {
    (void)sig;
    if (sigint_sim && ++sigint_count >= 2) {
        static const char msg[] = "\ngilt: interrupted (second Ctrl-C in a virtual run)\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
    if (sigint_breaker) atomic_fetch_or(sigint_breaker, VM_BREAK_SIGNAL);
}

/* Flush what the program printed.  If that fails (now, or in a flush
 * before a traceback), do as CPython does when its final flush of
 * sys.stdout fails: say so and exit 120, whatever the status was. */
static int flush_program_output(VmShared *vm, int status) {
    vm_flush_out(vm);
    if (!vm->out_errno && !ferror(vm->out)) return status;
    /* ferror alone: a write nothing checked (sys.stdout.write). */
    int err = vm->out_errno ? vm->out_errno : EIO;
    clearerr(vm->out);
    fprintf(stderr,
            "Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' "
            "encoding='utf-8'>\nOSError: [Errno %d] %s\n", err, strerror(err));
    return 120;
}

/* After an uncaught KeyboardInterrupt, end as CPython does: killed by
 * SIGINT (status 130 in a shell), so that a shell loop running gilt stops
 * at Ctrl-C too; 130 if the signal does not end the process. */
static int exit_interrupted(void) {
    fflush(stdout);
    fflush(stderr);
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return 130;
}

int cli_run_main(const char *prog, int argc, char **argv) {
    CliRun cr;
    int rc = cli_parse_run(prog, "run", argc, argv, &cr);
    if (rc >= 0) return rc;
    /* A bad output name is a mistake on the command line: say so before
     * the program runs, not after (the files are written at the end). */
    const char *outputs[] = {cr.stats_path, cr.hist_path, cr.trace_path};
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++)
        if (outputs[i] && vm_outfile_check(outputs[i]) != 0) {
            cli_run_fini(&cr);
            return CLI_EXIT_USAGE;
        }
    VmOptions opts = cr.opts;
    Sim *sim = NULL;
    VmPlatform platform = vm_platform_real();
    if (cr.sa.enabled) {
        SimConfig cfg = cli_sim_model(&cr.costs, &cr.sa, opts.seed);
        sim = sim_new(&cfg);
        if (!sim) {
            fprintf(stderr, "%s: cannot start the simulator\n", prog);
            cli_run_fini(&cr);
            return 1;
        }
        if (cr.sa.progress || isatty(STDERR_FILENO)) sim_set_progress(sim, stderr, 3000);
        platform = vm_platform_sim(sim);
    }
    opts.platform = &platform;
    VmShared *vm = vm_shared_new(&opts);
    VmThread *th = vm_thread_new(vm);
    if (sim)
        vm_set_costs(vm, cr.costs.op_ps, OP__COUNT, cr.costs.alloc_ps, cr.costs.source);
    vm_list_append(vm, vm->argv,
                   VM_OBJ(vm_str_from_cstr(vm, cr.code_arg ? "-c" : cr.filename)));
    for (int i = 0; i < cr.nargs; i++)
        vm_list_append(vm, vm->argv, VM_OBJ(vm_str_from_cstr(vm, cr.args[i])));

    sigint_breaker = &th->eval_breaker;
    sigint_sim = sim != NULL;
    /* Without SA_RESTART, so that a blocking system call (a socket recv)
     * returns EINTR and the program sees KeyboardInterrupt. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    if (cr.hist_path || cr.trace_path) vm_record_enable(vm, cr.hist_path, cr.trace_path);
    vm_gil_acquire(th);
    /* Wall time is the host's, whatever clock the program sees. */
    uint64_t t0 = sim_clock_now_ns();
    vm_run_source_n(th, cr.source, cr.source_len, cr.filename);
    int status = flush_program_output(vm, vm->exit_status);
    if (cr.stats_path && vm_stats_write(vm, cr.stats_path, sim_clock_now_ns() - t0) != 0 &&
        status == 0)
        status = 1;
    if (vm_record_finish(vm) != 0 && status == 0) status = 1;
    bool interrupted = vm->exit_sigint && status == 130;
    pthread_mutex_lock(&vm->sched_lock);  /* the thread list's lock */
    bool others = vm->threads != th || th->next;
    pthread_mutex_unlock(&vm->sched_lock);
    if (others) {
        /* Daemon threads are still running: like CPython, exit without
         * waiting for them.  The GIL stays held so none of them runs
         * while the process goes away, and nothing is freed under
         * their feet. */
        fflush(stderr);
        exit(interrupted ? exit_interrupted() : status);
    }
    vm_gil_release(th);
    signal(SIGINT, SIG_DFL);
    sigint_breaker = NULL;
    if (fflush(stdout) != 0 && status == 0) status = 1;
    vm_shared_destroy(vm);
    if (sim) sim_free(sim);
    cli_run_fini(&cr);
    return interrupted ? exit_interrupted() : status;
}
