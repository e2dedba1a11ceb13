/*
 * tests/check_compiler.c - scope analysis (vm/compile/symtable.c) and code
 * generation (vm/compile/compiler.c): the exact instruction sequences of the
 * bytecode conventions in vm/README.md, code object metadata (names,
 * slots, flags, globals), exception tables, and compile errors with their
 * positions.  A few programs are also run end to end to tie the emitted
 * sequences to the interpreter.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/check_helpers.h"
#include "tests/check_suites.h"
#include "vm/compile/compiler.h"
#include "vm/bytecode/dis.h"
#include "vm/bytecode/opcodes.h"
#include "vm/bytecode/peephole.h"

static char ops_buf[8192];

/* Instructions as "NAME" or "NAME(meaning)" separated by spaces: names for
 * NAME/GLOBAL/LOCAL operands, the integer for LOAD_SMALL_INT, the index
 * otherwise; jumps print their target. */
static const char *ops(ObjCode *code) {
    size_t n = 0;
    ops_buf[0] = '\0';
    for (int32_t i = 0; i < code->count; i++) {
        uint32_t w = code->code[i];
        Opcode op = VM_INSTR_OP(w);
        uint32_t arg = VM_INSTR_ARG(w);
        const char *sep = i ? " " : "";
        ObjTuple *t = NULL;
        switch (vm_opcode_format(op)) {
        case OPFMT_NAME: t = code->names; break;
        case OPFMT_GLOBAL: t = code->globals; break;
        case OPFMT_LOCAL: t = code->varnames; break;
        default: break;
        }
        if (t)
            n += (size_t)snprintf(ops_buf + n, sizeof ops_buf - n, "%s%s(%s)", sep,
                                  vm_opcode_name(op), VM_AS_CSTRING(t->items[arg]));
        else if (op == OP_LOAD_SMALL_INT)
            n += (size_t)snprintf(ops_buf + n, sizeof ops_buf - n, "%s%s(%ld)", sep,
                                  vm_opcode_name(op), (long)arg - VM_SMALL_INT_BIAS);
        else if (vm_opcode_format(op) == OPFMT_NONE)
            n += (size_t)snprintf(ops_buf + n, sizeof ops_buf - n, "%s%s", sep,
                                  vm_opcode_name(op));
        else
            n += (size_t)snprintf(ops_buf + n, sizeof ops_buf - n, "%s%s(%u)", sep,
                                  vm_opcode_name(op), arg);
    }
    return ops_buf;
}

/* The nested code object called `name` (depth-first through constants). */
static ObjCode *find_code(ObjCode *code, const char *name) {
    if (strcmp(code->name->chars, name) == 0) return code;
    for (int i = 0; i < code->consts.count; i++) {
        if (!VM_IS_CODE(code->consts.values[i])) continue;
        ObjCode *found = find_code(VM_AS_CODE(code->consts.values[i]), name);
        if (found) return found;
    }
    return NULL;
}

static TestVm tvm;
static void setup(void) { tvm = test_vm_new(); }
static void teardown(void) { test_vm_free(&tvm); }

static ObjCode *compile_ok(const char *src) {
    VmCompileError err;
    ObjCode *code = vm_compile(tvm.vm, src, "t.py", &err);
    ck_assert_msg(code != NULL, "compile failed: %d:%d %s", err.line, err.col, err.message);
    return code;
}

static const char *module_ops(const char *src) { return ops(compile_ok(src)); }

static const char *func_ops(const char *src, const char *name) {
    ObjCode *code = find_code(compile_ok(src), name);
    ck_assert_msg(code != NULL, "no code object %s", name);
    return ops(code);
}

static char err_buf[512];
static const char *compile_err(const char *src) {
    VmCompileError err;
    ObjCode *code = vm_compile(tvm.vm, src, "t.py", &err);
    if (code) return "compiled";
    snprintf(err_buf, sizeof err_buf, "%s %d:%d %s", err.type, err.line, err.col, err.message);
    return err_buf;
}

