/*
 * vm/compile/lexer.c - the tokenizer: source bytes to an array of tokens.
 *
 * It follows CPython's tokenizer where the subset needs it: an indentation
 * stack produces INDENT/DEDENT (tabs advance to the next multiple of 8),
 * blank and comment-only lines produce nothing, newlines inside brackets and
 * after a backslash are not NEWLINE tokens, and string literals (any prefix,
 * any quote, triple-quoted, backslash-newline inside) are delimited but not
 * decoded - the parser decodes them because f-strings need the raw text.
 */
#include "vm/compile/lexer.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/runtime/memory.h"

typedef struct {
    const char *p;       /* next byte */
    const char *end;
    const char *line_start;
    int line;
    int col_base;        /* column of line_start's byte, minus 1 (f-strings) */
    int depth;           /* bracket nesting */
    bool expr_mode;
    bool at_line_start;
    int indents[128];
    int nindents;
    TokenArray *out;
    LexError *err;
} Lexer;

static const char *const token_names[] = {
#define VM_TOKEN_NAME(name, text) text,
    VM_TOKEN_LIST(VM_TOKEN_NAME)
#undef VM_TOKEN_NAME
};

const char *vm_token_type_name(TokenType t) {
    return (unsigned)t < TOK__COUNT ? token_names[t] : "?";
}

static int col_of(Lexer *lx, const char *p) {
    return (int)(p - lx->line_start) + 1 + lx->col_base;
}

static bool lex_error(Lexer *lx, const char *type, int line, int col,
                      const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->err->message, sizeof lx->err->message, fmt, ap);
    va_end(ap);
    snprintf(lx->err->type, sizeof lx->err->type, "%s", type);
    lx->err->line = line;
    lx->err->col = col;
    return false;
}

static void push(Lexer *lx, TokenType type, const char *start, int length,
                 int line, int col) {
    TokenArray *a = lx->out;
    if (a->count == a->capacity) {
        int cap = VM_GROW_CAPACITY(a->capacity);
        a->tokens = VM_GROW_ARRAY(NULL, Token, a->tokens, a->capacity, cap);
        a->capacity = cap;
    }
    a->tokens[a->count++] = (Token){type, start, length, line, col};
}

static TokenType keyword_type(const char *s, int len) {
    for (int t = TOK_FIRST_KEYWORD; t <= TOK_LAST_KEYWORD; t++) {
        const char *k = token_names[t];
        if ((int)strlen(k) == len && memcmp(k, s, (size_t)len) == 0)
            return (TokenType)t;
    }
    return TOK_NAME;
}

/* The operators, longest first so that maximal munch falls out of a scan. */
static const struct {
    const char *text;
    TokenType type;
} operators[] = {
    {"**=", TOK_DSTAREQ}, {"//=", TOK_DSLASHEQ}, {"<<=", TOK_LSHIFTEQ},
    {">>=", TOK_RSHIFTEQ}, {"...", TOK_ELLIPSIS}, {"**", TOK_DSTAR},
    {"//", TOK_DSLASH}, {"<<", TOK_LSHIFT}, {">>", TOK_RSHIFT},
    {"<=", TOK_LE}, {">=", TOK_GE}, {"==", TOK_EQEQ}, {"!=", TOK_NE},
    {"->", TOK_ARROW}, {"+=", TOK_PLUSEQ}, {"-=", TOK_MINUSEQ},
    {"*=", TOK_STAREQ}, {"/=", TOK_SLASHEQ}, {"%=", TOK_PERCENTEQ},
    {"@=", TOK_ATEQ}, {"&=", TOK_AMPEQ}, {"|=", TOK_PIPEEQ},
    {"^=", TOK_CARETEQ}, {":=", TOK_WALRUS}, {"(", TOK_LPAREN},
    {")", TOK_RPAREN}, {"[", TOK_LBRACKET}, {"]", TOK_RBRACKET},
    {"{", TOK_LBRACE}, {"}", TOK_RBRACE}, {",", TOK_COMMA},
    {":", TOK_COLON}, {";", TOK_SEMI}, {".", TOK_DOT}, {"+", TOK_PLUS},
    {"-", TOK_MINUS}, {"*", TOK_STAR}, {"/", TOK_SLASH},
    {"%", TOK_PERCENT}, {"@", TOK_AT}, {"&", TOK_AMP}, {"|", TOK_PIPE},
    {"^", TOK_CARET}, {"~", TOK_TILDE}, {"<", TOK_LT}, {">", TOK_GT},
    {"=", TOK_EQ}, {"!", TOK_BANG},
};

