/*
 * query_parse.c: the query parser.
 *
 * A lexer cuts the text into words, quoted strings and parentheses,
 * remembering whether white space came before each.  A recursive-descent
 * parser builds the tree:
 *
 *   query   := and
 *   and     := or (["AND"] or)*
 *   or      := near (("OR" | "or" between two terms) near)*
 *   near    := unary (("NEAR" | "NEAR/n") unary)*
 *   unary   := ("NOT" | "-") unary | primary
 *   primary := "(" or ")" | "\"" phrase "\"" | NEAR(...) | field:value | word["*"]
 *
 * Whatever does not fit is repaired (closed, dropped or read as a word);
 * in strict mode the first repair is also reported.  The nodes are made
 * in the query's arena (query.c).
 */
#include "query_tree.h"
#include "tokenize.h"

#include <stdio.h>
#include <string.h>

static int quote_len(const char *s, int n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n >= 1 && u[0] == '"')
        return 1;
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
        (u[2] == 0x9C || u[2] == 0x9D || u[2] == 0x9E))
        return 3;
    return 0;
}

/* Length of white space at s: ASCII, no-break space, ideographic space. */
static int space_len(const char *s, int n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\n' || u[0] == '\r' ||
                   u[0] == '\f' || u[0] == '\v'))
        return 1;
    if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    return 0;
}

static int lex(eaf__query *q)
{
    const char *s = q->text;
    int n = q->n, i = 0, space = 1, cap = 0, k;

    while (i < n) {
        lexeme l;

        if ((k = space_len(s + i, n - i)) > 0) {
            i += k;
            space = 1;
            continue;
        }
        memset(&l, 0, sizeof(l));
        l.at = i;
        l.space_before = space;
        if (s[i] == '(' || s[i] == ')') {
            l.type = s[i] == '(' ? L_LPAREN : L_RPAREN;
            l.start = i;
            l.end = ++i;
        } else if ((k = quote_len(s + i, n - i)) > 0) {
            int j = i + k;
            l.type = L_QUOTE;
            l.start = j;
            while (j < n && quote_len(s + j, n - j) == 0)
                j++;
            l.end = j;
            l.closed = j < n;
            i = j < n ? j + quote_len(s + j, n - j) : j;
        } else {
            l.type = L_WORD;
            l.start = i;
            while (i < n && s[i] != '(' && s[i] != ')' &&
                   quote_len(s + i, n - i) == 0 && space_len(s + i, n - i) == 0)
                i++;
            l.end = i;
        }
        space = 0;
        if (q->nlx == cap) {
            lexeme *p;
            cap = cap ? cap * 2 : 16;
            p = eaf__realloc(q->lx, (size_t)cap * sizeof(*p));
            if (!p) {
                q->nomem = 1;
                return -1;
            }
            q->lx = p;
        }
        q->lx[q->nlx++] = l;
    }
    return 0;
}

/* ---- helpers over lexemes ------------------------------------------------ */

static const lexeme *peek(eaf__query *q, int ahead)
{
    int i = q->pos + ahead;
    return i < q->nlx ? &q->lx[i] : NULL;
}

static int lx_is(eaf__query *q, const lexeme *l, const char *word)
{
    size_t n = strlen(word);
    return l && l->type == L_WORD && (size_t)(l->end - l->start) == n &&
           memcmp(q->text + l->start, word, n) == 0;
}

/* NEAR/n: returns n, or -1 if the lexeme is not of that form. */
static int lx_near_n(eaf__query *q, const lexeme *l)
{
    int i, v = 0;

    if (!l || l->type != L_WORD || l->end - l->start < 6 ||
        memcmp(q->text + l->start, "NEAR/", 5) != 0)
        return -1;
    for (i = l->start + 5; i < l->end; i++) {
        if (q->text[i] < '0' || q->text[i] > '9' || v > 100000)
            return -1;
        v = v * 10 + (q->text[i] - '0');
    }
    return v;
}

/* Can this lexeme start a term (the right-hand side of an operator)? */
static int starts_term(eaf__query *q, const lexeme *l)
{
    if (!l || l->type == L_RPAREN)
        return 0;
    if (l->type != L_WORD)
        return 1;
    return !lx_is(q, l, "OR") && !lx_is(q, l, "AND");
}

