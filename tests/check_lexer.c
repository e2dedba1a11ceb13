/*
 * tests/check_lexer.c - the tokenizer (vm/compile/lexer.c): token sequences for
 * indentation, brackets, continuation lines, numbers, strings and
 * operators, and the exact position and wording of lexical errors.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/check_suites.h"
#include "vm/compile/lexer.h"

/* Tokens as "TYPE" or "TYPE:text", space separated. */
static char dump_buf[4096];

static const char *dump(const char *src) {
    TokenArray ta;
    LexError err;
    dump_buf[0] = '\0';
    if (!vm_lexer_tokenize(src, (int64_t)strlen(src), 1, 1, false, &ta, &err)) {
        snprintf(dump_buf, sizeof dump_buf, "%s %d:%d %s", err.type, err.line, err.col,
                 err.message);
        vm_lexer_tokens_fini(&ta);
        return dump_buf;
    }
    size_t n = 0;
    for (int i = 0; i < ta.count; i++) {
        Token *t = &ta.tokens[i];
        const char *name = vm_token_type_name(t->type);
        if (t->type == TOK_NAME || t->type == TOK_NUMBER || t->type == TOK_STRING)
            n += (size_t)snprintf(dump_buf + n, sizeof dump_buf - n, "%s%s:%.*s",
                                  i ? " " : "", name, t->length, t->start);
        else
            n += (size_t)snprintf(dump_buf + n, sizeof dump_buf - n, "%s%s", i ? " " : "",
                                  name);
    }
    vm_lexer_tokens_fini(&ta);
    return dump_buf;
}

START_TEST(test_simple_statement) {
    ck_assert_str_eq(dump("x = 1\n"), "name:x = number:1 newline end of file");
    ck_assert_str_eq(dump("x=1"), "name:x = number:1 newline end of file");
    ck_assert_str_eq(dump(""), "end of file");
    ck_assert_str_eq(dump("# only a comment\n\n"), "end of file");
}
END_TEST

START_TEST(test_indentation) {
    ck_assert_str_eq(dump("if x:\n    y\n\n    # c\n    z\nw\n"),
                     "if name:x : newline indent name:y newline name:z newline dedent "
                     "name:w newline end of file");
    ck_assert_str_eq(dump("if a:\n  if b:\n    c\n"),
                     "if name:a : newline indent if name:b : newline indent name:c "
                     "newline dedent dedent end of file");
    /* A tab advances to the next multiple of 8 columns. */
    ck_assert_str_eq(dump("if a:\n\tb\n        c\n"),
                     "if name:a : newline indent name:b newline name:c newline dedent "
                     "end of file");
}
END_TEST

START_TEST(test_inconsistent_dedent) {
    ck_assert_str_eq(dump("if a:\n    b\n  c\n"),
                     "IndentationError 3:3 unindent does not match any outer "
                     "indentation level");
}
END_TEST

START_TEST(test_brackets_and_continuation) {
    ck_assert_str_eq(dump("f(1,\n  2)\n"),
                     "name:f ( number:1 , number:2 ) newline end of file");
    ck_assert_str_eq(dump("x = 1 + \\\n    2\n"),
                     "name:x = number:1 + number:2 newline end of file");
    ck_assert_str_eq(dump("x = (1\n"), "SyntaxError 1:5 '(' was never closed");
    ck_assert_str_eq(dump("x = )\n"), "SyntaxError 1:5 unmatched ')'");
    ck_assert_str_eq(dump("(]\n"),
                     "SyntaxError 1:2 closing parenthesis ']' does not match opening "
                     "parenthesis '('");
}
END_TEST

START_TEST(test_operators) {
    ck_assert_str_eq(dump("a **= b // c ** d -> e := f != g"),
                     "name:a **= name:b // name:c ** name:d -> name:e := name:f != "
                     "name:g newline end of file");
    ck_assert_str_eq(dump("a<<=1>>2<=3>=4==5"),
                     "name:a <<= number:1 >> number:2 <= number:3 >= number:4 == "
                     "number:5 newline end of file");
    ck_assert_str_eq(dump("x.y[1:2]; ..."),
                     "name:x . name:y [ number:1 : number:2 ] ; ... newline end of file");
}
END_TEST