START_TEST(test_constants_and_globals) {
    ck_assert_str_eq(module_ops("x = 1\ny = x + 8388608\n"),
                     "LOAD_SMALL_INT(1) STORE_GLOBAL(x) LOAD_GLOBAL(x) LOAD_CONST(0) "
                     "BINARY_ADD STORE_GLOBAL(y) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("x = -8388608, None, True, 'a'\n"),
                     "LOAD_CONST(0) STORE_GLOBAL(x) LOAD_NONE RETURN_VALUE");
    /* One globals tuple for the whole file, shared by every code object. */
    ObjCode *m = compile_ok("a = 1\ndef f():\n    return b\n");
    ObjCode *f = find_code(m, "f");
    ck_assert_ptr_eq(m->globals, f->globals);
    ck_assert_int_eq(m->globals->count, 3);
    ck_assert_uint_eq(m->flags & CODE_MODULE, CODE_MODULE);
}
END_TEST

START_TEST(test_function_slots) {
    const char *src = "def f(a, b=1, *args, k, j=2, **kw):\n    x = a\n    return x\n";
    ObjCode *f = find_code(compile_ok(src), "f");
    ck_assert_int_eq(f->nargs, 2);
    ck_assert_int_eq(f->nkwonly, 2);
    ck_assert_int_eq(f->nlocals, 7);
    ck_assert_uint_eq(f->flags, CODE_VARARGS | CODE_VARKW);
    const char *expect[] = {"a", "b", "k", "j", "args", "kw", "x"};
    for (int i = 0; i < 7; i++) ck_assert_str_eq(VM_AS_CSTRING(f->varnames->items[i]), expect[i]);
    ck_assert_str_eq(ops(f), "LOAD_FAST(a) STORE_FAST(x) LOAD_FAST(x) RETURN_VALUE");
    ck_assert_str_eq(module_ops(src),
                     "LOAD_SMALL_INT(1) BUILD_TUPLE(1) LOAD_CONST(0) LOAD_SMALL_INT(2) "
                     "BUILD_DICT(1) LOAD_CONST(1) MAKE_FUNCTION(3) STORE_GLOBAL(f) "
                     "LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(func_ops("def g():\n    pass\n", "g"), "LOAD_NONE RETURN_VALUE");
}
END_TEST

START_TEST(test_closures) {
    const char *src = "def outer():\n    n = 0\n    def inc():\n        nonlocal n\n"
                      "        n += 1\n        return n\n    return inc\n";
    ObjCode *m = compile_ok(src);
    ObjCode *outer = find_code(m, "outer");
    ObjCode *inc = find_code(m, "inc");
    ck_assert_str_eq(ops(outer),
                     "MAKE_CELL(n) LOAD_SMALL_INT(0) STORE_DEREF(n) LOAD_CLOSURE(n) "
                     "BUILD_TUPLE(1) LOAD_CONST(0) MAKE_FUNCTION(4) STORE_FAST(inc) "
                     "LOAD_FAST(inc) RETURN_VALUE");
    ck_assert_int_eq(inc->nfree, 1);
    ck_assert_int_eq(inc->nlocals, 1);
    ck_assert_str_eq(inc->qualname->chars, "outer.<locals>.inc");
    ck_assert_str_eq(ops(inc),
                     "LOAD_DEREF(n) LOAD_SMALL_INT(1) INPLACE_ADD STORE_DEREF(n) "
                     "LOAD_DEREF(n) RETURN_VALUE");
}
END_TEST

START_TEST(test_scope_rules) {
    /* Assignment anywhere makes a name local; global overrides; class
     * bodies are not enclosing scopes of their methods. */
    ck_assert_str_eq(func_ops("x = 1\ndef f():\n    print(x)\n    x = 2\n", "f"),
                     "LOAD_GLOBAL(print) LOAD_FAST(x) CALL(1) POP_TOP LOAD_SMALL_INT(2) "
                     "STORE_FAST(x) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(func_ops("def f():\n    global g\n    g = 1\n", "f"),
                     "LOAD_SMALL_INT(1) STORE_GLOBAL(g) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(func_ops("class C:\n    y = 1\n    def m(self):\n        return y\n", "m"),
                     "LOAD_GLOBAL(y) RETURN_VALUE");
    ck_assert_str_eq(func_ops("class C:\n    y = 1\n    z = y\n", "C"),
                     "LOAD_SMALL_INT(1) STORE_NAME(y) LOAD_NAME(y) STORE_NAME(z) "
                     "LOAD_NONE RETURN_VALUE");
    ObjCode *m = compile_ok("class C:\n    def m(self):\n        pass\n");
    ck_assert_str_eq(find_code(m, "m")->qualname->chars, "C.m");
    ck_assert_uint_eq(find_code(m, "C")->flags, CODE_CLASS_BODY);
}
END_TEST

START_TEST(test_scope_errors) {
    ck_assert_str_eq(compile_err("def f():\n    print(x)\n    global x\n"),
                     "SyntaxError 3:5 name 'x' is used prior to global declaration");
    ck_assert_str_eq(compile_err("def f():\n    nonlocal x\n"),
                     "SyntaxError 2:5 no binding for nonlocal 'x' found");
    ck_assert_str_eq(compile_err("nonlocal x\n"),
                     "SyntaxError 1:1 nonlocal declaration not allowed at module level");
    ck_assert_str_eq(compile_err("return 1\n"), "SyntaxError 1:1 'return' outside function");
    ck_assert_str_eq(compile_err("if 1:\n    break\n"), "SyntaxError 2:5 'break' outside loop");
    ck_assert_str_eq(compile_err("for x in y:\n    def f():\n        continue\n"),
                     "SyntaxError 3:9 'continue' not properly in loop");
    ck_assert_str_eq(compile_err("def f(a, a):\n    pass\n"),
                     "SyntaxError 1:10 duplicate argument 'a' in function definition");
    ck_assert_str_eq(compile_err("class C:\n    def m():\n        super()\n"),
                     "SyntaxError 3:9 super(): no arguments");
}
END_TEST

START_TEST(test_null_bytes) {
    /* vm_compile_n sees the whole buffer: a NUL is an error at its line
     * and column (in characters), not the end of the source. */
    static const char src[] = "x = 1\ny = '\xc3\xa9\0'\nprint(y)\n";
    VmCompileError err;
    ck_assert_ptr_null(vm_compile_n(tvm.vm, src, sizeof src - 1, "t.py", &err));
    ck_assert_str_eq(err.type, "SyntaxError");
    ck_assert_str_eq(err.message, "source code cannot contain null bytes");
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.col, 7);
}
END_TEST

