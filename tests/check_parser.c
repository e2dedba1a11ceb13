/*
 * tests/check_parser.c - the parser (vm/compile/parser.c) and AST (vm/compile/ast.c): tree
 * shapes compared as S-expressions from the AST printer, string literal
 * decoding, f-strings, and the position and wording of syntax errors for
 * constructs outside the subset.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check_suites.h"
#include "vm/compile/ast.h"
#include "vm/compile/parser.h"

static char result_buf[8192];

/* The module as "(Module ...)", or "Type line:col message" on error. */
static const char *parse(const char *src) {
    AstArena arena;
    AstList body;
    VmCompileError err;
    vm_ast_arena_init(&arena);
    if (!vm_parse_module(src, (int64_t)strlen(src), &arena, &body, &err)) {
        snprintf(result_buf, sizeof result_buf, "%s %d:%d %s", err.type, err.line, err.col,
                 err.message);
        vm_ast_arena_fini(&arena);
        return result_buf;
    }
    FILE *f = fmemopen(result_buf, sizeof result_buf, "w");
    vm_ast_print_module(f, &body);
    fputc('\0', f);
    fclose(f);
    vm_ast_arena_fini(&arena);
    return result_buf;
}

START_TEST(test_precedence) {
    ck_assert_str_eq(parse("x = 1 + 2 * 3\n"),
                     "(Module (ASSIGN (targets (Name x)) (BINOP + (Int 1) (BINOP * (Int 2) "
                     "(Int 3)))))");
    /* ** is right-associative and binds tighter than a unary minus on its
     * left, looser than one on its right. */
    ck_assert_str_eq(parse("-a ** -b ** c\n"),
                     "(Module (EXPR_STMT (UNARYOP - (BINOP ** (Name a) (UNARYOP - "
                     "(BINOP ** (Name b) (Name c)))))))");
    ck_assert_str_eq(parse("a or b and not c | d ^ e & f << g\n"),
                     "(Module (EXPR_STMT (BOOLOP or (Name a) (BOOLOP and (Name b) "
                     "(UNARYOP not (BINOP | (Name c) (BINOP ^ (Name d) (BINOP & (Name e) "
                     "(BINOP << (Name f) (Name g))))))))))");
    ck_assert_str_eq(parse("x if c else y\n"),
                     "(Module (EXPR_STMT (IFEXP (Name c) (Name x) (Name y))))");
    ck_assert_str_eq(parse("-5\n"), "(Module (EXPR_STMT (Int -5)))");
}
END_TEST

START_TEST(test_comparison_chain) {
    ck_assert_str_eq(parse("a < b <= c not in d is not e\n"),
                     "(Module (EXPR_STMT (COMPARE (Name a) < (Name b) <= (Name c) not in "
                     "(Name d) is not (Name e))))");
}
END_TEST

START_TEST(test_assignment_targets) {
    ck_assert_str_eq(parse("a = b = 1\n"),
                     "(Module (ASSIGN (targets (Name a) (Name b)) (Int 1)))");
    ck_assert_str_eq(parse("a, *b = c\n"),
                     "(Module (ASSIGN (targets (TUPLE (Name a) (STARRED (Name b)))) "
                     "(Name c)))");
    ck_assert_str_eq(parse("o.x += 1\n"),
                     "(Module (AUGASSIGN + (ATTRIBUTE (Name o) x) (Int 1)))");
    ck_assert_str_eq(parse("x: int = 5\n"), "(Module (ANNASSIGN (Name x) (Int 5)))");
    ck_assert_str_eq(parse("f() = 1\n"),
                     "SyntaxError 1:1 cannot assign to function call here. Maybe you "
                     "meant '==' instead of '='?");
    ck_assert_str_eq(parse("a, *b, *c = d\n"),
                     "SyntaxError 1:8 multiple starred expressions in assignment");
    ck_assert_str_eq(parse("del f()\n"), "SyntaxError 1:5 cannot delete function call");
}
END_TEST

