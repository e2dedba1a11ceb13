/*
 * vm/compile/parser.c - recursive descent over the token array, building the AST.
 *
 * The grammar follows CPython 3.11's (Grammar/python.gram) for the subset,
 * one function per precedence level.  Errors unwind with longjmp: every node
 * lives in the arena, so nothing leaks when a parse is abandoned, and the
 * grammar functions stay free of error plumbing.  String literals are
 * decoded here (escapes, adjacent-literal concatenation, f-strings); an
 * f-string's replacement fields are tokenized and parsed again as
 * expressions from the original source text, so their positions are exact.
 */
#include "vm/compile/parser.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/compile/lexer.h"
#include "vm/runtime/cstack.h"
#include "vm/runtime/memory.h"
#include "vm/object/str.h"

typedef struct {
    Token *toks;
    int count;
    int pos;
    AstArena *arena;
    VmCompileError *err;
    jmp_buf *fail;
    bool in_fstring;     /* parsing a replacement field of an f-string */
    int depth;           /* expression nesting, bounded to protect the C stack */
    bool negated_literal; /* the number being parsed directly follows a
                             unary minus, so 2**63 is representable */
} Parser;

/* Deeper expressions than this are a SyntaxError rather than a crash. */
#define MAX_EXPR_DEPTH 400