START_TEST(test_calls) {
    ck_assert_str_eq(module_ops("o.m(1, 2)\n"),
                     "LOAD_GLOBAL(o) LOAD_METHOD(m) LOAD_SMALL_INT(1) LOAD_SMALL_INT(2) "
                     "CALL_METHOD(2) POP_TOP LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("f(a, k=v)\n"),
                     "LOAD_GLOBAL(f) LOAD_GLOBAL(a) LOAD_GLOBAL(v) LOAD_CONST(0) CALL_KW(2) "
                     "POP_TOP LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("o.m(k=1)\n"),
                     "LOAD_GLOBAL(o) LOAD_ATTR(m) LOAD_SMALL_INT(1) LOAD_CONST(0) "
                     "CALL_KW(1) POP_TOP LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("f(a, *b, k=1, **d)\n"),
                     "LOAD_GLOBAL(f) LOAD_GLOBAL(a) BUILD_LIST(1) LOAD_GLOBAL(b) LIST_EXTEND "
                     "LIST_TO_TUPLE BUILD_DICT(0) LOAD_CONST(0) LOAD_SMALL_INT(1) "
                     "BUILD_DICT(1) DICT_MERGE LOAD_GLOBAL(d) DICT_MERGE CALL_EX(1) POP_TOP "
                     "LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(func_ops("class C(B):\n    def m(self):\n        super().m()\n", "m"),
                     "LOAD_FAST(self) LOAD_SUPER LOAD_METHOD(m) CALL_METHOD(0) POP_TOP "
                     "LOAD_NONE RETURN_VALUE");
}
END_TEST

