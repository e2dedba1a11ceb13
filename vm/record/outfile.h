/*
 * vm/record/outfile.h - the files a run writes (--stats, --hist, --trace):
 * checked before the program runs, written when it ends, whole or not at
 * all, and without replacing what the name points at.
 *
 * - A regular file, or a name that does not exist yet, is written to a
 *   temporary file beside it and renamed over it, so it appears whole or
 *   not at all.  Symbolic links are followed first and the temporary file
 *   goes beside the file they lead to, so a link stays a link.
 * - Anything else - a device, a FIFO, "-" for standard output - is
 *   written directly: renaming over it would replace a device node or a
 *   pipe with a regular file.
 * - Every failure, up to the last fflush/fclose, is reported on stderr as
 *   "gilt: cannot write 'PATH': REASON" (PATH as given).
 */
#ifndef GILT_VM_RECORD_OUTFILE_H
#define GILT_VM_RECORD_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct {
    const char *path;            /* as given, for messages */
    bool to_stdout;              /* "-" */
    char target[PATH_MAX];       /* path with symbolic links followed */
    char tmp[PATH_MAX + 32];     /* the temporary file, or "" if direct */
    FILE *f;                     /* write here between open and commit */
} VmOutFile;

/* Can path be written?  Before the run, so that a bad name fails before
 * the program has run: for a file to be renamed into place, one is
 * created beside it (and removed).  0, or -1 with the message printed. */
int vm_outfile_check(const char *path);
/* Start writing path: o->f is ready.  0, or -1 with the message printed. */
int vm_outfile_open(VmOutFile *o, const char *path);
/* Flush and close, check every error, rename into place.  0, or -1 with
 * the message printed (and the temporary file removed). */
int vm_outfile_commit(VmOutFile *o);
/* Give up: close, and remove the temporary file. */
void vm_outfile_abort(VmOutFile *o);

#endif /* GILT_VM_RECORD_OUTFILE_H */