START_TEST(test_keywords) {
    ck_assert_str_eq(dump("not x and y or None is True"),
                     "not name:x and name:y or None is True newline end of file");
    ck_assert_str_eq(dump("matches = lambda: yield_"),
                     "name:matches = lambda : name:yield_ newline end of file");
}
END_TEST

START_TEST(test_numbers) {
    ck_assert_str_eq(dump("0x1F 0o17 0b101 1_000 3.5 1e-3 .5 1."),
                     "number:0x1F number:0o17 number:0b101 number:1_000 number:3.5 "
                     "number:1e-3 number:.5 number:1. newline end of file");
}
END_TEST

START_TEST(test_strings) {
    ck_assert_str_eq(dump("'a' \"b\" r'\\d' f'{x}' rb'' '''t\n'''"),
                     "string:'a' string:\"b\" string:r'\\d' string:f'{x}' string:rb'' "
                     "string:'''t\n''' newline end of file");
    ck_assert_str_eq(dump("'it\\'s'"), "string:'it\\'s' newline end of file");
    ck_assert_str_eq(dump("x = 'abc\n"),
                     "SyntaxError 1:5 unterminated string literal (detected at line 1)");
    ck_assert_str_eq(dump("x = '''abc\n\n"),
                     "SyntaxError 1:5 unterminated triple-quoted string literal "
                     "(detected at line 3)");
}
END_TEST

START_TEST(test_positions) {
    TokenArray ta;
    LexError err;
    const char *src = "def f(a):\n    return a\n";
    ck_assert(vm_lexer_tokenize(src, (int64_t)strlen(src), 1, 1, false, &ta, &err));
    /* def f ( a ) : NEWLINE INDENT return a */
    ck_assert_int_eq(ta.tokens[1].line, 1);
    ck_assert_int_eq(ta.tokens[1].col, 5);
    ck_assert_int_eq(ta.tokens[8].type, TOK_RETURN);
    ck_assert_int_eq(ta.tokens[8].line, 2);
    ck_assert_int_eq(ta.tokens[8].col, 5);
    ck_assert_int_eq(ta.tokens[9].col, 12);
    vm_lexer_tokens_fini(&ta);
}
END_TEST

START_TEST(test_invalid_characters) {
    ck_assert_str_eq(dump("x = $\n"), "SyntaxError 1:5 invalid character '$' (U+0024)");
    ck_assert_str_eq(dump("\xc3\xa9 = 1\n"),
                     "SyntaxError 1:1 non-ASCII identifiers are not supported in gilt");
    ck_assert_str_eq(dump("x = 1 \\ 2\n"),
                     "SyntaxError 1:7 unexpected character after line continuation "
                     "character");
}
END_TEST

START_TEST(test_expr_mode) {
    TokenArray ta;
    LexError err;
    const char *src = "a +\n b";
    ck_assert(vm_lexer_tokenize(src, (int64_t)strlen(src), 3, 10, true, &ta, &err));
    ck_assert_int_eq(ta.count, 4);
    ck_assert_int_eq(ta.tokens[0].line, 3);
    ck_assert_int_eq(ta.tokens[0].col, 10);
    ck_assert_int_eq(ta.tokens[2].line, 4);
    ck_assert_int_eq(ta.tokens[3].type, TOK_EOF);
    vm_lexer_tokens_fini(&ta);
}
END_TEST

Suite *lexer_suite(void) {
    Suite *s = suite_create("lexer");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"simple_statement", test_simple_statement},
        {"indentation", test_indentation},
        {"inconsistent_dedent", test_inconsistent_dedent},
        {"brackets_and_continuation", test_brackets_and_continuation},
        {"operators", test_operators},
        {"keywords", test_keywords},
        {"numbers", test_numbers},
        {"strings", test_strings},
        {"positions", test_positions},
        {"invalid_characters", test_invalid_characters},
        {"expr_mode", test_expr_mode},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}