START_TEST(test_augmented_assignment) {
    ck_assert_str_eq(module_ops("o.x += v\n"),
                     "LOAD_GLOBAL(o) DUP_TOP LOAD_ATTR(x) LOAD_GLOBAL(v) INPLACE_ADD "
                     "ROT_TWO STORE_ATTR(x) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("a[i] -= v\n"),
                     "LOAD_GLOBAL(a) LOAD_GLOBAL(i) DUP_TOP_TWO BINARY_SUBSCR LOAD_GLOBAL(v) "
                     "INPLACE_SUB ROT_THREE STORE_SUBSCR LOAD_NONE RETURN_VALUE");
    char expect[128];
    snprintf(expect, sizeof expect,
             "LOAD_GLOBAL(x) LOAD_SMALL_INT(2) INPLACE_OP(%d) STORE_GLOBAL(x) LOAD_NONE "
             "RETURN_VALUE", OP_BINARY_FLOORDIV);
    ck_assert_str_eq(module_ops("x //= 2\n"), expect);
}
END_TEST

START_TEST(test_unpacking) {
    ck_assert_str_eq(module_ops("a, (b, c) = x\n"),
                     "LOAD_GLOBAL(x) UNPACK_SEQUENCE(2) STORE_GLOBAL(a) UNPACK_SEQUENCE(2) "
                     "STORE_GLOBAL(b) STORE_GLOBAL(c) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("a, *b, c, d = x\n"),
                     "LOAD_GLOBAL(x) UNPACK_EX(513) STORE_GLOBAL(a) STORE_GLOBAL(b) "
                     "STORE_GLOBAL(c) STORE_GLOBAL(d) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("a = b = 1\n"),
                     "LOAD_SMALL_INT(1) DUP_TOP STORE_GLOBAL(a) STORE_GLOBAL(b) LOAD_NONE "
                     "RETURN_VALUE");
}
END_TEST

START_TEST(test_control_flow) {
    ck_assert_str_eq(module_ops("while x:\n    if y:\n        break\n    continue\n"),
                     "LOAD_GLOBAL(x) POP_JUMP_IF_FALSE(7) LOAD_GLOBAL(y) "
                     "POP_JUMP_IF_FALSE(5) JUMP(7) JUMP_BACK(0) JUMP_BACK(0) LOAD_NONE "
                     "RETURN_VALUE");
    ck_assert_str_eq(module_ops("for i in x:\n    break\nelse:\n    y\n"),
                     "LOAD_GLOBAL(x) GET_ITER FOR_ITER(7) STORE_GLOBAL(i) POP_TOP JUMP(9) "
                     "JUMP_BACK(2) LOAD_GLOBAL(y) POP_TOP LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("x = a and b or c\n"),
                     "LOAD_GLOBAL(a) JUMP_IF_FALSE_OR_POP(3) LOAD_GLOBAL(b) "
                     "JUMP_IF_TRUE_OR_POP(5) LOAD_GLOBAL(c) STORE_GLOBAL(x) LOAD_NONE "
                     "RETURN_VALUE");
    ck_assert_str_eq(module_ops("x = a < b < c\n"),
                     "LOAD_GLOBAL(a) LOAD_GLOBAL(b) DUP_TOP ROT_THREE COMPARE_LT "
                     "JUMP_IF_FALSE_OR_POP(9) LOAD_GLOBAL(c) COMPARE_LT JUMP(11) ROT_TWO "
                     "POP_TOP STORE_GLOBAL(x) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("assert x, 'm'\n"),
                     "LOAD_GLOBAL(x) POP_JUMP_IF_TRUE(6) LOAD_GLOBAL(AssertionError) "
                     "LOAD_CONST(0) CALL(1) RAISE(1) LOAD_NONE RETURN_VALUE");
}
END_TEST