/* Is the lexeme at the cursor an OR operator, given that a term came
 * before it?  Lower-case "or" counts only between two terms. */
static int at_or(eaf__query *q, int have_left)
{
    const lexeme *l = peek(q, 0);

    if (lx_is(q, l, "OR"))
        return 1;
    return have_left && lx_is(q, l, "or") && starts_term(q, peek(q, 1));
}
/* ---- fields and dates ---------------------------------------------------- */

typedef enum { F_TEXT, F_DATE, F_AFTER, F_BEFORE, F_RELATED } ftype;

typedef struct field_def {
    const char *name;
    ftype type;
    unsigned cols;
    unsigned meta_kinds;     /* 0: a quoted value is a phrase in the field */
} field_def;

#define COL(c) (1u << (c))
#define KIND(k) (1u << (k))

static const field_def fields[] = {
    {"title", F_TEXT, COL(EAF__COL_TITLE), 0},
    {"author", F_TEXT, COL(EAF__COL_AUTHOR), KIND(10)},
    {"affiliation", F_TEXT, COL(EAF__COL_AFFILIATION), KIND(11)},
    {"body", F_TEXT, COL(EAF__COL_BODY), 0},
    {"topic", F_TEXT, COL(EAF__COL_TOPIC), KIND(EAF_TAG_TOPIC) | KIND(EAF_TAG_OTHER)},
    {"tag", F_TEXT, COL(EAF__COL_TOPIC), KIND(EAF_TAG_TOPIC) | KIND(EAF_TAG_OTHER)},
    {"country", F_TEXT, COL(EAF__COL_COUNTRY), KIND(EAF_TAG_COUNTRY)},
    {"summary", F_TEXT, COL(EAF__COL_SUMMARY), 0},
    {"bio", F_TEXT, COL(EAF__COL_BIO), 0},
    {"date", F_DATE, 0, 0},
    {"after", F_AFTER, 0, 0},
    {"before", F_BEFORE, 0, 0},
    {"related", F_RELATED, 0, 0},
};

static const field_def *find_field(const char *s, int n)
{
    size_t i;
    int j;

    for (i = 0; i < EAF__ARRAY_LEN(fields); i++) {
        if ((int)strlen(fields[i].name) != n)
            continue;
        for (j = 0; j < n; j++) {
            char c = s[j];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != fields[i].name[j])
                break;
        }
        if (j == n)
            return &fields[i];
    }
    return NULL;
}

const char *eaf__query_field_name(size_t i)
{
    return i < EAF__ARRAY_LEN(fields) ? fields[i].name : NULL;
}

/* Parses Y, Y-M or Y-M-D; sets the first and last day it covers. */
static int parse_day(const char *s, int n, int32_t *lo, int32_t *hi)
{
    char buf[11];
    int32_t day;

    if (n != 4 && n != 7 && n != 10)
        return 0;
    if (!eaf__date_parse(s, (size_t)n, buf, &day))
        return 0;
    *lo = day;
    if (n == 4)
        *hi = day + 1299;
    else if (n == 7)
        *hi = day + 99;
    else
        *hi = day;
    return 1;
}

/* A date value: D, D..D, D.., ..D.  Returns 0 when malformed, 2 for a
 * range written backwards (then repaired), else 1. */
static int parse_date_spec(const char *s, int n, ftype type, int32_t *from,
                           int32_t *to)
{
    int i, dots = -1;
    int32_t lo, hi, lo2, hi2;

    for (i = 0; i + 1 < n; i++) {
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = i;
            break;
        }
    }
    if (dots < 0) {
        if (!parse_day(s, n, &lo, &hi))
            return 0;
        *from = type == F_BEFORE ? EAF__DAY_MIN : lo;
        *to = type == F_AFTER ? EAF__DAY_MAX : hi;
        return 1;
    }
    if (type != F_DATE)
        return 0;
    *from = EAF__DAY_MIN;
    *to = EAF__DAY_MAX;
    if (dots == 0 && n == 2)
        return 0; /* ".." alone */
    if (dots > 0) {
        if (!parse_day(s, dots, &lo, &hi))
            return 0;
        *from = lo;
    }
    if (dots + 2 < n) {
        if (!parse_day(s + dots + 2, n - dots - 2, &lo2, &hi2))
            return 0;
        *to = hi2;
        if (dots > 0 && lo2 < lo) {
            /* written backwards: the caller reports it; the range meant
             * is from the earlier date to the later one */
            *from = lo2;
            *to = hi;
            return 2;
        }
    }
    return 1;
}