START_TEST(test_def) {
    ck_assert_str_eq(parse("@d\ndef f(a, b=1, *c, d, e=2, **f) -> int:\n    return a\n"),
                     "(Module (FUNCDEF f (params (ARG a) (ARG b (Int 1)) *(ARG c) (ARG d) "
                     "(ARG e (Int 2)) **(ARG f)) (body (RETURN (Name a))) (decorators "
                     "(Name d))))");
    ck_assert_str_eq(parse("def f(a: int, *, k): pass\n"),
                     "(Module (FUNCDEF f (params (ARG a) * (ARG k)) (body (Pass))))");
    ck_assert_str_eq(parse("def f(a=1, b): pass\n"),
                     "SyntaxError 1:12 non-default argument follows default argument");
    ck_assert_str_eq(parse("lambda x, *y: x\n"),
                     "(Module (EXPR_STMT (LAMBDA (params (ARG x) *(ARG y)) (Name x))))");
}
END_TEST

START_TEST(test_class) {
    ck_assert_str_eq(parse("class C(B):\n    x = 1\n"),
                     "(Module (CLASSDEF C (Name B) (body (ASSIGN (targets (Name x)) "
                     "(Int 1)))))");
    ck_assert_str_eq(parse("class C(): pass\n"), "(Module (CLASSDEF C - (body (Pass))))");
    ck_assert_str_eq(parse("class C(metaclass=M): pass\n"),
                     "SyntaxError 1:9 keyword argument 'metaclass' in class definition is "
                     "not supported");
    ck_assert_str_eq(parse("class C(A, B): pass\n"),
                     "SyntaxError 1:12 multiple inheritance is not supported");
}
END_TEST

START_TEST(test_compound_statements) {
    ck_assert_str_eq(parse("if a:\n    b\nelif c:\n    d\nelse:\n    e\n"),
                     "(Module (IF (Name a) (body (EXPR_STMT (Name b))) (else (IF (Name c) "
                     "(body (EXPR_STMT (Name d))) (else (EXPR_STMT (Name e)))))))");
    ck_assert_str_eq(parse("for i, j in x:\n    break\nelse:\n    pass\n"),
                     "(Module (FOR (TUPLE (Name i) (Name j)) (Name x) (body (Break)) "
                     "(else (Pass))))");
    ck_assert_str_eq(parse("try:\n    a\nexcept (E, F) as e:\n    raise X from e\n"
                           "except:\n    raise\nelse:\n    b\nfinally:\n    c\n"),
                     "(Module (TRY (body (EXPR_STMT (Name a))) (handlers (HANDLER (TUPLE "
                     "(Name E) (Name F)) e (body (RAISE (Name X) (Name e)))) (HANDLER - - "
                     "(body (RAISE - -)))) (else (EXPR_STMT (Name b))) (finally (EXPR_STMT "
                     "(Name c)))))");
    ck_assert_str_eq(parse("with a as b, c:\n    pass\n"),
                     "(Module (WITH (WITHITEM (Name a) (Name b)) (WITHITEM (Name c) -) "
                     "(body (Pass))))");
    ck_assert_str_eq(parse("import a.b as c, d\nfrom m import (x, y as z)\n"),
                     "(Module (IMPORT (ALIAS a.b c) (ALIAS d)) (IMPORTFROM m (ALIAS x) "
                     "(ALIAS y z)))");
    ck_assert_str_eq(parse("assert x, 'm'\ndel a[1], b.c\nglobal g\n"),
                     "(Module (ASSERT (Name x) (Str \"m\")) (DEL (SUBSCRIPT (Name a) "
                     "(Int 1)) (ATTRIBUTE (Name b) c)) (GLOBAL (Name g)))");
}
END_TEST