START_TEST(test_try_except) {
    ObjCode *m = compile_ok("try:\n    a\nexcept E as e:\n    b\n");
    ck_assert_str_eq(ops(m),
                     "LOAD_GLOBAL(a) POP_TOP JUMP(19) PUSH_EXC_INFO LOAD_GLOBAL(E) "
                     "CHECK_EXC_MATCH POP_JUMP_IF_FALSE(15) STORE_GLOBAL(e) LOAD_GLOBAL(b) "
                     "POP_TOP POP_EXCEPT LOAD_NONE STORE_GLOBAL(e) DELETE_GLOBAL(e) "
                     "JUMP(19) RERAISE ROT_TWO POP_EXCEPT RERAISE LOAD_NONE RETURN_VALUE");
    ck_assert_int_eq(m->exc_count, 2);
    ck_assert_uint_eq(m->exc_table[0].start, 0);
    ck_assert_uint_eq(m->exc_table[0].end, 2);
    ck_assert_uint_eq(m->exc_table[0].handler, 3);
    ck_assert_uint_eq(m->exc_table[0].depth, 0);
    ck_assert_uint_eq(m->exc_table[1].start, 4);
    ck_assert_uint_eq(m->exc_table[1].end, 16);
    ck_assert_uint_eq(m->exc_table[1].handler, 16);
    ck_assert_uint_eq(m->exc_table[1].depth, 1);
}
END_TEST

START_TEST(test_try_finally) {
    ObjCode *f = find_code(compile_ok("def f():\n    try:\n        return 1\n"
                                      "    finally:\n        g()\n"), "f");
    /* The return runs a copy of the finally body outside the region. */
    ck_assert_str_eq(ops(f),
                     "LOAD_SMALL_INT(1) LOAD_GLOBAL(g) CALL(0) POP_TOP RETURN_VALUE "
                     "LOAD_GLOBAL(g) CALL(0) POP_TOP JUMP(19) PUSH_EXC_INFO LOAD_GLOBAL(g) "
                     "CALL(0) POP_TOP ROT_TWO POP_EXCEPT RERAISE ROT_TWO POP_EXCEPT RERAISE "
                     "LOAD_NONE RETURN_VALUE");
    ck_assert_int_eq(f->exc_count, 2);
    ck_assert_uint_eq(f->exc_table[0].start, 0);
    ck_assert_uint_eq(f->exc_table[0].end, 1);
    ck_assert_uint_eq(f->exc_table[1].start, 10);
    ck_assert_uint_eq(f->exc_table[1].end, 13);
    ck_assert_uint_eq(f->exc_table[0].handler, 9);
    ck_assert_uint_eq(f->exc_table[1].handler, 16);
}
END_TEST

START_TEST(test_with) {
    ObjCode *m = compile_ok("with m as x:\n    b\n");
    ck_assert_str_eq(ops(m),
                     "LOAD_GLOBAL(m) BEFORE_WITH STORE_GLOBAL(x) LOAD_GLOBAL(b) POP_TOP "
                     "LOAD_NONE WITH_EXIT POP_TOP POP_TOP JUMP(15) WITH_EXIT "
                     "POP_JUMP_IF_TRUE(13) RERAISE POP_TOP JUMP(15) LOAD_NONE RETURN_VALUE");
    ck_assert_int_eq(m->exc_count, 1);
    ck_assert_uint_eq(m->exc_table[0].start, 2);
    ck_assert_uint_eq(m->exc_table[0].end, 5);
    ck_assert_uint_eq(m->exc_table[0].handler, 10);
    ck_assert_uint_eq(m->exc_table[0].depth, 1);
}
END_TEST