/* ---- parser -------------------------------------------------------------- */

static eaf__qnode *parse_and(eaf__query *q, int depth);
static eaf__qnode *parse_unary(eaf__query *q, int depth);

/* Counts the characters of the last run of letters and digits in s. */
static int last_run_chars(const char *s, int n)
{
    int i = n, count = 0;

    while (i > 0) {
        unsigned char c = (unsigned char)s[i - 1];
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9')))
            break;
        if ((c & 0xC0) != 0x80)
            count++;
        i--;
    }
    return count;
}

/* A plain word (maybe with a trailing '*') restricted to cols. */
static eaf__qnode *word_node(eaf__query *q, const char *s, int n, int offset,
                             unsigned cols)
{
    int stars = 0, prefix = 0;
    eaf__qnode *r;

    while (n > 0 && s[n - 1] == '*') {
        n--;
        stars++;
    }
    if (n == 0) {
        if (stars)
            eaf__qtree_problem(q, offset, "'*' must follow the start of a word");
        return NULL;
    }
    if (stars) {
        if (last_run_chars(s, n) >= 2)
            prefix = 1;
        else
            eaf__qtree_problem(q, offset, "a prefix needs at least 2 characters before '*'");
    }
    r = eaf__qtree_text_node(q, EAF__Q_TERM, offset, s, (size_t)n);
    if (r) {
        r->prefix = prefix;
        r->cols = cols;
    }
    return r;
}

/* Consumes the lexeme at the cursor if it is a quote or '(' directly after
 * the previous one, returning it. */
static const lexeme *adjacent(eaf__query *q, ltype type)
{
    const lexeme *l = peek(q, 0);

    if (l && l->type == type && !l->space_before)
        return l;
    return NULL;
}

static eaf__qnode *phrase_node(eaf__query *q, const lexeme *l, unsigned cols)
{
    eaf__qnode *r;

    if (!l->closed)
        eaf__qtree_problem(q, l->at, "unclosed quotation mark");
    if (l->end == l->start) {
        eaf__qtree_problem(q, l->at, "empty phrase");
        return NULL;
    }
    r = eaf__qtree_text_node(q, EAF__Q_PHRASE, l->at, q->text + l->start,
                             (size_t)(l->end - l->start));
    if (r)
        r->cols = cols;
    return r;
}

static eaf__qnode *parse_group(eaf__query *q, int depth)
{
    const lexeme *open = peek(q, 0);
    eaf__qnode *r;

    q->pos++;
    if (depth >= EAF__QUERY_MAX_DEPTH) {
        eaf__qtree_problem(q, open->at, "parentheses nested too deeply");
        /* read the inside without going deeper */
        depth--;
    }
    r = parse_and(q, depth + 1);
    if (peek(q, 0) && peek(q, 0)->type == L_RPAREN)
        q->pos++;
    else
        eaf__qtree_problem(q, open->at, "unclosed parenthesis");
    if (!r)
        eaf__qtree_problem(q, open->at, "empty parentheses");
    return r;
}

/* related:KEY.  The key is quoted (related:"a key"), or it is the text
 * from the colon to the next white space, with the parentheses it opens
 * and closes itself (a URL may hold them; "(related:KEY)" still closes
 * its group).  Without a key it is read as the word "related". */