static bool is_ident_start(int c) { return isalpha(c) || c == '_'; }
static bool is_ident_char(int c) { return isalnum(c) || c == '_'; }

static bool is_string_prefix(const char *s, int len) {
    if (len > 2) return false;
    int r = 0, f = 0, b = 0, u = 0;
    for (int i = 0; i < len; i++) {
        switch (s[i]) {
        case 'r': case 'R': r++; break;
        case 'f': case 'F': f++; break;
        case 'b': case 'B': b++; break;
        case 'u': case 'U': u++; break;
        default: return false;
        }
    }
    if (r > 1 || f > 1 || b > 1 || u > 1) return false;
    if (u && len > 1) return false;
    if (f && b) return false;
    return true;
}

/* Scan a string literal whose quote is at lx->p (prefix already consumed
 * from `start`).  Backslashes skip the next byte (that covers escaped quotes
 * and backslash-newline); raw strings behave the same way for delimiting. */
static bool lex_string(Lexer *lx, const char *start, int line, int col) {
    char q = *lx->p;
    bool triple = lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q;
    lx->p += triple ? 3 : 1;
    for (;;) {
        if (lx->p >= lx->end) {
            if (triple)
                return lex_error(lx, "SyntaxError", line, col,
                                 "unterminated triple-quoted string literal "
                                 "(detected at line %d)", lx->line);
            return lex_error(lx, "SyntaxError", line, col,
                             "unterminated string literal (detected at line %d)",
                             lx->line);
        }
        char c = *lx->p;
        if (c == '\\' && lx->p + 1 < lx->end) {
            if (lx->p[1] == '\n') {
                lx->p += 2;
                lx->line++;
                lx->line_start = lx->p;
                lx->col_base = 0;
                continue;
            }
            lx->p += 2;
            continue;
        }
        if (c == '\n') {
            if (!triple)
                return lex_error(lx, "SyntaxError", line, col,
                                 "unterminated string literal (detected at line %d)",
                                 line);
            lx->p++;
            lx->line++;
            lx->line_start = lx->p;
            lx->col_base = 0;
            continue;
        }
        if (c == q) {
            if (!triple) {
                lx->p++;
                break;
            }
            if (lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q) {
                lx->p += 3;
                break;
            }
        }
        lx->p++;
    }
    push(lx, TOK_STRING, start, (int)(lx->p - start), line, col);
    return true;
}

/* Numbers are delimited generously here (digits, letters, underscores, a
 * dot and signed exponents) and validated by the parser, which turns a
 * malformed one into a SyntaxError at the token. */
static void lex_number(Lexer *lx, int line, int col) {
    const char *start = lx->p;
    bool hex = lx->p[0] == '0' && lx->p + 1 < lx->end &&
               (lx->p[1] == 'x' || lx->p[1] == 'X');
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (isalnum((unsigned char)c) || c == '_') {
            lx->p++;
            if (!hex && (c == 'e' || c == 'E') && lx->p < lx->end &&
                (*lx->p == '+' || *lx->p == '-'))
                lx->p++;
        } else if (c == '.' && !hex) {
            lx->p++;
        } else {
            break;
        }
    }
    push(lx, TOK_NUMBER, start, (int)(lx->p - start), line, col);
}

/* Handle the start of a logical line: measure its indentation and emit
 * INDENT/DEDENT.  Returns false on an inconsistent dedent.  Blank lines and
 * comment-only lines are skipped entirely. */