static _Noreturn void error_at(Parser *p, const char *type, int line, int col,
                               const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static _Noreturn void error_at(Parser *p, const char *type, int line, int col,
                               const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    snprintf(p->err->type, sizeof p->err->type, "%s", type);
    p->err->line = line;
    p->err->col = col;
    longjmp(*p->fail, 1);
}

#define SYNTAX(p, tok, ...) \
    error_at((p), "SyntaxError", (tok)->line, (tok)->col, __VA_ARGS__)
#define NODE_ERROR(p, node, ...) \
    error_at((p), "SyntaxError", (node)->line, (node)->col, __VA_ARGS__)

static Token *peek(Parser *p) { return &p->toks[p->pos]; }
static Token *peek_at(Parser *p, int k) {
    int i = p->pos + k;
    return &p->toks[i < p->count ? i : p->count - 1];
}
static bool check(Parser *p, TokenType t) { return p->toks[p->pos].type == t; }
static Token *advance(Parser *p) {
    Token *t = &p->toks[p->pos];
    if (t->type != TOK_EOF) p->pos++;
    return t;
}
static bool match(Parser *p, TokenType t) {
    if (!check(p, t)) return false;
    advance(p);
    return true;
}

static _Noreturn void invalid_syntax(Parser *p) {
    Token *t = peek(p);
    if (t->type == TOK_INDENT)
        error_at(p, "IndentationError", t->line, t->col, "unexpected indent");
    if (t->type == TOK_AWAIT)
        SYNTAX(p, t, "'await' is not supported in gilt yet");
    if (t->type == TOK_WALRUS)
        SYNTAX(p, t, "walrus operator ':=' is not supported");
    if (p->in_fstring) SYNTAX(p, t, "f-string: invalid syntax");
    if (t->type == TOK_EOF)
        SYNTAX(p, t, "unexpected EOF while parsing");
    SYNTAX(p, t, "invalid syntax");
}

static Token *expect(Parser *p, TokenType t, const char *what) {
    if (check(p, t)) return advance(p);
    if (what) {
        Token *bad = peek(p);
        if (bad->type == TOK_WALRUS || bad->type == TOK_INDENT ||
            bad->type == TOK_AWAIT)
            invalid_syntax(p);
        /* CPython points "expected ':'" at the end of the previous token. */
        Token *prev = p->pos > 0 ? &p->toks[p->pos - 1] : bad;
        if (t == TOK_COLON)
            error_at(p, "SyntaxError", prev->line, prev->col + prev->length,
                     "expected '%s'", what);
        SYNTAX(p, bad, "expected '%s'", what);
    }
    invalid_syntax(p);
}

/* One more level of expression nesting (a parenthesis, a unary operator,
 * the right operand of **, ...), at token t; leave() ends it. */
static void enter(Parser *p, Token *t) {
    if (++p->depth > MAX_EXPR_DEPTH || vm_c_stack_low())
        SYNTAX(p, t, "too many nested expressions");
}
static void leave(Parser *p) { p->depth--; }

static AstNode *new_node(Parser *p, AstKind kind, Token *t) {
    return vm_ast_new(p->arena, kind, t->line, t->col);
}
static AstNode *new_at(Parser *p, AstKind kind, AstNode *at) {
    return vm_ast_new(p->arena, kind, at->line, at->col);
}
static const char *tok_name(Parser *p, Token *t) {
    return vm_ast_strdup(p->arena, t->start, (size_t)t->length);
}
static void push(Parser *p, AstList *l, AstNode *n) { vm_ast_list_push(p->arena, l, n); }

/* ---- forward declarations of the grammar ------------------------------ */

static AstNode *parse_test(Parser *p);
static AstNode *parse_test_nocond(Parser *p);
static AstNode *parse_or_test(Parser *p);
static AstNode *parse_expr(Parser *p);
static AstNode *parse_star_expr(Parser *p);
static AstNode *parse_testlist_star(Parser *p, bool allow_yield);
static AstNode *parse_exprlist(Parser *p);
static void parse_block(Parser *p, AstList *body, const char *what, Token *kw);
static AstNode *parse_statement_into(Parser *p, AstList *body);
static void parse_comprehension_clauses(Parser *p, AstList *gens);
static AstNode *parse_fstring_body(Parser *p, const char *s, const char *end,
                                   int line, int col, bool raw, int depth);

/* ---- literals --------------------------------------------------------- */

static AstNode *parse_number(Parser *p, Token *t) {
    char buf[128];
    int n = 0;
    const char *s = t->start;
    int len = t->length;
    if (len >= (int)sizeof buf) SYNTAX(p, t, "invalid decimal literal");
    /* Underscores may only sit between two digits. */
    for (int i = 0; i < len; i++) {
        if (s[i] == '_') {
            if (i == 0 || i + 1 >= len || s[i + 1] == '_' ||
                !isalnum((unsigned char)s[i - 1]) || !isalnum((unsigned char)s[i + 1]))
                SYNTAX(p, t, "invalid decimal literal");
            continue;
        }
        buf[n++] = s[i];
    }
    buf[n] = '\0';
    char last = buf[n - 1];
    if (last == 'j' || last == 'J')
        SYNTAX(p, t, "complex literals are not supported");
    AstNode *node;
    if (buf[0] == '0' && n > 1 && strchr("xXoObB", buf[1])) {
        int base = (buf[1] == 'x' || buf[1] == 'X') ? 16
                   : (buf[1] == 'o' || buf[1] == 'O') ? 8 : 2;
        if (n == 2)
            SYNTAX(p, t, "invalid %s literal",
                   base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary");
        errno = 0;
        char *end;
        unsigned long long v = strtoull(buf + 2, &end, base);
        if (*end)
            SYNTAX(p, t, "invalid digit '%c' in %s literal", *end,
                   base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary");
        if (errno == ERANGE || v > (unsigned long long)INT64_MAX)
            SYNTAX(p, t, "integer literal too large");
        node = new_node(p, AST_INT, t);
        node->ival = (int64_t)v;
        return node;
    }
    bool is_float = strpbrk(buf, ".eE") != NULL;
    for (int i = 0; i < n; i++) {
        char c = buf[i];
        bool ok = isdigit((unsigned char)c) ||
                  (is_float && (c == '.' || c == 'e' || c == 'E' ||
                                ((c == '+' || c == '-') && i > 0 &&
                                 (buf[i - 1] == 'e' || buf[i - 1] == 'E'))));
        if (!ok) SYNTAX(p, t, "invalid decimal literal");
    }
    if (is_float) {
        char *end;
        double d = strtod(buf, &end);
        if (*end) SYNTAX(p, t, "invalid decimal literal");
        node = new_node(p, AST_FLOAT, t);
        node->fval = d;
        return node;
    }
    if (buf[0] == '0') {
        for (int i = 1; i < n; i++)
            if (buf[i] != '0')
                SYNTAX(p, t, "leading zeros in decimal integer literals are not "
                             "permitted; use an 0o prefix for octal integers");
    }
    errno = 0;
    unsigned long long v = strtoull(buf, NULL, 10);
    if (p->negated_literal && errno != ERANGE && v == (unsigned long long)INT64_MAX + 1) {
        /* -9223372036854775808: the minus is folded in by parse_factor. */
        node = new_node(p, AST_INT, t);
        node->ival = INT64_MIN;
        return node;
    }
    if (errno == ERANGE || v > (unsigned long long)INT64_MAX)
        SYNTAX(p, t, "integer literal too large");
    node = new_node(p, AST_INT, t);
    node->ival = (int64_t)v;
    return node;
}

/* A growable byte buffer for decoding literals.  It lives in the AST
 * arena, so a syntax error unwinding past it leaks nothing; outgrown
 * copies are simply abandoned in the arena until the compile ends. */
typedef struct {
    char *b;
    int64_t n, cap;
    AstArena *arena;
} Buf;

static void buf_add(Buf *b, const char *s, int64_t n) {
    if (b->n + n + 1 > b->cap) {
        int64_t cap = b->cap < 64 ? 64 : b->cap;
        while (cap < b->n + n + 1) cap *= 2;
        char *nb = vm_ast_alloc(b->arena, (size_t)cap);
        if (b->n) memcpy(nb, b->b, (size_t)b->n);
        b->b = nb;
        b->cap = cap;
    }
    memcpy(b->b + b->n, s, (size_t)n);
    b->n += n;
    b->b[b->n] = '\0';
}
static void buf_free(Buf *b) {
    b->b = NULL;
    b->n = b->cap = 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode the escapes of s[0..n) (a non-raw literal segment) into out.
 * Errors are reported at (line, col), the literal's position. */
static void decode_escapes(Parser *p, Buf *out, const char *s, int64_t n,
                           bool raw, int line, int col) {
    int64_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c != '\\' || raw) {
            /* In raw strings a backslash still protects the next quote but
             * both characters are kept, which this copy does naturally. */
            buf_add(out, &s[i], 1);
            i++;
            continue;
        }
        if (i + 1 >= n) {
            buf_add(out, "\\", 1);
            i++;
            continue;
        }
        char e = s[i + 1];
        i += 2;
        char ch;
        switch (e) {
        case '\n': continue;
        case 'n': ch = '\n'; break;
        case 't': ch = '\t'; break;
        case 'r': ch = '\r'; break;
        case '\\': ch = '\\'; break;
        case '\'': ch = '\''; break;
        case '"': ch = '"'; break;
        case 'a': ch = '\a'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'v': ch = '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6':
        case '7': {
            int v = e - '0';
            for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
                v = v * 8 + (s[i++] - '0');
            char enc[4];
            int m = vm_utf8_encode((uint32_t)v, enc);
            buf_add(out, enc, m);
            continue;
        }
        case 'x': case 'u': case 'U': {
            int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t v = 0;
            for (int k = 0; k < digits; k++) {
                int h = i + k < n ? hexval(s[i + k]) : -1;
                if (h < 0)
                    error_at(p, "SyntaxError", line, col,
                             "(unicode error) 'unicodeescape' codec can't decode "
                             "bytes: truncated \\%c%s escape", e,
                             e == 'x' ? "XX" : e == 'u' ? "XXXX" : "XXXXXXXX");
                v = v * 16 + (uint32_t)h;
            }
            i += digits;
            if (v > 0x10FFFF)
                error_at(p, "SyntaxError", line, col,
                         "(unicode error) 'unicodeescape' codec can't decode "
                         "bytes: illegal Unicode character");
            char enc[4];
            int m = vm_utf8_encode(v, enc);
            buf_add(out, enc, m);
            continue;
        }
        case 'N':
            error_at(p, "SyntaxError", line, col,
                     "\\N{...} escapes are not supported in gilt");
        default:
            /* Unknown escapes keep their backslash (CPython warns). */
            buf_add(out, "\\", 1);
            ch = e;
            break;
        }
        buf_add(out, &ch, 1);
    }
}

/* Split a string token into prefix flags and body. */
typedef struct {
    bool raw, fstr, bytes;
    const char *body;
    int64_t len;
    int body_line, body_col;
} StrParts;

static StrParts split_string(Token *t) {
    StrParts sp = {0};
    const char *s = t->start;
    int i = 0;
    while (s[i] != '\'' && s[i] != '"') {
        char c = s[i];
        if (c == 'r' || c == 'R') sp.raw = true;
        if (c == 'f' || c == 'F') sp.fstr = true;
        if (c == 'b' || c == 'B') sp.bytes = true;
        i++;
    }
    char q = s[i];
    int qlen = (t->length - i >= 6 && s[i + 1] == q && s[i + 2] == q) ? 3 : 1;
    sp.body = s + i + qlen;
    sp.len = t->length - i - 2 * qlen;
    sp.body_line = t->line;
    sp.body_col = t->col + i + qlen;
    return sp;
}

static void add_str_part(Parser *p, AstList *parts, const char *s, int64_t n,
                         int line, int col) {
    if (n == 0) return;
    if (parts->count > 0 && parts->items[parts->count - 1]->kind == AST_STR) {
        AstNode *last = parts->items[parts->count - 1];
        char *joined = vm_ast_alloc(p->arena, (size_t)(last->slen + n + 1));
        memcpy(joined, last->str, (size_t)last->slen);
        memcpy(joined + last->slen, s, (size_t)n);
        last->str = joined;
        last->slen += n;
        return;
    }
    AstNode *str = vm_ast_new(p->arena, AST_STR, line, col);
    str->str = vm_ast_strdup(p->arena, s, (size_t)n);
    str->slen = n;
    push(p, parts, str);
}

/* Parse an expression from source text [s, end) at (line, col): the inside
 * of an f-string replacement field. */
static AstNode *parse_sub_expression(Parser *p, const char *s, const char *end,
                                     int line, int col) {
    TokenArray ta;
    LexError le;
    if (!vm_lexer_tokenize(s, end - s, line, col, true, &ta, &le)) {
        vm_lexer_tokens_fini(&ta);
        error_at(p, le.type, le.line, le.col, "%s", le.message);
    }
    Token *copy = vm_ast_alloc(p->arena, sizeof(Token) * (size_t)ta.count);
    memcpy(copy, ta.tokens, sizeof(Token) * (size_t)ta.count);
    int count = ta.count;
    vm_lexer_tokens_fini(&ta);
    Parser sub = *p;
    sub.toks = copy;
    sub.count = count;
    sub.pos = 0;
    sub.in_fstring = true;
    if (sub.toks[0].type == TOK_EOF)
        error_at(p, "SyntaxError", line, col, "f-string: empty expression not allowed");
    AstNode *e = parse_testlist_star(&sub, true);
    if (!check(&sub, TOK_EOF)) {
        Token *bad = peek(&sub);
        if (bad->type == TOK_WALRUS)
            SYNTAX(p, bad, "walrus operator ':=' is not supported");
        SYNTAX(p, bad, "f-string: invalid syntax");
    }
    return e;
}

/* Advance over a position in f-string source, tracking line/col. */
static void fs_step(const char *c, int *line, int *col) {
    if (*c == '\n') {
        (*line)++;
        *col = 1;
    } else {
        (*col)++;
    }
}

/* Parse the inside of an f-string (or of a format spec, depth > 0) into a
 * JOINEDSTR node. */
static AstNode *parse_fstring_body(Parser *p, const char *s, const char *end,
                                   int line, int col, bool raw, int depth) {
    AstNode *js = vm_ast_new(p->arena, AST_JOINEDSTR, line, col);
    Buf lit = {0};
    lit.arena = p->arena;
    int lit_line = line, lit_col = col;
    const char *lit_start = s;
    const char *q = s;
    while (q < end) {
        char c = *q;
        if (c == '{' && q + 1 < end && q[1] == '{' && depth == 0) {
            decode_escapes(p, &lit, lit_start, q - lit_start + 1, raw, lit_line, lit_col);
            fs_step(q, &line, &col);
            fs_step(q + 1, &line, &col);
            q += 2;
            lit_start = q;
            continue;
        }
        if (c == '}' && depth == 0) {
            if (q + 1 < end && q[1] == '}') {
                decode_escapes(p, &lit, lit_start, q - lit_start + 1, raw, lit_line, lit_col);
                fs_step(q, &line, &col);
                fs_step(q + 1, &line, &col);
                q += 2;
                lit_start = q;
                continue;
            }
            buf_free(&lit);
            error_at(p, "SyntaxError", line, col, "f-string: single '}' is not allowed");
        }
        if (c == '\\' && !raw && q + 1 < end) {
            fs_step(q, &line, &col);
            fs_step(q + 1, &line, &col);
            q += 2;
            continue;
        }
        if (c != '{') {
            fs_step(q, &line, &col);
            q++;
            continue;
        }
        /* A replacement field. */
        decode_escapes(p, &lit, lit_start, q - lit_start, raw, lit_line, lit_col);
        add_str_part(p, &js->list, lit.b ? lit.b : "", lit.n, lit_line, lit_col);
        lit.n = 0;
        int field_line = line, field_col = col;
        fs_step(q, &line, &col);
        q++;
        const char *expr_start = q;
        int expr_line = line, expr_col = col;
        int nest = 0;
        char in_quote = 0;
        const char *expr_end = NULL;
        bool debug = false;
        while (q < end) {
            char d = *q;
            if (in_quote) {
                if (d == in_quote) in_quote = 0;
            } else if (d == '\'' || d == '"') {
                in_quote = d;
            } else if (d == '\\') {
                buf_free(&lit);
                error_at(p, "SyntaxError", line, col,
                         "f-string expression part cannot include a backslash");
            } else if (d == '(' || d == '[' || d == '{') {
                nest++;
            } else if ((d == ')' || d == ']' || d == '}') && nest > 0) {
                nest--;
            } else if (nest == 0) {
                if (d == '}' || d == ':') break;
                if (d == '!' && q + 1 < end && q[1] != '=') break;
                if (d == '=' && q + 1 < end && q[1] != '=' && q > expr_start &&
                    !strchr("=!<>", q[-1])) {
                    debug = true;
                    break;
                }
            }
            if (d == '#' && !in_quote) {
                buf_free(&lit);
                error_at(p, "SyntaxError", line, col,
                         "f-string expression part cannot include '#'");
            }
            fs_step(q, &line, &col);
            q++;
        }
        if (q >= end) {
            buf_free(&lit);
            error_at(p, "SyntaxError", field_line, field_col,
                     "f-string: expecting '}'");
        }
        expr_end = q;
        AstNode *value = parse_sub_expression(p, expr_start, expr_end, expr_line, expr_col);
        AstNode *fv = vm_ast_new(p->arena, AST_FORMATTED, field_line, field_col);
        fv->a = value;
        fv->op = -1;
        if (debug) {
            /* f"{x=}" is the text "x=" followed by repr(x) (unless a
             * conversion or spec says otherwise). */
            const char *text_end = q + 1;
            fs_step(q, &line, &col);
            q++;
            while (q < end && (*q == ' ')) {
                fs_step(q, &line, &col);
                q++;
                text_end = q;
            }
            add_str_part(p, &js->list, expr_start, text_end - expr_start,
                         expr_line, expr_col);
            fv->op = 'r';
        }
        bool explicit_conv = q < end && *q == '!';
        if (explicit_conv) {
            fs_step(q, &line, &col);
            q++;
            if (q >= end || !strchr("sra", *q))
                error_at(p, "SyntaxError", line, col,
                         "f-string: invalid conversion character: expected 's', 'r', or 'a'");
            fv->op = *q;
            fs_step(q, &line, &col);
            q++;
        }
        if (q < end && *q == ':') {
            fs_step(q, &line, &col);
            q++;
            const char *spec_start = q;
            int spec_line = line, spec_col = col;
            int snest = 0;
            while (q < end) {
                if (*q == '{') snest++;
                else if (*q == '}') {
                    if (snest == 0) break;
                    snest--;
                }
                fs_step(q, &line, &col);
                q++;
            }
            if (q >= end)
                error_at(p, "SyntaxError", field_line, field_col, "f-string: expecting '}'");
            if (depth >= 1)
                error_at(p, "SyntaxError", spec_line, spec_col,
                         "f-string: expressions nested too deeply");
            fv->b = parse_fstring_body(p, spec_start, q, spec_line, spec_col, raw,
                                       depth + 1);
            /* With a spec and no explicit conversion, f"{x=:spec}" formats
             * x itself rather than its repr. */
            if (debug && !explicit_conv) fv->op = -1;
        }
        if (q >= end || *q != '}')
            error_at(p, "SyntaxError", line, col, "f-string: expecting '}'");
        fs_step(q, &line, &col);
        q++;
        push(p, &js->list, fv);
        lit_start = q;
        lit_line = line;
        lit_col = col;
    }
    decode_escapes(p, &lit, lit_start, q - lit_start, raw, lit_line, lit_col);
    add_str_part(p, &js->list, lit.b ? lit.b : "", lit.n, lit_line, lit_col);
    buf_free(&lit);
    return js;
}

/* Literal text waiting to become one STR part: adjacent literals and the
 * text between f-string fields accumulate here (in amortised linear time,
 * where joining part by part would copy the text so far each time). */
typedef struct {
    Buf text;
    int line, col;      /* of its first piece */
} PendingStr;

static void pending_add(PendingStr *ps, const char *s, int64_t n, int line, int col) {
    if (n == 0) return;
    if (ps->text.n == 0) {
        ps->line = line;
        ps->col = col;
    }
    buf_add(&ps->text, s, n);
}

static void pending_flush(Parser *p, PendingStr *ps, AstList *parts) {
    add_str_part(p, parts, ps->text.b ? ps->text.b : "", ps->text.n, ps->line, ps->col);
    ps->text.n = 0;
}

/* One or more adjacent string literals. */
static AstNode *parse_strings(Parser *p) {
    Token *first = peek(p);
    AstList parts = {0};
    bool any_f = false;
    PendingStr lit = {{NULL, 0, 0, p->arena}, 0, 0};
    while (check(p, TOK_STRING)) {
        Token *t = advance(p);
        StrParts sp = split_string(t);
        if (sp.bytes) SYNTAX(p, t, "bytes literals are not supported");
        if (sp.fstr) {
            any_f = true;
            AstNode *js = parse_fstring_body(p, sp.body, sp.body + sp.len,
                                             sp.body_line, sp.body_col, sp.raw, 0);
            for (int i = 0; i < js->list.count; i++) {
                AstNode *part = js->list.items[i];
                if (part->kind == AST_STR) {
                    pending_add(&lit, part->str, part->slen, part->line, part->col);
                } else {
                    pending_flush(p, &lit, &parts);
                    push(p, &parts, part);
                }
            }
        } else {
            /* Decode straight into the pending text. */
            int64_t before = lit.text.n;
            decode_escapes(p, &lit.text, sp.body, sp.len, sp.raw, t->line, t->col);
            if (before == 0) {
                lit.line = t->line;
                lit.col = t->col;
            }
        }
    }
    pending_flush(p, &lit, &parts);
    if (!any_f) {
        AstNode *s = new_node(p, AST_STR, first);
        if (parts.count) {
            s->str = parts.items[0]->str;
            s->slen = parts.items[0]->slen;
        } else {
            s->str = vm_ast_strdup(p->arena, "", 0);
        }
        return s;
    }
    AstNode *js = new_node(p, AST_JOINEDSTR, first);
    js->list = parts;
    return js;
}

/* ---- expressions ------------------------------------------------------ */

static bool starts_expression(TokenType t) {
    switch (t) {
    case TOK_NAME: case TOK_NUMBER: case TOK_STRING: case TOK_LPAREN:
    case TOK_LBRACKET: case TOK_LBRACE: case TOK_MINUS: case TOK_PLUS:
    case TOK_TILDE: case TOK_NOT: case TOK_LAMBDA: case TOK_NONE:
    case TOK_TRUE: case TOK_FALSE: case TOK_ELLIPSIS: case TOK_AWAIT:
    case TOK_STAR: case TOK_YIELD:
        return true;
    default:
        return false;
    }
}

static AstNode *parse_yield(Parser *p) {
    Token *t = expect(p, TOK_YIELD, "yield");
    if (check(p, TOK_FROM)) SYNTAX(p, t, "'yield from' is not supported");
    AstNode *y = new_node(p, AST_YIELD, t);
    if (starts_expression(peek(p)->type) && !check(p, TOK_YIELD))
        y->a = parse_testlist_star(p, false);
    return y;
}

/* Parenthesised atom: (), (x), (x,), (x, y), (x for ...), (yield x). */
static AstNode *parse_paren(Parser *p) {
    Token *open = advance(p);
    if (match(p, TOK_RPAREN)) return new_node(p, AST_TUPLE, open);
    if (check(p, TOK_YIELD)) {
        AstNode *y = parse_yield(p);
        expect(p, TOK_RPAREN, ")");
        return y;
    }
    AstNode *first = parse_star_expr(p);
    if (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
        if (first->kind == AST_STARRED)
            NODE_ERROR(p, first, "iterable unpacking cannot be used in comprehension");
        AstNode *g = new_node(p, AST_GENEXP, open);
        g->a = first;
        parse_comprehension_clauses(p, &g->list);
        expect(p, TOK_RPAREN, ")");
        return g;
    }
    if (check(p, TOK_WALRUS)) invalid_syntax(p);
    if (!check(p, TOK_COMMA)) {
        expect(p, TOK_RPAREN, ")");
        if (first->kind == AST_STARRED)
            NODE_ERROR(p, first, "cannot use starred expression here");
        return first;
    }
    AstNode *t = new_node(p, AST_TUPLE, open);
    push(p, &t->list, first);
    while (match(p, TOK_COMMA)) {
        if (check(p, TOK_RPAREN)) break;
        push(p, &t->list, parse_star_expr(p));
    }
    expect(p, TOK_RPAREN, ")");
    return t;
}

static AstNode *parse_list_display(Parser *p) {
    Token *open = advance(p);
    AstNode *l = new_node(p, AST_LIST, open);
    if (match(p, TOK_RBRACKET)) return l;
    AstNode *first = parse_star_expr(p);
    if (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
        if (first->kind == AST_STARRED)
            NODE_ERROR(p, first, "iterable unpacking cannot be used in comprehension");
        AstNode *c = new_node(p, AST_LISTCOMP, open);
        c->a = first;
        parse_comprehension_clauses(p, &c->list);
        expect(p, TOK_RBRACKET, "]");
        return c;
    }
    push(p, &l->list, first);
    while (match(p, TOK_COMMA)) {
        if (check(p, TOK_RBRACKET)) break;
        push(p, &l->list, parse_star_expr(p));
    }
    expect(p, TOK_RBRACKET, "]");
    return l;
}

static AstNode *parse_brace_display(Parser *p) {
    Token *open = advance(p);
    AstNode *d = new_node(p, AST_DICT, open);
    if (match(p, TOK_RBRACE)) return d;
    if (check(p, TOK_STAR)) SYNTAX(p, open, "set displays are not supported");
    AstNode *key = NULL, *value;
    if (match(p, TOK_DSTAR)) {
        value = parse_expr(p);
    } else {
        key = parse_test(p);
        if (!check(p, TOK_COLON)) {
            if (check(p, TOK_FOR))
                SYNTAX(p, open, "set comprehensions are not supported");
            SYNTAX(p, open, "set displays are not supported");
        }
        advance(p);
        value = parse_test(p);
        if (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
            AstNode *c = new_node(p, AST_DICTCOMP, open);
            c->a = key;
            c->b = value;
            parse_comprehension_clauses(p, &c->list);
            expect(p, TOK_RBRACE, "}");
            return c;
        }
    }
    push(p, &d->list, key);
    push(p, &d->list2, value);
    while (match(p, TOK_COMMA)) {
        if (check(p, TOK_RBRACE)) break;
        if (match(p, TOK_DSTAR)) {
            push(p, &d->list, NULL);
            push(p, &d->list2, parse_expr(p));
            continue;
        }
        push(p, &d->list, parse_test(p));
        expect(p, TOK_COLON, ":");
        push(p, &d->list2, parse_test(p));
    }
    expect(p, TOK_RBRACE, "}");
    return d;
}

static AstNode *parse_atom(Parser *p) {
    Token *t = peek(p);
    switch (t->type) {
    case TOK_NAME: {
        advance(p);
        AstNode *n = new_node(p, AST_NAME, t);
        n->name = tok_name(p, t);
        return n;
    }
    case TOK_NUMBER: advance(p); return parse_number(p, t);
    case TOK_STRING: return parse_strings(p);
    case TOK_NONE: advance(p); return new_node(p, AST_NONE, t);
    case TOK_TRUE: advance(p); return new_node(p, AST_TRUE, t);
    case TOK_FALSE: advance(p); return new_node(p, AST_FALSE, t);
    case TOK_LPAREN: return parse_paren(p);
    case TOK_LBRACKET: return parse_list_display(p);
    case TOK_LBRACE: return parse_brace_display(p);
    case TOK_ELLIPSIS: SYNTAX(p, t, "Ellipsis '...' is not supported");
    default: invalid_syntax(p);
    }
}

/* Call arguments after '(' up to and including ')'. */
static void parse_call_args(Parser *p, AstNode *call) {
    bool seen_kw = false, seen_dstar = false;
    while (!check(p, TOK_RPAREN)) {
        Token *t = peek(p);
        if (match(p, TOK_STAR)) {
            if (seen_dstar)
                SYNTAX(p, t, "iterable argument unpacking follows keyword argument unpacking");
            AstNode *s = new_node(p, AST_STARRED, t);
            s->a = parse_test(p);
            push(p, &call->list, s);
        } else if (match(p, TOK_DSTAR)) {
            AstNode *k = new_node(p, AST_KEYWORD, t);
            k->a = parse_test(p);
            push(p, &call->list2, k);
            seen_dstar = true;
        } else if (t->type == TOK_NAME && peek_at(p, 1)->type == TOK_EQ) {
            advance(p);
            advance(p);
            AstNode *k = new_node(p, AST_KEYWORD, t);
            k->name = tok_name(p, t);
            k->a = parse_test(p);
            push(p, &call->list2, k);
            seen_kw = true;
        } else {
            AstNode *arg = parse_test(p);
            if (check(p, TOK_EQ))
                SYNTAX(p, peek(p), "expression cannot contain assignment, perhaps you "
                                   "meant \"==\"?");
            if (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
                AstNode *g = new_at(p, AST_GENEXP, arg);
                g->a = arg;
                parse_comprehension_clauses(p, &g->list);
                if (call->list.count || call->list2.count || !check(p, TOK_RPAREN))
                    NODE_ERROR(p, arg, "Generator expression must be parenthesized");
                arg = g;
            } else if (seen_dstar) {
                NODE_ERROR(p, arg, "positional argument follows keyword argument unpacking");
            } else if (seen_kw) {
                NODE_ERROR(p, arg, "positional argument follows keyword argument");
            }
            push(p, &call->list, arg);
        }
        if (!match(p, TOK_COMMA)) break;
    }
    expect(p, TOK_RPAREN, ")");
}

static AstNode *parse_slice_item(Parser *p) {
    Token *t = peek(p);
    AstNode *lower = NULL;
    if (!check(p, TOK_COLON)) {
        lower = parse_star_expr(p);
        if (!check(p, TOK_COLON)) return lower;
    }
    AstNode *s = new_node(p, AST_SLICE, t);
    s->a = lower;
    advance(p); /* ':' */
    if (!check(p, TOK_COLON) && !check(p, TOK_RBRACKET) && !check(p, TOK_COMMA))
        s->b = parse_test(p);
    if (match(p, TOK_COLON)) {
        if (!check(p, TOK_RBRACKET) && !check(p, TOK_COMMA)) s->c = parse_test(p);
    }
    return s;
}

static AstNode *parse_primary(Parser *p) {
    AstNode *e = parse_atom(p);
    for (;;) {
        if (match(p, TOK_LPAREN)) {
            AstNode *call = new_at(p, AST_CALL, e);
            call->a = e;
            parse_call_args(p, call);
            e = call;
        } else if (match(p, TOK_LBRACKET)) {
            AstNode *sub = new_at(p, AST_SUBSCRIPT, e);
            sub->a = e;
            AstNode *first = parse_slice_item(p);
            if (check(p, TOK_COMMA)) {
                AstNode *tup = new_at(p, AST_TUPLE, first);
                push(p, &tup->list, first);
                while (match(p, TOK_COMMA)) {
                    if (check(p, TOK_RBRACKET)) break;
                    push(p, &tup->list, parse_slice_item(p));
                }
                first = tup;
            }
            expect(p, TOK_RBRACKET, "]");
            sub->b = first;
            e = sub;
        } else if (match(p, TOK_DOT)) {
            Token *name = expect(p, TOK_NAME, NULL);
            AstNode *attr = new_at(p, AST_ATTRIBUTE, e);
            attr->a = e;
            attr->name = tok_name(p, name);
            e = attr;
        } else {
            return e;
        }
    }
}

static AstNode *parse_factor(Parser *p);

static AstNode *parse_power(Parser *p) {
    if (check(p, TOK_AWAIT)) SYNTAX(p, peek(p), "'await' is not supported in gilt yet");
    AstNode *base = parse_primary(p);
    if (check(p, TOK_DSTAR)) {
        Token *op = advance(p);
        AstNode *b = new_at(p, AST_BINOP, base);
        b->op = TOK_DSTAR;
        b->a = base;
        /* ** is right-associative: 2 ** 2 ** ... nests. */
        enter(p, op);
        b->b = parse_factor(p);
        leave(p);
        return b;
    }
    return base;
}

static AstNode *parse_factor(Parser *p) {
    Token *t = peek(p);
    if (t->type == TOK_MINUS || t->type == TOK_PLUS || t->type == TOK_TILDE) {
        advance(p);
        enter(p, t);
        p->negated_literal = t->type == TOK_MINUS && check(p, TOK_NUMBER) &&
                             peek_at(p, 1)->type != TOK_DSTAR;
        AstNode *operand = parse_factor(p);
        p->negated_literal = false;
        leave(p);
        if (operand->kind == AST_INT && operand->ival == INT64_MIN) {
            operand->col = t->col;
            return operand;
        }
        /* -5 is a constant in CPython's AST optimiser; folding negative
         * literals here also lets -9223372036854775807-1 style code work. */
        if (t->type == TOK_MINUS && operand->kind == AST_INT && operand->line == t->line &&
            operand->ival != INT64_MIN) {
            operand->ival = -operand->ival;
            operand->line = t->line;
            operand->col = t->col;
            return operand;
        }
        if (t->type == TOK_MINUS && operand->kind == AST_FLOAT) {
            operand->fval = -operand->fval;
            operand->col = t->col;
            return operand;
        }
        AstNode *u = new_node(p, AST_UNARYOP, t);
        u->op = t->type;
        u->a = operand;
        return u;
    }
    return parse_power(p);
}

static AstNode *binop(Parser *p, AstNode *left, TokenType op, AstNode *right) {
    AstNode *b = new_at(p, AST_BINOP, left);
    b->op = op;
    b->a = left;
    b->b = right;
    return b;
}

static AstNode *parse_term(Parser *p) {
    AstNode *e = parse_factor(p);
    for (;;) {
        TokenType t = peek(p)->type;
        if (t == TOK_AT) SYNTAX(p, peek(p), "matrix multiplication '@' is not supported");
        if (t != TOK_STAR && t != TOK_SLASH && t != TOK_DSLASH && t != TOK_PERCENT)
            return e;
        advance(p);
        e = binop(p, e, t, parse_factor(p));
    }
}

static AstNode *parse_arith(Parser *p) {
    AstNode *e = parse_term(p);
    while (check(p, TOK_PLUS) || check(p, TOK_MINUS)) {
        TokenType t = advance(p)->type;
        e = binop(p, e, t, parse_term(p));
    }
    return e;
}

static AstNode *parse_shift(Parser *p) {
    AstNode *e = parse_arith(p);
    while (check(p, TOK_LSHIFT) || check(p, TOK_RSHIFT)) {
        TokenType t = advance(p)->type;
        e = binop(p, e, t, parse_arith(p));
    }
    return e;
}

static AstNode *parse_bitand(Parser *p) {
    AstNode *e = parse_shift(p);
    while (match(p, TOK_AMP)) e = binop(p, e, TOK_AMP, parse_shift(p));
    return e;
}

static AstNode *parse_bitxor(Parser *p) {
    AstNode *e = parse_bitand(p);
    while (match(p, TOK_CARET)) e = binop(p, e, TOK_CARET, parse_bitand(p));
    return e;
}

static AstNode *parse_expr(Parser *p) {
    AstNode *e = parse_bitxor(p);
    while (match(p, TOK_PIPE)) e = binop(p, e, TOK_PIPE, parse_bitxor(p));
    return e;
}

static int comparison_op(Parser *p) {
    Token *t = peek(p);
    switch (t->type) {
    case TOK_LT: case TOK_GT: case TOK_LE: case TOK_GE: case TOK_EQEQ: case TOK_NE:
    case TOK_IN:
        advance(p);
        return t->type;
    case TOK_NOT:
        if (peek_at(p, 1)->type == TOK_IN) {
            advance(p);
            advance(p);
            return AST_CMP_NOT_IN;
        }
        return -1;
    case TOK_IS:
        advance(p);
        if (match(p, TOK_NOT)) return AST_CMP_IS_NOT;
        return TOK_IS;
    default:
        return -1;
    }
}

static AstNode *parse_comparison(Parser *p) {
    AstNode *left = parse_expr(p);
    int op = comparison_op(p);
    if (op < 0) return left;
    AstNode *c = new_at(p, AST_COMPARE, left);
    c->a = left;
    int cap = 4;
    c->ops = vm_ast_alloc(p->arena, sizeof(int) * (size_t)cap);
    while (op >= 0) {
        if (c->list.count == cap) {
            int *ops = vm_ast_alloc(p->arena, sizeof(int) * (size_t)cap * 2);
            memcpy(ops, c->ops, sizeof(int) * (size_t)cap);
            c->ops = ops;
            cap *= 2;
        }
        c->ops[c->list.count] = op;
        push(p, &c->list, parse_expr(p));
        op = comparison_op(p);
    }
    return c;
}

static AstNode *parse_not_test(Parser *p) {
    Token *t = peek(p);
    if (match(p, TOK_NOT)) {
        AstNode *u = new_node(p, AST_UNARYOP, t);
        u->op = TOK_NOT;
        enter(p, t);
        u->a = parse_not_test(p);
        leave(p);
        return u;
    }
    return parse_comparison(p);
}

static AstNode *parse_and_test(Parser *p) {
    AstNode *e = parse_not_test(p);
    if (!check(p, TOK_AND)) return e;
    AstNode *b = new_at(p, AST_BOOLOP, e);
    b->op = TOK_AND;
    push(p, &b->list, e);
    while (match(p, TOK_AND)) push(p, &b->list, parse_not_test(p));
    return b;
}

static AstNode *parse_or_test(Parser *p) {
    AstNode *e = parse_and_test(p);
    if (!check(p, TOK_OR)) return e;
    AstNode *b = new_at(p, AST_BOOLOP, e);
    b->op = TOK_OR;
    push(p, &b->list, e);
    while (match(p, TOK_OR)) push(p, &b->list, parse_and_test(p));
    return b;
}

static void parse_params(Parser *p, AstParams *params, TokenType close,
                         bool annotations);

static AstNode *parse_lambda(Parser *p, bool nocond) {
    Token *t = advance(p);
    AstNode *l = new_node(p, AST_LAMBDA, t);
    l->params = vm_ast_alloc(p->arena, sizeof(AstParams));
    parse_params(p, l->params, TOK_COLON, false);
    expect(p, TOK_COLON, ":");
    l->a = nocond ? parse_test_nocond(p) : parse_test(p);
    return l;
}

static AstNode *parse_test(Parser *p) {
    enter(p, peek(p));
    if (check(p, TOK_LAMBDA)) {
        AstNode *l = parse_lambda(p, false);
        leave(p);
        return l;
    }
    AstNode *e = parse_or_test(p);
    if (check(p, TOK_IF)) {
        advance(p);
        AstNode *ife = new_at(p, AST_IFEXP, e);
        ife->b = e;
        ife->a = parse_or_test(p);
        expect(p, TOK_ELSE, "else");
        ife->c = parse_test(p);
        leave(p);
        return ife;
    }
    leave(p);
    if (check(p, TOK_WALRUS))
        SYNTAX(p, peek(p), "walrus operator ':=' is not supported");
    return e;
}

static AstNode *parse_test_nocond(Parser *p) {
    if (check(p, TOK_LAMBDA)) return parse_lambda(p, true);
    return parse_or_test(p);
}

static AstNode *parse_star_expr(Parser *p) {
    Token *t = peek(p);
    if (match(p, TOK_STAR)) {
        AstNode *s = new_node(p, AST_STARRED, t);
        s->a = parse_expr(p);
        return s;
    }
    return parse_test(p);
}

/* test_or_star (',' test_or_star)* [','] -> a tuple when there is a comma. */
static AstNode *parse_testlist_star(Parser *p, bool allow_yield) {
    if (allow_yield && check(p, TOK_YIELD)) return parse_yield(p);
    AstNode *first = parse_star_expr(p);
    if (!check(p, TOK_COMMA)) return first;
    AstNode *t = new_at(p, AST_TUPLE, first);
    push(p, &t->list, first);
    while (match(p, TOK_COMMA)) {
        if (!starts_expression(peek(p)->type) || check(p, TOK_YIELD)) break;
        push(p, &t->list, parse_star_expr(p));
    }
    return t;
}

/* Targets of for loops and comprehensions: stop before 'in'. */
static AstNode *parse_exprlist(Parser *p) {
    Token *t = peek(p);
    AstNode *first;
    if (match(p, TOK_STAR)) {
        first = new_node(p, AST_STARRED, t);
        first->a = parse_expr(p);
    } else {
        first = parse_expr(p);
    }
    if (!check(p, TOK_COMMA)) return first;
    AstNode *tup = new_at(p, AST_TUPLE, first);
    push(p, &tup->list, first);
    while (match(p, TOK_COMMA)) {
        if (check(p, TOK_IN) || check(p, TOK_EQ) || check(p, TOK_NEWLINE)) break;
        Token *s = peek(p);
        if (match(p, TOK_STAR)) {
            AstNode *st = new_node(p, AST_STARRED, s);
            st->a = parse_expr(p);
            push(p, &tup->list, st);
        } else {
            push(p, &tup->list, parse_expr(p));
        }
    }
    return tup;
}

/* ---- target validation ----------------------------------------------- */

static const char *describe(AstNode *e) {
    switch (e->kind) {
    case AST_CALL: return "function call";
    case AST_INT: case AST_FLOAT: case AST_STR: case AST_TRUE: case AST_FALSE:
    case AST_NONE:
        return "literal";
    case AST_JOINEDSTR: return "f-string expression";
    case AST_BINOP: case AST_UNARYOP: return "expression";
    case AST_BOOLOP: return "expression";
    case AST_COMPARE: return "comparison";
    case AST_IFEXP: return "conditional expression";
    case AST_LAMBDA: return "lambda";
    case AST_DICT: return "dict literal";
    case AST_LISTCOMP: return "list comprehension";
    case AST_DICTCOMP: return "dict comprehension";
    case AST_GENEXP: return "generator expression";
    case AST_YIELD: return "yield expression";
    default: return "expression";
    }
}

/* Check an assignment (or for/with/del) target.  `ctx` is "assign", "del"
 * or "aug". */
static void check_target(Parser *p, AstNode *e, const char *ctx) {
    bool del = strcmp(ctx, "del") == 0;
    switch (e->kind) {
    case AST_NAME:
        if (strcmp(e->name, "__debug__") == 0)
            NODE_ERROR(p, e, "cannot assign to __debug__");
        return;
    case AST_ATTRIBUTE:
    case AST_SUBSCRIPT:
        return;
    case AST_TUPLE:
    case AST_LIST: {
        int stars = 0;
        for (int i = 0; i < e->list.count; i++) {
            AstNode *item = e->list.items[i];
            if (item->kind == AST_STARRED) {
                if (del) NODE_ERROR(p, item, "cannot delete starred");
                if (++stars > 1)
                    NODE_ERROR(p, item, "multiple starred expressions in assignment");
                check_target(p, item->a, ctx);
            } else {
                check_target(p, item, ctx);
            }
        }
        return;
    }
    case AST_STARRED:
        NODE_ERROR(p, e, "starred assignment target must be in a list or tuple");
    default:
        if (del) NODE_ERROR(p, e, "cannot delete %s", describe(e));
        if (e->kind == AST_INT || e->kind == AST_FLOAT || e->kind == AST_STR ||
            e->kind == AST_CALL || e->kind == AST_NONE || e->kind == AST_TRUE ||
            e->kind == AST_FALSE) {
            if (e->kind == AST_NONE || e->kind == AST_TRUE || e->kind == AST_FALSE)
                NODE_ERROR(p, e, "cannot assign to %s",
                           e->kind == AST_NONE ? "None" : e->kind == AST_TRUE ? "True" : "False");
            NODE_ERROR(p, e, "cannot assign to %s here. Maybe you meant '==' instead of '='?",
                       describe(e));
        }
        NODE_ERROR(p, e, "cannot assign to %s", describe(e));
    }
}

/* ---- comprehensions --------------------------------------------------- */

static void parse_comprehension_clauses(Parser *p, AstList *gens) {
    while (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
        Token *t = advance(p);
        if (t->type == TOK_ASYNC)
            SYNTAX(p, t, "asynchronous comprehensions are not supported");
        AstNode *c = new_node(p, AST_COMPREHENSION, t);
        c->a = parse_exprlist(p);
        check_target(p, c->a, "assign");
        expect(p, TOK_IN, "in");
        c->b = parse_or_test(p);
        while (check(p, TOK_IF)) {
            advance(p);
            push(p, &c->list, parse_test_nocond(p));
        }
        push(p, gens, c);
    }
}

/* ---- parameters ------------------------------------------------------- */

static AstNode *parse_param(Parser *p, bool annotations) {
    Token *t = expect(p, TOK_NAME, NULL);
    AstNode *a = new_node(p, AST_ARG, t);
    a->name = tok_name(p, t);
    if (annotations && match(p, TOK_COLON)) (void)parse_test(p);
    return a;
}

static void parse_params(Parser *p, AstParams *params, TokenType close,
                         bool annotations) {
    bool seen_default = false, seen_star = false;
    while (!check(p, close)) {
        Token *t = peek(p);
        if (match(p, TOK_SLASH))
            SYNTAX(p, t, "positional-only parameter marker '/' is not supported");
        if (match(p, TOK_DSTAR)) {
            params->kwarg = parse_param(p, annotations);
            if (check(p, TOK_EQ))
                SYNTAX(p, peek(p), "var-keyword argument cannot have default value");
            match(p, TOK_COMMA);
            if (!check(p, close))
                SYNTAX(p, peek(p), "arguments cannot follow var-keyword argument");
            break;
        }
        if (match(p, TOK_STAR)) {
            if (seen_star) SYNTAX(p, t, "* argument may appear only once");
            seen_star = true;
            if (check(p, TOK_NAME)) {
                params->vararg = parse_param(p, annotations);
                if (check(p, TOK_EQ))
                    SYNTAX(p, peek(p), "var-positional argument cannot have default value");
            } else if (check(p, close) ||
                       (check(p, TOK_COMMA) && peek_at(p, 1)->type == close)) {
                SYNTAX(p, t, "named arguments must follow bare *");
            }
        } else {
            AstNode *a = parse_param(p, annotations);
            if (match(p, TOK_EQ)) {
                a->a = parse_test(p);
                if (!seen_star) seen_default = true;
            } else if (seen_default && !seen_star) {
                NODE_ERROR(p, a, "non-default argument follows default argument");
            }
            push(p, seen_star ? &params->kwonly : &params->args, a);
        }
        if (!match(p, TOK_COMMA)) break;
    }
}

/* ---- statements ------------------------------------------------------- */

static AstNode *stmt_node(Parser *p, AstKind kind, Token *t) { return new_node(p, kind, t); }

static void parse_dotted(Parser *p, Buf *b) {
    Token *t = expect(p, TOK_NAME, NULL);
    buf_add(b, t->start, t->length);
    while (match(p, TOK_DOT)) {
        t = expect(p, TOK_NAME, NULL);
        buf_add(b, ".", 1);
        buf_add(b, t->start, t->length);
    }
}

static AstNode *parse_import(Parser *p) {
    Token *kw = advance(p);
    AstNode *imp = stmt_node(p, AST_IMPORT, kw);
    do {
        Token *t = peek(p);
        AstNode *al = new_node(p, AST_ALIAS, t);
        Buf b = {0};
        b.arena = p->arena;
        parse_dotted(p, &b);
        al->name = vm_ast_strdup(p->arena, b.b, (size_t)b.n);
        buf_free(&b);
        if (match(p, TOK_AS)) al->str = (char *)tok_name(p, expect(p, TOK_NAME, NULL));
        push(p, &imp->list, al);
    } while (match(p, TOK_COMMA));
    return imp;
}

static AstNode *parse_from_import(Parser *p) {
    Token *kw = advance(p);
    AstNode *imp = stmt_node(p, AST_IMPORTFROM, kw);
    if (check(p, TOK_DOT) || check(p, TOK_ELLIPSIS))
        SYNTAX(p, peek(p), "relative imports are not supported");
    Buf b = {0};
    b.arena = p->arena;
    parse_dotted(p, &b);
    imp->name = vm_ast_strdup(p->arena, b.b, (size_t)b.n);
    buf_free(&b);
    expect(p, TOK_IMPORT, "import");
    if (check(p, TOK_STAR)) SYNTAX(p, peek(p), "'from ... import *' is not supported");
    bool paren = match(p, TOK_LPAREN);
    do {
        if (paren && check(p, TOK_RPAREN)) break;
        Token *t = expect(p, TOK_NAME, NULL);
        AstNode *al = new_node(p, AST_ALIAS, t);
        al->name = tok_name(p, t);
        if (match(p, TOK_AS)) al->str = (char *)tok_name(p, expect(p, TOK_NAME, NULL));
        push(p, &imp->list, al);
    } while (match(p, TOK_COMMA));
    if (paren) expect(p, TOK_RPAREN, ")");
    else if (imp->list.count && p->toks[p->pos - 1].type == TOK_COMMA)
        SYNTAX(p, peek(p), "trailing comma not allowed without surrounding parentheses");
    return imp;
}

static AstNode *parse_name_list(Parser *p, AstKind kind) {
    Token *kw = advance(p);
    AstNode *n = stmt_node(p, kind, kw);
    do {
        Token *t = expect(p, TOK_NAME, NULL);
        AstNode *name = new_node(p, AST_NAME, t);
        name->name = tok_name(p, t);
        push(p, &n->list, name);
    } while (match(p, TOK_COMMA));
    return n;
}

static bool is_augassign(TokenType t, TokenType *binop_out) {
    static const TokenType pairs[][2] = {
        {TOK_PLUSEQ, TOK_PLUS}, {TOK_MINUSEQ, TOK_MINUS}, {TOK_STAREQ, TOK_STAR},
        {TOK_SLASHEQ, TOK_SLASH}, {TOK_DSLASHEQ, TOK_DSLASH},
        {TOK_PERCENTEQ, TOK_PERCENT}, {TOK_DSTAREQ, TOK_DSTAR},
        {TOK_LSHIFTEQ, TOK_LSHIFT}, {TOK_RSHIFTEQ, TOK_RSHIFT},
        {TOK_AMPEQ, TOK_AMP}, {TOK_PIPEEQ, TOK_PIPE}, {TOK_CARETEQ, TOK_CARET},
        {TOK_ATEQ, TOK_AT},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][0] == t) {
            *binop_out = pairs[i][1];
            return true;
        }
    return false;
}

static AstNode *parse_expr_statement(Parser *p) {
    Token *start = peek(p);
    AstNode *e = parse_testlist_star(p, true);
    TokenType op;
    if (check(p, TOK_EQ)) {
        AstNode *a = stmt_node(p, AST_ASSIGN, start);
        while (match(p, TOK_EQ)) {
            check_target(p, e, "assign");
            push(p, &a->list, e);
            e = parse_testlist_star(p, true);
        }
        a->a = e;
        return a;
    }
    if (is_augassign(peek(p)->type, &op)) {
        Token *opt = advance(p);
        if (op == TOK_AT) SYNTAX(p, opt, "matrix multiplication '@' is not supported");
        if (e->kind != AST_NAME && e->kind != AST_ATTRIBUTE && e->kind != AST_SUBSCRIPT)
            NODE_ERROR(p, e, "'%s' is an illegal expression for augmented assignment",
                       e->kind == AST_TUPLE ? "tuple" : e->kind == AST_LIST ? "list"
                                                                            : describe(e));
        AstNode *a = stmt_node(p, AST_AUGASSIGN, start);
        a->a = e;
        a->op = op;
        a->b = parse_testlist_star(p, true);
        return a;
    }
    if (check(p, TOK_COLON)) {
        advance(p);
        if (e->kind == AST_TUPLE)
            NODE_ERROR(p, e, "only single target (not tuple) can be annotated");
        if (e->kind == AST_LIST)
            NODE_ERROR(p, e, "only single target (not list) can be annotated");
        if (e->kind != AST_NAME && e->kind != AST_ATTRIBUTE && e->kind != AST_SUBSCRIPT)
            NODE_ERROR(p, e, "illegal target for annotation");
        AstNode *a = stmt_node(p, AST_ANNASSIGN, start);
        a->a = e;
        (void)parse_test(p);
        if (match(p, TOK_EQ)) a->b = parse_testlist_star(p, true);
        return a;
    }
    if (e->kind == AST_STARRED)
        NODE_ERROR(p, e, "can't use starred expression here");
    AstNode *s = stmt_node(p, AST_EXPR_STMT, start);
    s->a = e;
    return s;
}

static AstNode *parse_small_statement(Parser *p) {
    Token *t = peek(p);
    switch (t->type) {
    case TOK_PASS: advance(p); return stmt_node(p, AST_PASS, t);
    case TOK_BREAK: advance(p); return stmt_node(p, AST_BREAK, t);
    case TOK_CONTINUE: advance(p); return stmt_node(p, AST_CONTINUE, t);
    case TOK_RETURN: {
        advance(p);
        AstNode *r = stmt_node(p, AST_RETURN, t);
        if (starts_expression(peek(p)->type)) r->a = parse_testlist_star(p, false);
        return r;
    }
    case TOK_RAISE: {
        advance(p);
        AstNode *r = stmt_node(p, AST_RAISE, t);
        if (starts_expression(peek(p)->type)) {
            r->a = parse_test(p);
            if (match(p, TOK_FROM)) r->b = parse_test(p);
        }
        return r;
    }
    case TOK_GLOBAL: return parse_name_list(p, AST_GLOBAL);
    case TOK_NONLOCAL: return parse_name_list(p, AST_NONLOCAL);
    case TOK_DEL: {
        advance(p);
        AstNode *d = stmt_node(p, AST_DEL, t);
        AstNode *targets = parse_exprlist(p);
        /* "del a, b" is a bare tuple of targets: one DEL with a list. */
        if (targets->kind == AST_TUPLE) {
            for (int i = 0; i < targets->list.count; i++) {
                check_target(p, targets->list.items[i], "del");
                push(p, &d->list, targets->list.items[i]);
            }
        } else {
            check_target(p, targets, "del");
            push(p, &d->list, targets);
        }
        return d;
    }
    case TOK_ASSERT: {
        advance(p);
        AstNode *a = stmt_node(p, AST_ASSERT, t);
        a->a = parse_test(p);
        if (match(p, TOK_COMMA)) a->b = parse_test(p);
        return a;
    }
    case TOK_IMPORT: return parse_import(p);
    case TOK_FROM: return parse_from_import(p);
    default:
        if (!starts_expression(t->type)) invalid_syntax(p);
        return parse_expr_statement(p);
    }
}

static void parse_simple_statements(Parser *p, AstList *body) {
    for (;;) {
        push(p, body, parse_small_statement(p));
        if (!match(p, TOK_SEMI)) break;
        if (check(p, TOK_NEWLINE)) break;
    }
    if (!match(p, TOK_NEWLINE)) {
        if (check(p, TOK_EOF)) return;
        invalid_syntax(p);
    }
}

static const char *block_owner(TokenType t) {
    switch (t) {
    case TOK_IF: return "'if' statement";
    case TOK_ELIF: return "'elif' statement";
    case TOK_ELSE: return "'else' statement";
    case TOK_WHILE: return "'while' statement";
    case TOK_FOR: return "'for' statement";
    case TOK_TRY: return "'try' statement";
    case TOK_EXCEPT: return "'except' statement";
    case TOK_FINALLY: return "'finally' statement";
    case TOK_WITH: return "'with' statement";
    case TOK_DEF: return "function definition";
    case TOK_CLASS: return "class definition";
    default: return "statement";
    }
}

static void parse_block(Parser *p, AstList *body, const char *what, Token *kw) {
    expect(p, TOK_COLON, ":");
    if (!match(p, TOK_NEWLINE)) {
        parse_simple_statements(p, body);
        return;
    }
    if (!check(p, TOK_INDENT)) {
        Token *t = peek(p);
        error_at(p, "IndentationError", t->line, t->col,
                 "expected an indented block after %s on line %d",
                 what ? what : block_owner(kw->type), kw->line);
    }
    advance(p);
    while (!check(p, TOK_DEDENT) && !check(p, TOK_EOF)) parse_statement_into(p, body);
    match(p, TOK_DEDENT);
}

/* if/elif/else: each elif is an if nested in the else branch of the one
 * before, as in CPython's AST, built in a loop (a chain of elifs is long,
 * not deep, for the parser). */
static AstNode *parse_if(Parser *p) {
    Token *kw = advance(p);
    AstNode *top = stmt_node(p, AST_IF, kw);
    AstNode *n = top;
    for (;;) {
        n->a = parse_test(p);
        parse_block(p, &n->list, NULL, kw);
        if (check(p, TOK_ELIF)) {
            kw = advance(p);
            AstNode *elif = stmt_node(p, AST_IF, kw);
            push(p, &n->list2, elif);
            n = elif;
            continue;
        }
        if (check(p, TOK_ELSE)) {
            Token *e = advance(p);
            parse_block(p, &n->list2, NULL, e);
        }
        return top;
    }
}

static AstNode *parse_while(Parser *p) {
    Token *kw = advance(p);
    AstNode *n = stmt_node(p, AST_WHILE, kw);
    n->a = parse_test(p);
    parse_block(p, &n->list, NULL, kw);
    if (check(p, TOK_ELSE)) {
        Token *e = advance(p);
        parse_block(p, &n->list2, NULL, e);
    }
    return n;
}

static AstNode *parse_for(Parser *p) {
    Token *kw = advance(p);
    AstNode *n = stmt_node(p, AST_FOR, kw);
    n->a = parse_exprlist(p);
    check_target(p, n->a, "assign");
    expect(p, TOK_IN, "in");
    n->b = parse_testlist_star(p, false);
    parse_block(p, &n->list, NULL, kw);
    if (check(p, TOK_ELSE)) {
        Token *e = advance(p);
        parse_block(p, &n->list2, NULL, e);
    }
    return n;
}

static AstNode *parse_try(Parser *p) {
    Token *kw = advance(p);
    AstNode *n = stmt_node(p, AST_TRY, kw);
    parse_block(p, &n->list, NULL, kw);
    while (check(p, TOK_EXCEPT)) {
        Token *ex = advance(p);
        if (check(p, TOK_STAR)) SYNTAX(p, peek(p), "'except*' is not supported");
        AstNode *h = stmt_node(p, AST_HANDLER, ex);
        if (n->list2.count && !n->list2.items[n->list2.count - 1]->a)
            SYNTAX(p, ex, "default 'except:' must be last");
        if (!check(p, TOK_COLON)) {
            h->a = parse_test(p);
            if (check(p, TOK_COMMA)) {
                /* except A, B: is Python 2 */
                SYNTAX(p, peek(p), "multiple exception types must be parenthesized");
            }
            if (match(p, TOK_AS)) h->name = tok_name(p, expect(p, TOK_NAME, NULL));
        }
        parse_block(p, &h->list, NULL, ex);
        push(p, &n->list2, h);
    }
    if (check(p, TOK_ELSE)) {
        Token *e = advance(p);
        if (!n->list2.count) SYNTAX(p, e, "expected 'except' or 'finally' block");
        parse_block(p, &n->list3, NULL, e);
    }
    if (check(p, TOK_FINALLY)) {
        Token *f = advance(p);
        parse_block(p, &n->list4, NULL, f);
    }
    if (!n->list2.count && !n->list4.count)
        SYNTAX(p, peek(p), "expected 'except' or 'finally' block");
    return n;
}

/* `with (a as b, c):` - the parenthesised form of 3.10+: an opening
 * bracket whose match is directly followed by the colon. */
static bool with_items_parenthesised(Parser *p) {
    if (!check(p, TOK_LPAREN)) return false;
    int depth = 0;
    for (int i = p->pos; i < p->count; i++) {
        TokenType t = p->toks[i].type;
        if (t == TOK_LPAREN || t == TOK_LBRACKET || t == TOK_LBRACE) depth++;
        else if (t == TOK_RPAREN || t == TOK_RBRACKET || t == TOK_RBRACE) {
            if (--depth == 0) return i + 1 < p->count && p->toks[i + 1].type == TOK_COLON;
        } else if (t == TOK_NEWLINE || t == TOK_EOF) {
            return false;
        }
    }
    return false;
}

static AstNode *parse_with(Parser *p) {
    Token *kw = advance(p);
    AstNode *n = stmt_node(p, AST_WITH, kw);
    bool paren = with_items_parenthesised(p);
    if (paren) advance(p);
    do {
        if (paren && check(p, TOK_RPAREN)) break;
        Token *t = peek(p);
        AstNode *item = new_node(p, AST_WITHITEM, t);
        item->a = parse_test(p);
        if (match(p, TOK_AS)) {
            item->b = parse_expr(p);
            check_target(p, item->b, "assign");
        }
        push(p, &n->list2, item);
    } while (match(p, TOK_COMMA));
    if (paren) expect(p, TOK_RPAREN, ")");
    if (!n->list2.count) invalid_syntax(p);
    parse_block(p, &n->list, NULL, kw);
    return n;
}

static AstNode *parse_funcdef(Parser *p) {
    Token *kw = advance(p);
    Token *name = expect(p, TOK_NAME, NULL);
    AstNode *n = stmt_node(p, AST_FUNCDEF, kw);
    n->name = tok_name(p, name);
    n->params = vm_ast_alloc(p->arena, sizeof(AstParams));
    expect(p, TOK_LPAREN, "(");
    parse_params(p, n->params, TOK_RPAREN, true);
    expect(p, TOK_RPAREN, ")");
    if (match(p, TOK_ARROW)) (void)parse_test(p);
    parse_block(p, &n->list, NULL, kw);
    return n;
}

static AstNode *parse_classdef(Parser *p) {
    Token *kw = advance(p);
    Token *name = expect(p, TOK_NAME, NULL);
    AstNode *n = stmt_node(p, AST_CLASSDEF, kw);
    n->name = tok_name(p, name);
    if (match(p, TOK_LPAREN)) {
        AstNode call = {0};
        parse_call_args(p, &call);
        if (call.list2.count) {
            AstNode *k = call.list2.items[0];
            if (k->name)
                NODE_ERROR(p, k, "keyword argument '%s' in class definition is not "
                                 "supported", k->name);
            NODE_ERROR(p, k, "'**' in class definition is not supported");
        }
        if (call.list.count > 1)
            NODE_ERROR(p, call.list.items[1], "multiple inheritance is not supported");
        if (call.list.count == 1) {
            if (call.list.items[0]->kind == AST_STARRED)
                NODE_ERROR(p, call.list.items[0], "'*' in class bases is not supported");
            n->a = call.list.items[0];
        }
    }
    parse_block(p, &n->list, NULL, kw);
    return n;
}

static bool is_match_statement(Parser *p) {
    Token *t = peek(p);
    if (t->type != TOK_NAME || t->length != 5 || memcmp(t->start, "match", 5) != 0)
        return false;
    TokenType next = peek_at(p, 1)->type;
    if (next != TOK_NAME && next != TOK_NUMBER && next != TOK_STRING &&
        next != TOK_LPAREN && next != TOK_LBRACKET && next != TOK_LBRACE &&
        next != TOK_MINUS && next != TOK_NONE && next != TOK_TRUE && next != TOK_FALSE)
        return false;
    int i = p->pos;
    while (i < p->count && p->toks[i].type != TOK_NEWLINE && p->toks[i].type != TOK_EOF) i++;
    return i > p->pos && p->toks[i - 1].type == TOK_COLON;
}

static AstNode *parse_statement_into(Parser *p, AstList *body) {
    Token *t = peek(p);
    AstNode *s = NULL;
    switch (t->type) {
    case TOK_IF: s = parse_if(p); break;
    case TOK_WHILE: s = parse_while(p); break;
    case TOK_FOR: s = parse_for(p); break;
    case TOK_TRY: s = parse_try(p); break;
    case TOK_WITH: s = parse_with(p); break;
    case TOK_DEF: s = parse_funcdef(p); break;
    case TOK_CLASS: s = parse_classdef(p); break;
    case TOK_ASYNC: {
        TokenType next = peek_at(p, 1)->type;
        if (next == TOK_DEF) SYNTAX(p, t, "'async def' is not supported in gilt yet");
        if (next == TOK_FOR) SYNTAX(p, t, "'async for' is not supported in gilt yet");
        if (next == TOK_WITH) SYNTAX(p, t, "'async with' is not supported in gilt yet");
        invalid_syntax(p);
    }
    case TOK_AT: {
        AstList decorators = {0};
        while (check(p, TOK_AT)) {
            advance(p);
            push(p, &decorators, parse_test(p));
            expect(p, TOK_NEWLINE, NULL);
        }
        if (check(p, TOK_DEF)) s = parse_funcdef(p);
        else if (check(p, TOK_CLASS)) s = parse_classdef(p);
        else if (check(p, TOK_ASYNC))
            SYNTAX(p, peek(p), "'async def' is not supported in gilt yet");
        else invalid_syntax(p);
        s->list2 = decorators;
        break;
    }
    case TOK_INDENT:
        error_at(p, "IndentationError", t->line, t->col, "unexpected indent");
    case TOK_ELSE: case TOK_ELIF: case TOK_EXCEPT: case TOK_FINALLY:
        SYNTAX(p, t, "invalid syntax");
    default:
        if (is_match_statement(p)) SYNTAX(p, t, "'match' statements are not supported");
        parse_simple_statements(p, body);
        return NULL;
    }
    push(p, body, s);
    return s;
}

bool vm_parse_module(const char *source, int64_t length, AstArena *arena,
                     AstList *body, VmCompileError *err) {
    TokenArray ta;
    LexError le;
    body->items = NULL;
    body->count = body->capacity = 0;
    if (!vm_lexer_tokenize(source, length, 1, 1, false, &ta, &le)) {
        if (le.unclosed && ta.count > 0) {
            /* As CPython: a syntax error on the unclosed bracket's own
             * line wins over "was never closed". */
            jmp_buf fail;
            Parser p = {ta.tokens, ta.count, 0, arena, err, &fail, false, 0, false};
            if (setjmp(fail)) {
                const Token *eof = &ta.tokens[ta.count - 1];
                if (err->line == le.line && !(err->line == eof->line && err->col == eof->col)) {
                    vm_lexer_tokens_fini(&ta);
                    return false;
                }
            } else {
                while (!check(&p, TOK_EOF)) {
                    if (match(&p, TOK_NEWLINE)) continue;
                    parse_statement_into(&p, body);
                }
            }
        }
        vm_lexer_tokens_fini(&ta);
        err->line = le.line;
        err->col = le.col;
        snprintf(err->type, sizeof err->type, "%s", le.type);
        snprintf(err->message, sizeof err->message, "%s", le.message);
        return false;
    }
    jmp_buf fail;
    Parser p = {ta.tokens, ta.count, 0, arena, err, &fail, false, 0, false};
    if (setjmp(fail)) {
        vm_lexer_tokens_fini(&ta);
        return false;
    }
    while (!check(&p, TOK_EOF)) {
        if (match(&p, TOK_NEWLINE)) continue;
        parse_statement_into(&p, body);
    }
    vm_lexer_tokens_fini(&ta);
    return true;
}