static eaf__qnode *related_node(eaf__query *q, const lexeme *l, int at, int name_len,
                                int vstart)
{
    const lexeme *next;
    int end = l->end, depth = 0;
    eaf__qnode *r;

    if (l->end == vstart && (next = adjacent(q, L_QUOTE)) != NULL) {
        q->pos++;
        if (!next->closed)
            eaf__qtree_problem(q, next->at, "unclosed quotation mark");
        if (next->end == next->start) {
            eaf__qtree_problem(q, next->at, "empty key");
            return word_node(q, q->text + at, name_len, at, 0);
        }
        r = eaf__qtree_text_node(q, EAF__Q_RELATED, at, q->text + next->start,
                                 (size_t)(next->end - next->start));
        return r;
    }
    /* the word, and what is glued to it: parentheses, words after them */
    while ((next = peek(q, 0)) != NULL && !next->space_before && next->type != L_QUOTE) {
        if (next->type == L_LPAREN)
            depth++;
        else if (next->type == L_RPAREN && depth-- == 0)
            break;
        end = next->end;
        q->pos++;
    }
    if (end == vstart) {
        eaf__qtree_problem(q, at, "related: needs the key of an article");
        return word_node(q, q->text + at, name_len, at, 0);
    }
    return eaf__qtree_text_node(q, EAF__Q_RELATED, at, q->text + vstart, (size_t)(end - vstart));
}

/* field:value, with the value in the same word or in a quote or group
 * right after the colon. */
static eaf__qnode *field_node(eaf__query *q, const field_def *f, const lexeme *l,
                              int skip, int name_len, int depth)
{
    int at = l->start + skip;
    const char *s = q->text + at;
    int vstart = at + name_len + 1, vlen = l->end - vstart;
    const lexeme *next;
    eaf__qnode *r, *items[2];

    if (f->type == F_RELATED)
        return related_node(q, l, at, name_len, vstart);
    if (f->type != F_TEXT) {
        const char *v = q->text + vstart;
        int32_t from, to;
        int k;

        if (vlen == 0 && (next = adjacent(q, L_QUOTE)) != NULL) {
            q->pos++;
            v = q->text + next->start;
            vlen = next->end - next->start;
            vstart = next->start;
        }
        if (vlen > 0 && (k = parse_date_spec(v, vlen, f->type, &from, &to)) != 0) {
            if (k == 2)
                eaf__qtree_problem(q, vstart, "the date range ends before it starts");
            r = eaf__qtree_node(q, EAF__Q_DATE, at);
            if (r) {
                r->day_from = from;
                r->day_to = to;
            }
            return r;
        }
        eaf__qtree_problem(
            q, vlen > 0 ? vstart : at,
            vlen > 0 ? "invalid date (use YYYY, YYYY-MM, YYYY-MM-DD or a range A..B)"
                     : "a date field needs a value");
        /* read as plain text */
        items[0] = word_node(q, s, name_len, at, 0);
        items[1] = vlen > 0 ? eaf__qtree_text_node(q, EAF__Q_TERM, vstart, v, (size_t)vlen) : NULL;
        return eaf__qtree_combine(q, EAF__Q_AND, items, 2, at);
    }
    if (vlen > 0)
        return word_node(q, q->text + vstart, vlen, vstart, f->cols);
    if ((next = adjacent(q, L_QUOTE)) != NULL) {
        q->pos++;
        if (!f->meta_kinds)
            return phrase_node(q, next, f->cols);
        if (!next->closed)
            eaf__qtree_problem(q, next->at, "unclosed quotation mark");
        if (next->end == next->start) {
            eaf__qtree_problem(q, next->at, "empty value");
            return NULL;
        }
        r = eaf__qtree_text_node(q, EAF__Q_META, at, q->text + next->start,
                                 (size_t)(next->end - next->start));
        if (r) {
            r->meta_kinds = f->meta_kinds;
            r->cols = f->cols;
        }
        return r;
    }
    if (adjacent(q, L_LPAREN)) {
        r = parse_group(q, depth);
        eaf__qtree_restrict_cols(r, f->cols);
        return r;
    }
    eaf__qtree_problem(q, at, "a field needs a value after ':'");
    return word_node(q, s, name_len, at, 0);
}