static bool lex_indentation(Lexer *lx, bool *skipped) {
    int width = 0;
    const char *p = lx->p;
    while (p < lx->end && (*p == ' ' || *p == '\t' || *p == '\f')) {
        if (*p == ' ') width++;
        else if (*p == '\t') width = (width / 8 + 1) * 8;
        else width = 0;
        p++;
    }
    *skipped = false;
    if (p >= lx->end || *p == '\n' || *p == '#' || *p == '\r' ||
        (*p == '\\' && p + 1 < lx->end && p[1] == '\n')) {
        *skipped = true;
        lx->p = p;
        return true;
    }
    lx->p = p;
    int line = lx->line, col = col_of(lx, p);
    if (width > lx->indents[lx->nindents - 1]) {
        if (lx->nindents == (int)(sizeof lx->indents / sizeof lx->indents[0]))
            return lex_error(lx, "IndentationError", line, col,
                             "too many levels of indentation");
        lx->indents[lx->nindents++] = width;
        push(lx, TOK_INDENT, p, 0, line, col);
    } else {
        while (width < lx->indents[lx->nindents - 1]) {
            lx->nindents--;
            push(lx, TOK_DEDENT, p, 0, line, col);
        }
        if (width != lx->indents[lx->nindents - 1])
            return lex_error(lx, "IndentationError", line, col,
                             "unindent does not match any outer indentation level");
    }
    return true;
}