START_TEST(test_calls_and_subscripts) {
    ck_assert_str_eq(parse("f(a, *b, k=1, **d)\n"),
                     "(Module (EXPR_STMT (CALL (Name f) (Name a) (STARRED (Name b)) "
                     "(KEYWORD k (Int 1)) (KEYWORD ** (Name d)))))");
    ck_assert_str_eq(parse("sum(x for x in y)\n"),
                     "(Module (EXPR_STMT (CALL (Name sum) (GENEXP (Name x) (COMPREHENSION "
                     "(Name x) (Name y))))))");
    ck_assert_str_eq(parse("a[1:2, ::3]\n"),
                     "(Module (EXPR_STMT (SUBSCRIPT (Name a) (TUPLE (SLICE (Int 1) (Int 2) "
                     "-) (SLICE - - (Int 3))))))");
    ck_assert_str_eq(parse("f(k=1, 2)\n"),
                     "SyntaxError 1:8 positional argument follows keyword argument");
}
END_TEST

START_TEST(test_displays) {
    ck_assert_str_eq(parse("((), (1,), [*a], {**d, 'k': v})\n"),
                     "(Module (EXPR_STMT (TUPLE (TUPLE) (TUPLE (Int 1)) (LIST (STARRED "
                     "(Name a))) (DICT ** (Name d) (Str \"k\") (Name v)))))");
    ck_assert_str_eq(parse("[x for a in b if c for x in a]\n"),
                     "(Module (EXPR_STMT (LISTCOMP (Name x) (COMPREHENSION (Name a) "
                     "(Name b) if (Name c)) (COMPREHENSION (Name x) (Name a)))))");
    ck_assert_str_eq(parse("{k: v for k, v in d}\n"),
                     "(Module (EXPR_STMT (DICTCOMP (Name k) (Name v) (COMPREHENSION "
                     "(TUPLE (Name k) (Name v)) (Name d)))))");
    ck_assert_str_eq(parse("x = {1, 2}\n"), "SyntaxError 1:5 set displays are not supported");
}
END_TEST

START_TEST(test_strings) {
    ck_assert_str_eq(parse("'a\\tb\\x41\\u00e9' \"c\"\n"),
                     "(Module (EXPR_STMT (Str \"a\\x09bA\xc3\xa9" "c\")))");
    ck_assert_str_eq(parse("r'\\d'\n"), "(Module (EXPR_STMT (Str \"\\\\d\")))");
    ck_assert_str_eq(parse("'''a\nb'''\n"), "(Module (EXPR_STMT (Str \"a\\nb\")))");
    ck_assert_str_eq(parse("b'x'\n"), "SyntaxError 1:1 bytes literals are not supported");
}
END_TEST

START_TEST(test_fstrings) {
    ck_assert_str_eq(parse("f'a{x!r:>{w}}b{{c}}' 'd'\n"),
                     "(Module (EXPR_STMT (JOINEDSTR (Str \"a\") (FORMATTED (Name x) !r "
                     "(JOINEDSTR (Str \">\") (FORMATTED (Name w)))) (Str \"b{c}d\"))))");
    ck_assert_str_eq(parse("f'{x=}'\n"),
                     "(Module (EXPR_STMT (JOINEDSTR (Str \"x=\") (FORMATTED (Name x) !r))))");
    ck_assert_str_eq(parse("f'{a + b}'\n"),
                     "(Module (EXPR_STMT (JOINEDSTR (FORMATTED (BINOP + (Name a) "
                     "(Name b))))))");
    ck_assert_str_eq(parse("x = f'{}'\n"),
                     "SyntaxError 1:8 f-string: empty expression not allowed");
    /* Errors inside a replacement field point into the field. */
    ck_assert_str_eq(parse("x = f'ab{1 +}'\n"), "SyntaxError 1:13 f-string: invalid syntax");
    ck_assert_str_eq(parse("f'{x'\n"), "SyntaxError 1:3 f-string: expecting '}'");
}
END_TEST

