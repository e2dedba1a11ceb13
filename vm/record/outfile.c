/*
 * vm/record/outfile.c - the files a run writes: where they go, the check
 * before the run, and the careful write at its end (see
 * vm/record/outfile.h).
 */
#include "vm/record/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int report(const char *path, int err) {
    fprintf(stderr, "gilt: cannot write '%s': %s\n", path, strerror(err));
    return -1;
}

/* Follow the symbolic links from path to the name they end at, which
 * need not exist yet (a dangling link names the file to create).  0 or
 * an errno value. */
static int resolve(const char *path, char *out, size_t size) {
    char cur[PATH_MAX], link[PATH_MAX];
    if ((size_t)snprintf(cur, sizeof cur, "%s", path) >= sizeof cur) return ENAMETOOLONG;
    for (int hops = 0; hops < 40; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            /* Not a link (or nothing there): the open or stat that
             * follows says what is wrong, if anything. */
            if ((size_t)snprintf(out, size, "%s", cur) >= size) return ENAMETOOLONG;
            return 0;
        }
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) return errno;
        link[n] = '\0';
        /* A relative link is relative to the directory holding it. */
        char *slash = strrchr(cur, '/');
        if (link[0] != '/' && slash) {
            slash[1] = '\0';
            if (strlen(cur) + strlen(link) >= sizeof cur) return ENAMETOOLONG;
            strcat(cur, link);
        } else {
            memcpy(cur, link, (size_t)n + 1);
        }
    }
    return ELOOP;
}

/* Decide how o->path is written.  0 or an errno value. */
static int prepare(VmOutFile *o, const char *path) {
    memset(o, 0, sizeof *o);
    o->path = path;
    if (strcmp(path, "-") == 0) {
        o->to_stdout = true;
        return 0;
    }
    int err = resolve(path, o->target, sizeof o->target);
    if (err) return err;
    struct stat st;
    if (stat(o->target, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return EISDIR;
        if (!S_ISREG(st.st_mode)) return 0;   /* a device, a FIFO: direct */
    } else if (errno != ENOENT) {
        return errno;
    }
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", o->target) >= sizeof o->tmp)
        return ENAMETOOLONG;
    return 0;
}

/* Create o->tmp (mkstemp: a fresh name, never an existing file or link)
 * with the mode a new file gets.  The descriptor, or -1 with errno. */
static int create_tmp(VmOutFile *o) {
    int fd = mkstemp(o->tmp);
    if (fd < 0) return -1;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int err = errno;
        close(fd);
        unlink(o->tmp);
        errno = err;
        return -1;
    }
    return fd;
}

int vm_outfile_check(const char *path) {
    VmOutFile o;
    int err = prepare(&o, path);
    if (err) return report(path, err);
    if (o.to_stdout) return 0;
    if (!o.tmp[0]) return access(o.target, W_OK) == 0 ? 0 : report(path, errno);
    int fd = create_tmp(&o);
    if (fd < 0) return report(path, errno);
    close(fd);
    unlink(o.tmp);
    return 0;
}

int vm_outfile_open(VmOutFile *o, const char *path) {
    int err = prepare(o, path);
    if (err) return report(path, err);
    if (o->to_stdout) {
        /* What failed before (the program's output) is not this file's
         * error: commit sees only what fails from here on. */
        clearerr(stdout);
        o->f = stdout;
        return 0;
    }
    if (!o->tmp[0]) {
        o->f = fopen(o->target, "w");
        return o->f ? 0 : report(path, errno);
    }
    int fd = create_tmp(o);
    if (fd < 0) return report(path, errno);
    o->f = fdopen(fd, "w");
    if (!o->f) {
        err = errno;
        close(fd);
        unlink(o->tmp);
        return report(path, err);
    }
    return 0;
}

int vm_outfile_commit(VmOutFile *o) {
    int err = 0;
    /* A failed write may have left only ferror set; the flush of what is
     * still buffered usually fails again and says why. */
    if (fflush(o->f) != 0) err = errno;
    if (!err && ferror(o->f)) err = EIO;
    if (!o->to_stdout && fclose(o->f) != 0 && !err) err = errno;
    o->f = NULL;
    if (!err && o->tmp[0] && rename(o->tmp, o->target) != 0) err = errno;
    if (err) {
        if (o->tmp[0]) unlink(o->tmp);
        return report(o->path, err);
    }
    return 0;
}

void vm_outfile_abort(VmOutFile *o) {
    if (o->f && !o->to_stdout) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) unlink(o->tmp);
}
