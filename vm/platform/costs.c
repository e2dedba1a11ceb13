/*
 * vm/platform/costs.c - the --sim cost model: default table, classes, and the cost
 * file (JSON, read and written with json-c).
 *
 * A cost file looks like
 *   { "format": "gilt-costs-1", "origin": "gilt calibrate on HOST, DATE",
 *     "os": { "wake_min_ns": 5000, "wake_mean_ns": 30000, ... },
 *     "alloc_ps": 20000,
 *     "opcodes_ps": { "LOAD_FAST": 1100, "CALL": 30000, ... } }
 * Every key is optional; unknown keys are errors (a typo must not pass
 * silently).
 */
#include "vm/platform/costs.h"
#include "vm/runtime/vm.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static bool starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

CostClass vm_cost_class(Opcode op) {
    const char *n = vm_opcode_name(op);
    if (starts(n, "FAST_IMM_") || starts(n, "GLOBAL_IMM_")) return COST_FUSED;
    if (starts(n, "BINARY_") ||
        starts(n, "INPLACE_") || starts(n, "UNARY_") || starts(n, "COMPARE_") ||
        starts(n, "IS") || strstr(n, "CONTAINS"))
        return starts(n, "BINARY_SUBSCR") ? COST_ACCESS : COST_ARITH;
    if (starts(n, "JUMP") || starts(n, "POP_JUMP") || strcmp(n, "FOR_ITER") == 0 ||
        strcmp(n, "NOP") == 0)
        return COST_JUMP;
    if (starts(n, "CALL") || starts(n, "RETURN") || starts(n, "YIELD") ||
        strcmp(n, "MAKE_FUNCTION") == 0 || strcmp(n, "GET_ITER") == 0 ||
        strcmp(n, "BEFORE_WITH") == 0 || strcmp(n, "WITH_EXIT") == 0)
        return COST_CALL;
    if (strstr(n, "ATTR") || strstr(n, "SUBSCR") || strstr(n, "GLOBAL") ||
        strstr(n, "METHOD") || strstr(n, "_NAME") || strstr(n, "DEREF") ||
        strcmp(n, "LOAD_SUPER") == 0 || strcmp(n, "LOAD_BUILD_CLASS") == 0)
        return COST_ACCESS;
    if (starts(n, "LOAD_") || starts(n, "STORE_FAST") || starts(n, "DELETE_FAST") ||
        starts(n, "POP_TOP") || starts(n, "DUP_") || starts(n, "ROT_") ||
        strcmp(n, "MAKE_CELL") == 0)
        return COST_SIMPLE;
    return COST_BUILD;
}

const char *vm_cost_class_name(CostClass c) {
    static const char *const names[COST__COUNT] = {"simple", "arith", "jump", "call",
                                                   "access", "build", "fused"};
    return names[c];
}

void vm_costs_set_classes(CostModel *m, const uint32_t class_ps[COST__COUNT]) {
    for (int op = 0; op < OP__COUNT; op++) m->op_ps[op] = class_ps[vm_cost_class((Opcode)op)];
}

void vm_costs_default(CostModel *m) {
    memset(m, 0, sizeof *m);
    /* Fitted by `gilt calibrate` on the 2-core Debian 12 x86-64 VM gilt is
     * developed on (see bench/sim/README.md); a cost file replaces them. */
    static const uint32_t class_ps[COST__COUNT] = {
        [COST_SIMPLE] = 1340, [COST_ARITH] = 2570, [COST_JUMP] = 740,
        [COST_CALL] = 2520, [COST_ACCESS] = 8440, [COST_BUILD] = 100,
        [COST_FUSED] = 1960,
    };
    vm_costs_set_classes(m, class_ps);
    /* Building containers is mostly allocating, which this carries. */
    m->alloc_ps = 86600;
    sim_config_default(&m->os);
    snprintf(m->source, sizeof m->source, "built-in default");
}

/* ---- the cost file ---------------------------------------------------- */

#define OS_FIELDS(X)                                                          \
    X(timeslice_ns) X(wake_min_ns) X(wake_mean_ns) X(wake_tail_ppm) X(wake_tail_ns) X(wake_fast_ns) X(idle_shallow_ns) X(ctx_switch_ns)           \
    X(timer_slack_ns) X(syscall_ns) X(lock_ns) X(spawn_ns) X(msg_ns) X(lookahead_ns)

static int fail(char *err, size_t size, const char *fmt, const char *a, const char *b) {
    snprintf(err, size, fmt, a, b);
    return -1;
}

static bool as_count(json_object *v, uint64_t *out) {
    if (!json_object_is_type(v, json_type_int)) return false;
    int64_t x = json_object_get_int64(v);
    if (x < 0) return false;
    *out = (uint64_t)x;
    return true;
}