/* NEAR(a b "c d", 5) */
static eaf__qnode *near_group(eaf__query *q, int offset)
{
    eaf__qnode *r = eaf__qtree_node(q, EAF__Q_NEAR, offset), *kid;
    eaf__qnode *kids[EAF__QUERY_MAX_TERMS];
    size_t nk = 0;
    const lexeme *l;
    int dist = EAF__NEAR_DEFAULT, comma = 0, closed = 0;

    if (!r)
        return NULL;
    q->pos++; /* the '(' */
    while ((l = peek(q, 0)) != NULL) {
        q->pos++;
        if (l->type == L_RPAREN) {
            closed = 1;
            break;
        }
        if (l->type == L_LPAREN) {
            eaf__qtree_problem(q, l->at, "parentheses inside NEAR()");
            continue;
        }
        if (l->type == L_QUOTE) {
            kid = phrase_node(q, l, 0);
        } else {
            const char *s = q->text + l->start;
            int n = l->end - l->start, i, digits = 1, v = 0, lead = 0;

            if (n > 0 && s[0] == ',') {
                comma = 1;
                lead = 1;
            }
            for (i = lead; i < n; i++) {
                if (s[i] < '0' || s[i] > '9' || v > 100000) {
                    digits = 0;
                    break;
                }
                v = v * 10 + (s[i] - '0');
            }
            if (comma && digits && n > lead) {
                dist = v;
                continue;
            }
            while (n > 0 && s[n - 1] == ',') {
                n--;
                comma = 1;
            }
            kid = n > 0 ? word_node(q, s, n, l->start, 0) : NULL;
        }
        if (kid && nk < EAF__ARRAY_LEN(kids))
            kids[nk++] = kid;
    }
    if (!closed)
        eaf__qtree_problem(q, offset, "unclosed NEAR(");
    if (nk < 2) {
        eaf__qtree_problem(q, offset, "NEAR() needs at least two terms");
        return nk == 1 ? kids[0] : NULL;
    }
    r->kids = eaf__qtree_alloc(q, nk * sizeof(*r->kids));
    if (!r->kids)
        return NULL;
    memcpy(r->kids, kids, nk * sizeof(*r->kids));
    r->nkids = nk;
    r->near_dist = dist;
    return r;
}

/* A word lexeme from byte `skip` on: field:value or a plain word. */
static eaf__qnode *parse_word(eaf__query *q, const lexeme *l, int skip, int depth)
{
    const char *s = q->text + l->start + skip;
    int n = l->end - l->start - skip, i, at = l->start + skip;
    const field_def *f;
    eaf__qnode *items[2];

    for (i = 0; i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'));
         i++)
        ;
    if (i > 0 && i < n && s[i] == ':') {
        f = find_field(s, i);
        if (f)
            return field_node(q, f, l, skip, i, depth);
        eaf__qtree_problem(q, at, "unknown field (fields: title, author, affiliation, "
                       "body, topic, tag, country, summary, bio, date, "
                       "after, before, related)");
        /* foo:bar is the text "foo bar" */
        items[0] = word_node(q, s, i, at, 0);
        items[1] = i + 1 < n ? word_node(q, s + i + 1, n - i - 1, at + i + 1, 0)
                             : NULL;
        return eaf__qtree_combine(q, EAF__Q_AND, items, 2, at);
    }
    return word_node(q, s, n, at, 0);
}

static eaf__qnode *parse_primary(eaf__query *q, int depth)
{
    const lexeme *l = peek(q, 0);
    const char *s;
    int n, neg = 0;

    if (!l)
        return NULL;
    switch (l->type) {
    case L_LPAREN:
        return parse_group(q, depth);
    case L_RPAREN:
        q->pos++;
        eaf__qtree_problem(q, l->at, "unmatched ')'");
        return NULL;
    case L_QUOTE:
        q->pos++;
        return phrase_node(q, l, 0);
    case L_WORD:
        break;
    }
    q->pos++;
    s = q->text + l->start;
    n = l->end - l->start;
    if (lx_is(q, l, "NEAR") && adjacent(q, L_LPAREN))
        return near_group(q, l->start);
    /* leading '-': exclusion */
    while (neg < n && s[neg] == '-')
        neg++;
    if (neg == 0)
        return parse_word(q, l, 0, depth);
    if (neg < n)
        return eaf__qtree_negate(q, parse_word(q, l, neg, depth), l->start);
    if (adjacent(q, L_QUOTE) || adjacent(q, L_LPAREN))
        return eaf__qtree_negate(q, parse_primary(q, depth + 1), l->start);
    eaf__qtree_problem(q, l->start, "nothing to exclude after '-'");
    return NULL;
}