START_TEST(test_comprehensions) {
    ObjCode *m = compile_ok("y = [x * 2 for x in s if x]\n");
    ck_assert_str_eq(ops(m),
                     "LOAD_CONST(0) MAKE_FUNCTION(0) LOAD_GLOBAL(s) GET_ITER CALL(1) "
                     "STORE_GLOBAL(y) LOAD_NONE RETURN_VALUE");
    ObjCode *lc = find_code(m, "<listcomp>");
    ck_assert_int_eq(lc->nargs, 1);
    ck_assert_str_eq(ops(lc),
                     "BUILD_LIST(0) LOAD_FAST(.0) FOR_ITER(11) STORE_FAST(x) LOAD_FAST(x) "
                     "POP_JUMP_IF_FALSE(10) LOAD_FAST(x) LOAD_SMALL_INT(2) BINARY_MUL "
                     "LIST_APPEND(2) JUMP_BACK(2) RETURN_VALUE");
    ObjCode *g = find_code(compile_ok("g = (x for x in s)\n"), "<genexpr>");
    ck_assert_uint_eq(g->flags & CODE_GENERATOR, CODE_GENERATOR);
    ck_assert_str_eq(ops(g),
                     "LOAD_FAST(.0) FOR_ITER(7) STORE_FAST(x) LOAD_FAST(x) YIELD_VALUE "
                     "POP_TOP JUMP_BACK(1) LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(func_ops("d = {k: v for k, v in s}\n", "<dictcomp>"),
                     "BUILD_DICT(0) LOAD_FAST(.0) FOR_ITER(10) UNPACK_SEQUENCE(2) "
                     "STORE_FAST(k) STORE_FAST(v) LOAD_FAST(k) LOAD_FAST(v) MAP_ADD(2) "
                     "JUMP_BACK(2) RETURN_VALUE");
}
END_TEST

START_TEST(test_fstrings) {
    ck_assert_str_eq(module_ops("f'a{x!r:>{w}}'\n"),
                     "LOAD_CONST(0) LOAD_GLOBAL(x) LOAD_CONST(1) LOAD_GLOBAL(w) "
                     "FORMAT_VALUE(0) BUILD_STRING(2) FORMAT_VALUE(5) BUILD_STRING(2) "
                     "POP_TOP LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("x = f'plain' 'text'\n"),
                     "LOAD_CONST(0) STORE_GLOBAL(x) LOAD_NONE RETURN_VALUE");
}
END_TEST

START_TEST(test_classes_and_decorators) {
    ck_assert_str_eq(module_ops("@d\nclass C(B):\n    pass\n"),
                     "LOAD_GLOBAL(d) LOAD_BUILD_CLASS LOAD_CONST(0) MAKE_FUNCTION(0) "
                     "LOAD_CONST(1) LOAD_GLOBAL(B) CALL(3) CALL(1) STORE_GLOBAL(C) "
                     "LOAD_NONE RETURN_VALUE");
    ck_assert_str_eq(module_ops("@a\n@b\ndef f():\n    pass\n"),
                     "LOAD_GLOBAL(a) LOAD_GLOBAL(b) LOAD_CONST(0) MAKE_FUNCTION(0) CALL(1) "
                     "CALL(1) STORE_GLOBAL(f) LOAD_NONE RETURN_VALUE");
}
END_TEST

START_TEST(test_generators) {
    ObjCode *g = find_code(compile_ok("def g():\n    x = yield 1\n"), "g");
    ck_assert_uint_eq(g->flags & CODE_GENERATOR, CODE_GENERATOR);
    ck_assert_str_eq(ops(g), "LOAD_SMALL_INT(1) YIELD_VALUE STORE_FAST(x) LOAD_NONE "
                             "RETURN_VALUE");
}
END_TEST

START_TEST(test_line_table_and_stack) {
    ObjCode *m = compile_ok("x = 1\n\ny = (x +\n     2)\n");
    ck_assert_int_eq(m->lines[0], 1);
    ck_assert_int_eq(m->lines[2], 3);
    ck_assert_int_eq(m->cols[2], 6);  /* LOAD_GLOBAL x at line 3, col 6 */
    ck_assert_int_eq(m->lines[3], 4); /* the 2 */
    ck_assert_int_ge(m->max_stack, 2);
    ck_assert_str_eq(m->filename->chars, "t.py");
}
END_TEST