static int load_os(SimConfig *os, json_object *obj, const char *path, char *err, size_t size) {
    if (!json_object_is_type(obj, json_type_object))
        return fail(err, size, "%s: \"os\" must be an object%s", path, "");
    json_object_object_foreach(obj, key, val) {
        uint64_t v;
        if (!as_count(val, &v))
            return fail(err, size, "%s: os.%s must be a non-negative integer", path, key);
#define TRY(f)                                                                \
    if (strcmp(key, #f) == 0) {                                               \
        os->f = v;                                                            \
        continue;                                                             \
    }
        OS_FIELDS(TRY)
#undef TRY
        return fail(err, size, "%s: unknown OS figure \"%s\"", path, key);
    }
    return 0;
}

static int load_ops(CostModel *m, json_object *obj, const char *path, char *err, size_t size) {
    if (!json_object_is_type(obj, json_type_object))
        return fail(err, size, "%s: \"opcodes_ps\" must be an object%s", path, "");
    json_object_object_foreach(obj, key, val) {
        int op;
        for (op = 0; op < OP__COUNT; op++)
            if (strcmp(vm_opcode_name((Opcode)op), key) == 0) break;
        if (op == OP__COUNT) return fail(err, size, "%s: unknown opcode \"%s\"", path, key);
        uint64_t v;
        if (!as_count(val, &v) || v > VM_OP_COST_MAX_PS)
            return fail(err, size, "%s: opcodes_ps.%s must be an integer from 0 to 10000000", path, key);
        m->op_ps[op] = (uint32_t)v;
    }
    return 0;
}

int vm_costs_load(CostModel *m, const char *path, char *err, size_t size) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, size, "cannot open cost file '%s': %s", path, strerror(errno));
    fclose(f);
    json_object *root = json_object_from_file(path);
    if (!root)
        return fail(err, size, "%s: not valid JSON: %s", path, json_util_get_last_err());
    int rc = 0;
    if (!json_object_is_type(root, json_type_object)) {
        rc = fail(err, size, "%s: a cost file is a JSON object%s", path, "");
    } else {
        json_object_object_foreach(root, key, val) {
            if (strcmp(key, "format") == 0) {
                const char *fmt = json_object_get_string(val);
                if (!fmt || strcmp(fmt, "gilt-costs-1") != 0) {
                    rc = fail(err, size, "%s: unsupported format \"%s\" (want gilt-costs-1)",
                              path, fmt ? fmt : "");
                    break;
                }
            } else if (strcmp(key, "origin") == 0) {
                snprintf(m->source, sizeof m->source, "%s (%s)", path,
                         json_object_get_string(val));
            } else if (strcmp(key, "os") == 0) {
                if ((rc = load_os(&m->os, val, path, err, size)) != 0) break;
            } else if (strcmp(key, "alloc_ps") == 0) {
                uint64_t v;
                if (!as_count(val, &v) || v > UINT32_MAX) {
                    rc = fail(err, size, "%s: alloc_ps must be a non-negative integer%s", path, "");
                    break;
                }
                m->alloc_ps = (uint32_t)v;
            } else if (strcmp(key, "opcodes_ps") == 0) {
                if ((rc = load_ops(m, val, path, err, size)) != 0) break;
            } else {
                rc = fail(err, size, "%s: unknown key \"%s\"", path, key);
                break;
            }
        }
    }
    json_object_put(root);
    char why[256];
    if (rc == 0 && !sim_config_validate(&m->os, why, sizeof why))
        rc = fail(err, size, "%s: os: %s", path, why);
    if (rc == 0 && strcmp(m->source, "built-in default") == 0)
        snprintf(m->source, sizeof m->source, "%s", path);
    return rc;
}

int vm_costs_save(const CostModel *m, const char *path, const char *origin) {
    json_object *root = json_object_new_object();
    json_object_object_add(root, "format", json_object_new_string("gilt-costs-1"));
    json_object_object_add(root, "origin", json_object_new_string(origin));
    json_object *os = json_object_new_object();
#define PUT(f) json_object_object_add(os, #f, json_object_new_int64((int64_t)m->os.f));
    OS_FIELDS(PUT)
#undef PUT
    json_object_object_add(root, "os", os);
    json_object_object_add(root, "alloc_ps", json_object_new_int64(m->alloc_ps));
    json_object *ops = json_object_new_object();
    for (int op = 0; op < OP__COUNT; op++)
        json_object_object_add(ops, vm_opcode_name((Opcode)op),
                               json_object_new_int64(m->op_ps[op]));
    json_object_object_add(root, "opcodes_ps", ops);

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_object_to_file_ext(tmp, root, JSON_C_TO_STRING_PRETTY);
    json_object_put(root);
    if (rc != 0 || rename(tmp, path) != 0) {
        int e = errno ? errno : EIO;
        remove(tmp);
        errno = e;
        return -1;
    }
    return 0;
}