static eaf__qnode *parse_unary(eaf__query *q, int depth)
{
    const lexeme *l = peek(q, 0);

    if (depth >= EAF__QUERY_MAX_DEPTH * 2) {
        /* a long chain of NOT NOT NOT ...: stop nesting */
        eaf__qtree_problem(q, l ? l->at : q->n, "operators nested too deeply");
        q->pos = q->nlx;
        return NULL;
    }
    if (lx_is(q, l, "NOT")) {
        q->pos++;
        if (!starts_term(q, peek(q, 0))) {
            eaf__qtree_problem(q, l->at, "NOT needs a term after it");
            return NULL;
        }
        return eaf__qtree_negate(q, parse_unary(q, depth + 1), l->at);
    }
    return parse_primary(q, depth);
}

/* Is the NEAR at the cursor the start of NEAR(...)? */
static int near_group_follows(eaf__query *q)
{
    const lexeme *l = peek(q, 1);
    return l && l->type == L_LPAREN && !l->space_before;
}

/* Can the node take part in NEAR? */
static int near_operand(const eaf__qnode *n)
{
    return n && (n->kind == EAF__Q_TERM || n->kind == EAF__Q_PHRASE) && n->cols == 0;
}

/* near := unary (("NEAR" | "NEAR/n") unary)* */
static eaf__qnode *parse_near(eaf__query *q, int depth)
{
    eaf__qnode *left = parse_unary(q, depth), *right, *nr;
    const lexeme *l;
    int dist;

    while ((l = peek(q, 0)) != NULL && left && !q->nomem) {
        dist = lx_near_n(q, l);
        if (dist < 0 && !(lx_is(q, l, "NEAR") && !near_group_follows(q)))
            break;
        q->pos++;
        if (dist < 0)
            dist = EAF__NEAR_DEFAULT;
        right = starts_term(q, peek(q, 0)) ? parse_unary(q, depth) : NULL;
        if (near_operand(right) &&
            (near_operand(left) ||
             (left->kind == EAF__Q_NEAR && left->near_dist == dist && left->cols == 0))) {
            size_t count = left->kind == EAF__Q_NEAR ? left->nkids + 1 : 2;

            nr = eaf__qtree_node(q, EAF__Q_NEAR, left->offset);
            if (!nr || !(nr->kids = eaf__qtree_alloc(q, count * sizeof(*nr->kids))))
                return NULL;
            if (left->kind == EAF__Q_NEAR) {
                memcpy(nr->kids, left->kids, left->nkids * sizeof(*nr->kids));
                nr->nkids = left->nkids;
            } else {
                nr->kids[nr->nkids++] = left;
            }
            nr->kids[nr->nkids++] = right;
            nr->near_dist = dist;
            left = nr;
            continue;
        }
        /* not two words or phrases: read as both terms, without NEAR */
        eaf__qtree_problem(q, l->at, "NEAR needs a word or phrase on each side");
        if (right) {
            eaf__qnode *items[2];
            items[0] = left;
            items[1] = right;
            left = eaf__qtree_combine(q, EAF__Q_AND, items, 2, left->offset);
        }
    }
    return left;
}

/* or := near (("OR" | "or" between two terms) near)*
 * OR binds more tightly than AND: "japan OR korea trade" is
 * (japan OR korea) AND trade, as in web search engines. */
static eaf__qnode *parse_or(eaf__query *q, int depth)
{
    eaf__qnode *items[EAF__QUERY_MAX_TERMS + 1];
    size_t n = 0;
    const lexeme *l;
    int offset = q->pos < q->nlx ? q->lx[q->pos].at : q->n;
    eaf__qnode *left;

    if (lx_is(q, peek(q, 0), "OR")) {
        eaf__qtree_problem(q, peek(q, 0)->at, "OR needs a term before it");
        q->pos++;
        return NULL;
    }
    left = parse_near(q, depth);
    if (!left)
        return NULL;
    items[n++] = left;
    while ((l = peek(q, 0)) != NULL && at_or(q, 1) && !q->nomem) {
        eaf__qnode *right;
        q->pos++;
        right = starts_term(q, peek(q, 0)) ? parse_near(q, depth) : NULL;
        if (!right)
            eaf__qtree_problem(q, l->at, "OR needs a term after it");
        else if (n < EAF__QUERY_MAX_TERMS)
            items[n++] = right;
    }
    return eaf__qtree_combine(q, EAF__Q_OR, items, n, offset);
}