START_TEST(test_numbers) {
    ck_assert_str_eq(parse("0x1F + 0o17 + 0b11 + 1_000 + 2.5e1\n"),
                     "(Module (EXPR_STMT (BINOP + (BINOP + (BINOP + (BINOP + (Int 31) "
                     "(Int 15)) (Int 3)) (Int 1000)) (Float 25))))");
    ck_assert_str_eq(parse("x = 9223372036854775808\n"),
                     "SyntaxError 1:5 integer literal too large");
    ck_assert_str_eq(parse("-9223372036854775808\n"),
                     "(Module (EXPR_STMT (Int -9223372036854775808)))");
    ck_assert_str_eq(parse("-9223372036854775808 ** 2\n"),
                     "SyntaxError 1:2 integer literal too large");
    ck_assert_str_eq(parse("x = 012\n"),
                     "SyntaxError 1:5 leading zeros in decimal integer literals are not "
                     "permitted; use an 0o prefix for octal integers");
}
END_TEST

START_TEST(test_unsupported_constructs) {
    ck_assert_str_eq(parse("async def f():\n    pass\n"),
                     "SyntaxError 1:1 'async def' is not supported in gilt yet");
    ck_assert_str_eq(parse("def f():\n    yield from g\n"),
                     "SyntaxError 2:5 'yield from' is not supported");
    ck_assert_str_eq(parse("match x:\n    case 1:\n        pass\n"),
                     "SyntaxError 1:1 'match' statements are not supported");
    ck_assert_str_eq(parse("if (n := 1):\n    pass\n"),
                     "SyntaxError 1:7 walrus operator ':=' is not supported");
    ck_assert_str_eq(parse("x = await y\n"),
                     "SyntaxError 1:5 'await' is not supported in gilt yet");
    /* `match` is still an ordinary name. */
    ck_assert_str_eq(parse("match = 1\nmatch(x)\n"),
                     "(Module (ASSIGN (targets (Name match)) (Int 1)) (EXPR_STMT (CALL "
                     "(Name match) (Name x))))");
}
END_TEST

START_TEST(test_block_errors) {
    ck_assert_str_eq(parse("if x:\npass\n"),
                     "IndentationError 2:1 expected an indented block after 'if' "
                     "statement on line 1");
    ck_assert_str_eq(parse("x = 1\n    y = 2\n"), "IndentationError 2:5 unexpected indent");
    ck_assert_str_eq(parse("if x\n    pass\n"), "SyntaxError 1:5 expected ':'");
    ck_assert_str_eq(parse("x = 1 +\n"), "SyntaxError 1:8 invalid syntax");
    /* An unclosed bracket is reported unless a syntax error on its own line
     * comes first, as in CPython. */
    ck_assert_str_eq(parse("def f(:\n    pass\n"), "SyntaxError 1:7 invalid syntax");
    ck_assert_str_eq(parse("foo(1, 2\nx = 3\n"), "SyntaxError 1:4 '(' was never closed");
}
END_TEST

START_TEST(test_generators) {
    ck_assert_str_eq(parse("def g():\n    x = yield 1\n    yield\n"),
                     "(Module (FUNCDEF g (params) (body (ASSIGN (targets (Name x)) (YIELD "
                     "(Int 1))) (EXPR_STMT (YIELD -)))))");
}
END_TEST

Suite *parser_suite(void) {
    Suite *s = suite_create("parser");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"precedence", test_precedence},
        {"comparison_chain", test_comparison_chain},
        {"assignment_targets", test_assignment_targets},
        {"def", test_def},
        {"class", test_class},
        {"compound_statements", test_compound_statements},
        {"calls_and_subscripts", test_calls_and_subscripts},
        {"displays", test_displays},
        {"strings", test_strings},
        {"fstrings", test_fstrings},
        {"numbers", test_numbers},
        {"unsupported_constructs", test_unsupported_constructs},
        {"block_errors", test_block_errors},
        {"generators", test_generators},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