bool vm_lexer_tokenize(const char *source, int64_t length, int line, int col,
                       bool expr_mode, TokenArray *out, LexError *err) {
    Lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.p = source;
    lx.end = source + length;
    lx.line_start = source;
    lx.line = line;
    lx.col_base = col - 1;
    lx.expr_mode = expr_mode;
    lx.at_line_start = !expr_mode;
    lx.indents[0] = 0;
    lx.nindents = 1;
    lx.out = out;
    lx.err = err;
    err->unclosed = false;
    out->tokens = NULL;
    out->count = out->capacity = 0;
    const char *bracket_open[200];
    int bracket_line[200], bracket_col[200];

    for (;;) {
        if (lx.at_line_start) {
            bool skipped;
            if (!lex_indentation(&lx, &skipped)) return false;
            lx.at_line_start = false;
            (void)skipped;
        }
        if (lx.p >= lx.end) break;
        const char *p = lx.p;
        char c = *p;
        int tline = lx.line, tcol = col_of(&lx, p);
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
            lx.p++;
            continue;
        }
        if (c == '#') {
            while (lx.p < lx.end && *lx.p != '\n') lx.p++;
            continue;
        }
        if (c == '\\') {
            const char *q = p + 1;
            while (q < lx.end && *q == '\r') q++;
            if (q < lx.end && *q == '\n') {
                lx.p = q + 1;
                lx.line++;
                lx.line_start = lx.p;
                lx.col_base = 0;
                continue;
            }
            if (q >= lx.end)
                return lex_error(&lx, "SyntaxError", tline, tcol,
                                 "unexpected EOF while parsing");
            return lex_error(&lx, "SyntaxError", tline, tcol,
                             "unexpected character after line continuation character");
        }
        if (c == '\n') {
            /* A NEWLINE ends a logical line unless brackets are open or the
             * line produced no token yet (blank lines never get here because
             * lex_indentation skips them, but comment lines inside a
             * statement's continuation might). */
            if (lx.depth == 0 && !lx.expr_mode && out->count > 0 &&
                out->tokens[out->count - 1].type != TOK_NEWLINE &&
                out->tokens[out->count - 1].type != TOK_INDENT &&
                out->tokens[out->count - 1].type != TOK_DEDENT)
                push(&lx, TOK_NEWLINE, p, 1, tline, tcol);
            lx.p++;
            lx.line++;
            lx.line_start = lx.p;
            lx.col_base = 0;
            if (lx.depth == 0 && !lx.expr_mode) lx.at_line_start = true;
            continue;
        }
        if (is_ident_start((unsigned char)c)) {
            while (lx.p < lx.end && is_ident_char((unsigned char)*lx.p)) lx.p++;
            int len = (int)(lx.p - p);
            if (lx.p < lx.end && (*lx.p == '\'' || *lx.p == '"') &&
                is_string_prefix(p, len)) {
                if (!lex_string(&lx, p, tline, tcol)) return false;
                continue;
            }
            if (lx.p < lx.end && (unsigned char)*lx.p >= 0x80)
                return lex_error(&lx, "SyntaxError", tline, tcol,
                                 "non-ASCII identifiers are not supported in gilt");
            push(&lx, keyword_type(p, len), p, len, tline, tcol);
            continue;
        }
        if (isdigit((unsigned char)c) ||
            (c == '.' && p + 1 < lx.end && isdigit((unsigned char)p[1]))) {
            lex_number(&lx, tline, tcol);
            continue;
        }
        if (c == '\'' || c == '"') {
            if (!lex_string(&lx, p, tline, tcol)) return false;
            continue;
        }
        if ((unsigned char)c >= 0x80) {
            uint32_t cp = (unsigned char)c;
            return lex_error(&lx, "SyntaxError", tline, tcol,
                             cp >= 0xC0 ? "non-ASCII identifiers are not supported in gilt"
                                        : "invalid non-printable character");
        }
        bool matched = false;
        for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
            size_t n = strlen(operators[i].text);
            if ((size_t)(lx.end - p) >= n && memcmp(p, operators[i].text, n) == 0) {
                TokenType t = operators[i].type;
                if (t == TOK_LPAREN || t == TOK_LBRACKET || t == TOK_LBRACE) {
                    if (lx.depth >= 200)
                        return lex_error(&lx, "SyntaxError", tline, tcol,
                                         "too many nested parentheses");
                    bracket_open[lx.depth] = operators[i].text;
                    bracket_line[lx.depth] = tline;
                    bracket_col[lx.depth] = tcol;
                    lx.depth++;
                } else if (t == TOK_RPAREN || t == TOK_RBRACKET || t == TOK_RBRACE) {
                    if (lx.depth == 0)
                        return lex_error(&lx, "SyntaxError", tline, tcol,
                                         "unmatched '%s'", operators[i].text);
                    char open = bracket_open[lx.depth - 1][0];
                    char want = open == '(' ? ')' : open == '[' ? ']' : '}';
                    if (want != operators[i].text[0]) {
                        if (bracket_line[lx.depth - 1] != tline)
                            return lex_error(&lx, "SyntaxError", tline, tcol,
                                             "closing parenthesis '%s' does not match "
                                             "opening parenthesis '%c' on line %d",
                                             operators[i].text, open,
                                             bracket_line[lx.depth - 1]);
                        return lex_error(&lx, "SyntaxError", tline, tcol,
                                         "closing parenthesis '%s' does not match "
                                         "opening parenthesis '%c'",
                                         operators[i].text, open);
                    }
                    lx.depth--;
                }
                push(&lx, t, p, (int)n, tline, tcol);
                lx.p += n;
                matched = true;
                break;
            }
        }
        if (!matched) {
            if (isprint((unsigned char)c))
                return lex_error(&lx, "SyntaxError", tline, tcol,
                                 "invalid character '%c' (U+%04X)", c,
                                 (unsigned)(unsigned char)c);
            return lex_error(&lx, "SyntaxError", tline, tcol,
                             "invalid non-printable character U+%04X",
                             (unsigned)(unsigned char)c);
        }
    }
    if (lx.depth > 0 && !lx.expr_mode) {
        push(&lx, TOK_EOF, lx.p, 0, lx.line, col_of(&lx, lx.p));
        err->unclosed = true;
        return lex_error(&lx, "SyntaxError", bracket_line[lx.depth - 1],
                         bracket_col[lx.depth - 1], "'%c' was never closed",
                         bracket_open[lx.depth - 1][0]);
    }
    int col_end = col_of(&lx, lx.p);
    if (!lx.expr_mode) {
        if (out->count > 0 && out->tokens[out->count - 1].type != TOK_NEWLINE &&
            out->tokens[out->count - 1].type != TOK_DEDENT &&
            out->tokens[out->count - 1].type != TOK_INDENT)
            push(&lx, TOK_NEWLINE, lx.p, 0, lx.line, col_end);
        while (lx.nindents > 1) {
            lx.nindents--;
            push(&lx, TOK_DEDENT, lx.p, 0, lx.line, col_end);
        }
    }
    push(&lx, TOK_EOF, lx.p, 0, lx.line, col_end);
    return true;
}

void vm_lexer_tokens_fini(TokenArray *a) {
    VM_FREE_ARRAY(NULL, Token, a->tokens, a->capacity);
    a->tokens = NULL;
    a->count = a->capacity = 0;
}