/* The field a node is restricted to, or 0: terms, phrases and exact
 * values of one field. */
static unsigned field_of(const eaf__qnode *n)
{
    if (!n)
        return 0;
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE: case EAF__Q_META: case EAF__Q_NEAR:
        return n->cols;
    default:
        return 0;
    }
}

/* country:japan country:china means either: the items of an AND that name
 * the same field are joined by OR, in the place of the first. */
static void merge_same_fields(eaf__query *q, eaf__qnode **items, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        unsigned f = field_of(items[i]);
        if (!f)
            continue;
        for (j = i + 1; j < n; j++) {
            if (field_of(items[j]) == f) {
                eaf__qnode *pair[2];
                pair[0] = items[i];
                pair[1] = items[j];
                items[i] = eaf__qtree_combine(q, EAF__Q_OR, pair, 2, items[i]->offset);
                items[j] = NULL;
                if (!items[i])
                    return;
            }
        }
    }
}

/* and := or (["AND"] or)*, up to a ')' closing the group */
static eaf__qnode *parse_and(eaf__query *q, int depth)
{
    eaf__qnode *items[EAF__QUERY_MAX_TERMS + 1], *r;
    size_t n = 0;
    const lexeme *l;
    int offset = q->pos < q->nlx ? q->lx[q->pos].at : q->n, typed = 0;

    while ((l = peek(q, 0)) != NULL && !q->nomem) {
        eaf__qnode *item;

        if (l->type == L_RPAREN && depth > 0)
            break;
        if (lx_is(q, l, "AND")) {
            q->pos++;
            if (n == 0 || !starts_term(q, peek(q, 0)))
                eaf__qtree_problem(q, l->at, "AND needs a term on each side");
            else
                typed = 1;
            continue;
        }
        item = parse_or(q, depth);
        if (item && n < EAF__QUERY_MAX_TERMS)
            items[n++] = item;
    }
    if (q->nomem)
        return NULL;
    merge_same_fields(q, items, n);
    r = eaf__qtree_combine(q, EAF__Q_AND, items, n, offset);
    if (r && r->kind == EAF__Q_AND && typed)
        r->explicit_and = 1;
    return r;
}

eaf_status eaf__query_parse(eaf__query **out, const char *text, size_t n,
                            unsigned flags)
{
    eaf__query *q = eaf__calloc(1, sizeof(*q));
    char *copy;

    *out = NULL;
    if (!q)
        return EAF_NOMEM;
    q->flags = flags;
    q->err_offset = -1;
    if (n > EAF__QUERY_MAX_BYTES)
        n = EAF__QUERY_MAX_BYTES;
    copy = eaf__qtree_strndup(q, text, n);
    if (!copy) {
        eaf__query_free(q);
        return EAF_NOMEM;
    }
    q->text = copy;
    q->n = (int)n;
    if (n == EAF__QUERY_MAX_BYTES)
        eaf__qtree_problem(q, (int)n, "query too long");
    if (lex(q) == 0) {
        q->root = parse_and(q, 0);
        /* a stray ')' at the top level: skip it and go on */
        while (!q->nomem && q->pos < q->nlx) {
            eaf__qnode *items[2];
            eaf__qtree_problem(q, q->lx[q->pos].at, "unmatched ')'");
            q->pos++;
            items[0] = q->root;
            items[1] = parse_and(q, 0);
            q->root = eaf__qtree_combine(q, EAF__Q_AND, items, 2, 0);
        }
    }
    if (q->nomem) {
        eaf__query_free(q);
        return EAF_NOMEM;
    }
    *out = q;
    return q->err_msg ? EAF_SYNTAX : EAF_OK;
}