/* vm_dis_code's output, as a string (a listing of a few code objects). */
static char dis_buf[16384];
static const char *dis_text(ObjCode *code) {
    FILE *f = fmemopen(dis_buf, sizeof dis_buf, "w");
    vm_dis_code(f, code);
    fputc('\0', f);
    fclose(f);
    return dis_buf;
}

START_TEST(test_dis_output) {
    const char *d = dis_text(compile_ok("x = 2.5\n"));
    ck_assert_ptr_nonnull(strstr(d, "Disassembly of <module> (t.py, line 1):\n"
                                    "  1           0 LOAD_CONST               0 (2.5)\n"));
    ck_assert_ptr_nonnull(strstr(d, "STORE_GLOBAL             0 (x)\n"));
}
END_TEST

/* A listing reads as python -m dis: a header naming the function, the
 * source line in the first column where a line starts (a blank line before
 * it), ">>" on jump targets and handlers, decoded arguments (a small int
 * is its value, not its biased argument), the exception table. */
START_TEST(test_dis_listing) {
    ObjCode *f = find_code(compile_ok("def f(n):\n    while n > 0:\n        n -= 1\n"
                                      "    try:\n        g()\n    except E:\n        pass\n"
                                      "    return -5\n"),
                           "f");
    ck_assert_str_eq(dis_text(f),
                     "Disassembly of f (t.py, line 1):\n"
                     "  2     >>    0 LOAD_FAST                0 (n)\n"
                     "              1 LOAD_SMALL_INT           0\n"
                     "              2 COMPARE_GT\n"
                     "              3 POP_JUMP_IF_FALSE        9 (to 9)\n"
                     "\n"
                     "  3           4 LOAD_FAST                0 (n)\n"
                     "              5 LOAD_SMALL_INT           1\n"
                     "              6 INPLACE_SUB\n"
                     "              7 STORE_FAST               0 (n)\n"
                     "\n"
                     "  2           8 JUMP_BACK                0 (to 0)\n"
                     "\n"
                     "  5     >>    9 LOAD_GLOBAL              0 (g)\n"
                     "             10 CALL                     0\n"
                     "             11 POP_TOP\n"
                     "             12 JUMP                    24 (to 24)\n"
                     "\n"
                     "  6     >>   13 PUSH_EXC_INFO\n"
                     "             14 LOAD_GLOBAL              1 (E)\n"
                     "             15 CHECK_EXC_MATCH\n"
                     "             16 POP_JUMP_IF_FALSE       20 (to 20)\n"
                     "             17 POP_TOP\n"
                     "             18 POP_EXCEPT\n"
                     "             19 JUMP                    24 (to 24)\n"
                     "        >>   20 RERAISE\n"
                     "        >>   21 ROT_TWO\n"
                     "             22 POP_EXCEPT\n"
                     "             23 RERAISE\n"
                     "\n"
                     "  8     >>   24 LOAD_SMALL_INT          -5\n"
                     "             25 RETURN_VALUE\n"
                     "ExceptionTable:\n"
                     "  9 to 11 -> 13 [0]\n"
                     "  14 to 20 -> 21 [1]\n");
}
END_TEST

/* Every code object is listed after its parent, its own nested ones
 * before its next sibling, under its qualified name; a constant that is
 * a code object names it the same way, without an address. */
START_TEST(test_dis_nested) {
    const char *d = dis_text(compile_ok("def a():\n    def b():\n        def c():\n"
                                        "            pass\n        return c\n    return b\n"
                                        "class K:\n    def m(self):\n        return 1\n"));
    const char *heads[] = {"Disassembly of <module> (t.py, line 1):\n",
                           "Disassembly of a (t.py, line 1):\n",
                           "Disassembly of a.<locals>.b (t.py, line 2):\n",
                           "Disassembly of a.<locals>.b.<locals>.c (t.py, line 3):\n",
                           "Disassembly of K (t.py, line 7):\n",
                           "Disassembly of K.m (t.py, line 8):\n"};
    const char *at = d;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        const char *h = strstr(at, heads[i]);
        ck_assert_msg(h != NULL, "missing or out of order: %s", heads[i]);
        ck_assert(i == 0 || (h[-1] == '\n' && h[-2] == '\n'));
        at = h + 1;
    }
    ck_assert_ptr_nonnull(strstr(d, "LOAD_CONST               0 (<code a.<locals>.b, line 2>)\n"));
    ck_assert_ptr_null(strstr(d, "0x"));
    /* Deterministic: the same listing twice. */
    char first[sizeof dis_buf];
    strcpy(first, d);
    ck_assert_str_eq(dis_text(compile_ok("def a():\n    def b():\n        def c():\n"
                                         "            pass\n        return c\n    return b\n"
                                         "class K:\n    def m(self):\n        return 1\n")),
                     first);
}
END_TEST

