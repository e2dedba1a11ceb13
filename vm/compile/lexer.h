/*
 * vm/compile/lexer.h - the tokenizer of the front end.
 *
 * The lexer turns a whole source file into an array of tokens up front, so
 * the parser can look ahead as far as it likes (it needs that to recognise
 * soft keywords such as `match`).  Tokens are views into the source text
 * (start + length, clox style) with a 1-based line and column; string and
 * number tokens are decoded by the parser, which knows their context.
 * Indentation becomes INDENT/DEDENT tokens, and newlines inside brackets or
 * after a backslash are ignored, as in CPython's tokenizer.
 */
#ifndef GILT_VM_COMPILE_LEXER_H
#define GILT_VM_COMPILE_LEXER_H

#include <stdbool.h>
#include <stdint.h>

#define VM_TOKEN_LIST(X)                                                     \
    X(EOF, "end of file") X(NEWLINE, "newline") X(INDENT, "indent")          \
    X(DEDENT, "dedent") X(NAME, "name") X(NUMBER, "number")                  \
    X(STRING, "string")                                                      \
    X(LPAREN, "(") X(RPAREN, ")") X(LBRACKET, "[") X(RBRACKET, "]")         \
    X(LBRACE, "{") X(RBRACE, "}") X(COMMA, ",") X(COLON, ":")                \
    X(SEMI, ";") X(DOT, ".") X(ELLIPSIS, "...") X(PLUS, "+") X(MINUS, "-")  \
    X(STAR, "*") X(SLASH, "/") X(DSLASH, "//") X(PERCENT, "%")               \
    X(DSTAR, "**") X(AT, "@") X(LSHIFT, "<<") X(RSHIFT, ">>")                \
    X(AMP, "&") X(PIPE, "|") X(CARET, "^") X(TILDE, "~") X(LT, "<")          \
    X(GT, ">") X(LE, "<=") X(GE, ">=") X(EQEQ, "==") X(NE, "!=")             \
    X(ARROW, "->") X(EQ, "=") X(PLUSEQ, "+=") X(MINUSEQ, "-=")               \
    X(STAREQ, "*=") X(SLASHEQ, "/=") X(DSLASHEQ, "//=")                      \
    X(PERCENTEQ, "%=") X(DSTAREQ, "**=") X(ATEQ, "@=")                       \
    X(LSHIFTEQ, "<<=") X(RSHIFTEQ, ">>=") X(AMPEQ, "&=") X(PIPEEQ, "|=")    \
    X(CARETEQ, "^=") X(WALRUS, ":=") X(BANG, "!")                            \
    X(FALSE, "False") X(NONE, "None") X(TRUE, "True") X(AND, "and")         \
    X(AS, "as") X(ASSERT, "assert") X(ASYNC, "async") X(AWAIT, "await")      \
    X(BREAK, "break") X(CLASS, "class") X(CONTINUE, "continue")              \
    X(DEF, "def") X(DEL, "del") X(ELIF, "elif") X(ELSE, "else")              \
    X(EXCEPT, "except") X(FINALLY, "finally") X(FOR, "for")                  \
    X(FROM, "from") X(GLOBAL, "global") X(IF, "if") X(IMPORT, "import")      \
    X(IN, "in") X(IS, "is") X(LAMBDA, "lambda") X(NONLOCAL, "nonlocal")      \
    X(NOT, "not") X(OR, "or") X(PASS, "pass") X(RAISE, "raise")              \
    X(RETURN, "return") X(TRY, "try") X(WHILE, "while") X(WITH, "with")      \
    X(YIELD, "yield")

typedef enum {
#define VM_TOKEN_ENUM(name, text) TOK_##name,
    VM_TOKEN_LIST(VM_TOKEN_ENUM)
#undef VM_TOKEN_ENUM
    TOK__COUNT
} TokenType;

/* First and last keyword token, for the keyword table. */
#define TOK_FIRST_KEYWORD TOK_FALSE
#define TOK_LAST_KEYWORD TOK_YIELD

typedef struct {
    TokenType type;
    const char *start;   /* into the source; INDENT/DEDENT/EOF are empty */
    int length;
    int line;            /* 1-based */
    int col;             /* 1-based, in bytes */
} Token;

typedef struct {
    Token *tokens;
    int count;
    int capacity;
} TokenArray;

/* A lexical error: where and what, with CPython's exception type. */
typedef struct {
    int line, col;
    char type[32];
    char message[256];
    bool unclosed;       /* "'(' was never closed": the tokens are complete
                            (ending in EOF), so the parser may find an
                            earlier error on the bracket's line */
} LexError;

/* Tokenize `length` bytes at `source`.  `line`/`col` give the position of
 * the first byte (1, 1 for a file; the inside of an f-string replacement
 * field otherwise).  `expr_mode` tokenizes a bare expression: no NEWLINE,
 * INDENT or DEDENT tokens at all.  Returns false and fills *err on error;
 * either way the array must be released with vm_lexer_tokens_fini. */
bool vm_lexer_tokenize(const char *source, int64_t length, int line, int col,
                       bool expr_mode, TokenArray *out, LexError *err);
void vm_lexer_tokens_fini(TokenArray *a);

/* "(", "if", "name" ... for messages and the token dumps of the tests. */
const char *vm_token_type_name(TokenType t);

#endif /* GILT_VM_COMPILE_LEXER_H */