/* Arguments that are flags or packed say what they mean. */
START_TEST(test_dis_operands) {
    const char *d = dis_text(compile_ok("def f(a, b=1, *, c=2):\n    def g():\n        return a\n"
                                        "    x, *y, z = a\n    a **= 2\n    return f'{a!r:>4}'\n"));
    ck_assert_ptr_nonnull(strstr(d, "MAKE_FUNCTION            3 (defaults, kwdefaults)\n"));
    ck_assert_ptr_nonnull(strstr(d, "MAKE_FUNCTION            4 (closure)\n"));
    ck_assert_ptr_nonnull(strstr(d, "UNPACK_EX              257 (1 before the star, 1 after)\n"));
    ck_assert_ptr_nonnull(strstr(d, " (**=)\n"));
    ck_assert_ptr_nonnull(strstr(d, "FORMAT_VALUE             5 (repr, with format)\n"));
    ck_assert_ptr_null(strstr(d, "8388"));
    /* What runs after the peephole pass: a superinstruction shows the
     * statement it stands for. */
    ObjCode *w = find_code(compile_ok("def w(n):\n    while n > 0:\n        n = n - 1\n"), "w");
    vm_peephole_optimize(w);
    d = dis_text(w);
    ck_assert_ptr_nonnull(strstr(d, "FAST_IMM_COMPARE_JUMP     0 (n > 0, jump if false to 9)\n"));
    ck_assert_ptr_nonnull(strstr(d, "FAST_IMM_ARITH_STORE     0 (n = n - 1)\n"));
}
END_TEST

START_TEST(test_programs_run) {
    ck_assert_prints("def f():\n    for i in range(3):\n        try:\n            if i == 1:\n"
                     "                continue\n            if i == 2:\n"
                     "                return i\n        finally:\n"
                     "            print('fin', i)\nprint(f())\n",
                     "fin 0\nfin 1\nfin 2\n2\n");
    ck_assert_prints("class A:\n    def m(self):\n        return 'A'\nclass B(A):\n"
                     "    def m(self):\n        return 'B' + super().m()\nprint(B().m())\n",
                     "BA\n");
    ck_assert_prints("a, *b = 1, 2, 3\nprint(a, b, f'{a!r:>3}|{b[0]=}')\n",
                     "1 [2, 3]   1|b[0]=2\n");
}
END_TEST

Suite *compiler_suite(void) {
    Suite *s = suite_create("compiler");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"constants_and_globals", test_constants_and_globals},
        {"function_slots", test_function_slots},
        {"closures", test_closures},
        {"scope_rules", test_scope_rules},
        {"scope_errors", test_scope_errors},
        {"null_bytes", test_null_bytes},
        {"calls", test_calls},
        {"augmented_assignment", test_augmented_assignment},
        {"unpacking", test_unpacking},
        {"control_flow", test_control_flow},
        {"try_except", test_try_except},
        {"try_finally", test_try_finally},
        {"with", test_with},
        {"comprehensions", test_comprehensions},
        {"fstrings", test_fstrings},
        {"classes_and_decorators", test_classes_and_decorators},
        {"generators", test_generators},
        {"line_table_and_stack", test_line_table_and_stack},
        {"dis_output", test_dis_output},
        {"dis_listing", test_dis_listing},
        {"dis_nested", test_dis_nested},
        {"dis_operands", test_dis_operands},
        {"programs_run", test_programs_run},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
