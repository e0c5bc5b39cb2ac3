/*
 * test_query.c: the query parser and compiler, without a database.
 *
 * Each case gives the input and the FTS5 expression and SQL condition it
 * must compile to, so that every row of the query language's table and the
 * inputs that break raw FTS5 are pinned down.  Strict mode must report
 * malformed input at the right byte offset; the default mode must never
 * fail.
 */
#include "tap.h"
#include "query.h"

typedef struct qcase {
    const char *input;
    const char *fts;     /* NULL: no FTS5 part */
    const char *sql;     /* NULL: no SQL part */
    const char *params;  /* the bound values, "v1|v2", or NULL */
} qcase;

/* Queries that select nothing (positive == 0). */
static const char *const nothing[] = {
    "", "   ", "((", "*", "-", "\"\"", "NOT china", "-tariffs", "-\"trade war\"",
    "-japan -china", "()", "OR", "AND", "NOT", "***", "- - -", "\"  \"", "(-x)",
    "!!!", "\"", "((()))",
};

static const qcase cases[] = {
    /* words, AND */
    {"Japan China", "(\"Japan\" AND \"China\")", NULL, NULL},
    {"Japan", "\"Japan\"", NULL, NULL},
    {"Japan AND China", "(\"Japan\" AND \"China\")", NULL, NULL},
    /* OR */
    {"Japan OR China", "(\"Japan\" OR \"China\")", NULL, NULL},
    {"japan or china", "(\"japan\" OR \"china\")", NULL, NULL},
    {"or japan", "(\"or\" AND \"japan\")", NULL, NULL},
    {"japan or", "(\"japan\" AND \"or\")", NULL, NULL},
    {"Japan OR Korea trade", "((\"Japan\" OR \"Korea\") AND \"trade\")", NULL, NULL},
    {"a OR b OR c", "(\"a\" OR \"b\" OR \"c\")", NULL, NULL},
    /* phrases */
    {"\"US-Japan alliance\"", "\"US-Japan alliance\"", NULL, NULL},
    {"\"japan", "\"japan\"", NULL, NULL},
    {"\xe2\x80\x9cjapan china\xe2\x80\x9d", "\"japan china\"", NULL, NULL},
    /* exclusion */
    {"japan -tariffs", "(\"japan\") NOT (\"tariffs\")", NULL, NULL},
    {"japan -\"trade war\"", "(\"japan\") NOT (\"trade war\")", NULL, NULL},
    {"japan NOT tariffs", "(\"japan\") NOT (\"tariffs\")", NULL, NULL},
    {"japan -a -b", "(\"japan\") NOT (\"a\" OR \"b\")", NULL, NULL},
    {"japan -(a OR b)", "(\"japan\") NOT ((\"a\" OR \"b\"))", NULL, NULL},
    {"US-Japan", "\"US-Japan\"", NULL, NULL},
    {"japan - china", "(\"japan\" AND \"china\")", NULL, NULL},
    {"not china", "(\"not\" AND \"china\")", NULL, NULL},
    /* grouping, repaired */
    {"(Japan OR Korea) trade", "((\"Japan\" OR \"Korea\") AND \"trade\")", NULL, NULL},
    {"(Japan OR Korea", "(\"Japan\" OR \"Korea\")", NULL, NULL},
    {"japan)", "\"japan\"", NULL, NULL},
    {"((japan)) ((", "\"japan\"", NULL, NULL},
    /* prefixes */
    {"defen*", "\"defen\" *", NULL, NULL},
    {"d*", "\"d\"", NULL, NULL},
    {"jap** korea", "(\"jap\" * AND \"korea\")", NULL, NULL},
    {"US-Ja*", "\"US-Ja\" *", NULL, NULL},
    /* NEAR */
    {"NEAR(abe xi)", "NEAR(\"abe\" \"xi\", 10)", NULL, NULL},
    {"NEAR(abe xi, 5)", "NEAR(\"abe\" \"xi\", 5)", NULL, NULL},
    {"NEAR(abe \"xi jinping\",3)", "NEAR(\"abe\" \"xi jinping\", 3)", NULL, NULL},
    {"abe NEAR/5 xi", "NEAR(\"abe\" \"xi\", 5)", NULL, NULL},
    {"abe NEAR xi NEAR li", "NEAR(\"abe\" \"xi\" \"li\", 10)", NULL, NULL},
    {"near east", "(\"near\" AND \"east\")", NULL, NULL},
    /* fields */
    {"title:summit", "{title} : \"summit\"", NULL, NULL},
    {"Title:summit", "{title} : \"summit\"", NULL, NULL},
    {"body:tariff* japan", "({body} : \"tariff\" * AND \"japan\")", NULL, NULL},
    {"title:\"trade war\"", "{title} : \"trade war\"", NULL, NULL},
    {"title:(japan OR china)", "({title} : \"japan\" OR {title} : \"china\")", NULL, NULL},
    {"tag:trade", "{topic} : \"trade\"", NULL, NULL},
    {"author:aoyama", "{author} : \"aoyama\"", NULL, NULL},
    {"affiliation:waseda", "{affiliation} : \"waseda\"", NULL, NULL},
    {"-title:summit japan", "(\"japan\") NOT ({title} : \"summit\")", NULL, NULL},
    {"author:\"Rumi Aoyama\"", NULL,
     "a.id IN (SELECT article_id FROM facet WHERE kind IN (10) AND norm = ?10)",
     "rumi aoyama"},
    {"country:\"South Korea\"", NULL,
     "a.id IN (SELECT article_id FROM facet WHERE kind IN (1) AND norm = ?10)",
     "south korea"},
    {"topic:\"Climate Change\"", NULL,
     "a.id IN (SELECT article_id FROM facet WHERE kind IN (0,2) AND norm = ?10)",
     "climate change"},
    {"country:japan country:china", "({country} : \"japan\" OR {country} : \"china\")",
     NULL, NULL},
    {"country:japan title:china", "({country} : \"japan\" AND {title} : \"china\")", NULL,
     NULL},
    {"japan author:\"A B\"", "(\"japan\")",
     "(a.id IN (SELECT article_id FROM facet WHERE kind IN (10) AND norm = ?10))", "a b"},
    /* unknown fields are text */
    {"foo:bar", "(\"foo\" AND \"bar\")", NULL, NULL},
    {"note: folding", "(\"note\" AND \"folding\")", NULL, NULL},
    {"http://example.com", "(\"http\" AND \"//example.com\")", NULL, NULL},
    /* dates */
    {"date:2018", NULL, "a.day BETWEEN ?10 AND ?11", "20180000|20181299"},
    {"date:2018-10", NULL, "a.day BETWEEN ?10 AND ?11", "20181000|20181099"},
    {"date:2018-10-25", NULL, "a.day BETWEEN ?10 AND ?11", "20181025|20181025"},
    {"date:2017..2018", NULL, "a.day BETWEEN ?10 AND ?11", "20170000|20181299"},
    {"date:2018-06..", NULL, "a.day BETWEEN ?10 AND ?11", "20180600|99999999"},
    {"date:..2010", NULL, "a.day BETWEEN ?10 AND ?11", "0|20101299"},
    {"after:2018-01-01", NULL, "a.day BETWEEN ?10 AND ?11", "20180101|99999999"},
    {"before:2019", NULL, "a.day BETWEEN ?10 AND ?11", "0|20191299"},
    {"date:\"2018-10\"", NULL, "a.day BETWEEN ?10 AND ?11", "20181000|20181099"},
    {"date:2019..2018", NULL, "a.day BETWEEN ?10 AND ?11", "20180000|20191299"},
    {"date:2018-13", "(\"date\" AND \"2018-13\")", NULL, NULL},
    {"japan date:2018", "(\"japan\")", "(a.day BETWEEN ?10 AND ?11)", "20180000|20181299"},
    {"-china date:2017", NULL,
     "(NOT (a.id IN (SELECT rowid FROM fts WHERE fts MATCH ?10))) AND "
     "(a.day BETWEEN ?11 AND ?12)",
     "\"china\"|20170000|20171299"},
    {"japan OR date:2017", NULL,
     "(a.id IN (SELECT rowid FROM fts WHERE fts MATCH ?10)) OR "
     "((a.day BETWEEN ?11 AND ?12))",
     "\"japan\"|20170000|20171299"},
    /* related:KEY, unresolved (search.c reads the list): matches nothing */
    {"related:2018/05/a-key", NULL, "0", NULL},
    {"related:a-key japan", "(\"japan\")", "(0)", NULL},
    {"-related:a-key japan", "(\"japan\")", "(NOT ((0)))", NULL},
    /* inputs that break raw FTS5 */
    {"China's", "\"China's\"", NULL, NULL},
    {"GDP 2.5", "(\"GDP\" AND \"2.5\")", NULL, NULL},
    {"a\" OR \"b", "(\"a\" AND \" OR \" AND \"b\")", NULL, NULL},
    {"{title}:x ^y +z", "(\"{title}:x\" AND \"^y\" AND \"+z\")", NULL, NULL},
    {"japan !!! china", "(\"japan\" AND \"china\")", NULL, NULL},
    {"NEAR", "\"NEAR\"", NULL, NULL},
    {"NEAR(", NULL, NULL, NULL},
};

typedef struct scase {
    const char *input;
    int offset;
    const char *message; /* a substring of the message */
} scase;

static const scase strict_cases[] = {
    {"\"japan", 0, "unclosed quotation mark"},
    {"japan (china", 6, "unclosed parenthesis"},
    {"japan)", 5, "unmatched ')'"},
    {"\"\"", 0, "empty phrase"},
    {"japan ()", 6, "empty parentheses"},
    {"OR japan", 0, "OR needs a term before it"},
    {"japan OR", 6, "OR needs a term after it"},
    {"japan -", 6, "nothing to exclude"},
    {"japan NOT", 6, "NOT needs a term"},
    {"j*", 0, "at least 2 characters"},
    {"japan *", 6, "'*' must follow"},
    {"date:2018-13", 5, "invalid date"},
    {"foo:bar", 0, "unknown field"},
    {"title: summit", 0, "needs a value"},
    {"NEAR(japan)", 0, "at least two terms"},
    {"date:2019..2018", 5, "ends before it starts"},
    {"japan AND", 6, "AND needs a term"},
    {"abe NEAR title:xi", 4, "NEAR needs a word or phrase"},
    {"japan \"china", 6, "unclosed quotation mark"},
    {"related:", 0, "needs the key of an article"},
    {"japan related:\"\"", 14, "empty key"},
};

/* Renders the compiled query as "fts", "sql" and "params" strings. */
static void compile_case(const char *input, unsigned flags, eaf__compiled *c,
                         char *params, size_t cap, eaf_status *parse_st,
                         eaf__query **qout)
{
    eaf__query *q = NULL;
    int i;
    size_t n = 0;

    memset(c, 0, sizeof(*c));
    params[0] = '\0';
    *parse_st = eaf__query_parse(&q, input, strlen(input), flags);
    *qout = q;
    if (!q)
        return;
    if (eaf__query_compile(c, eaf__query_root(q), 10) != EAF_OK)
        return;
    for (i = 0; i < c->nparams; i++) {
        const eaf__qparam *p = &c->params[i];
        int w;
        if (p->is_text)
            w = snprintf(params + n, cap - n, "%s%s", i ? "|" : "", p->text);
        else
            w = snprintf(params + n, cap - n, "%s%lld", i ? "|" : "", (long long)p->value);
        if (w > 0 && (size_t)w < cap - n)
            n += (size_t)w;
    }
}

int main(void)
{
    size_t i;
    char params[512], deep[200];
    eaf__compiled c;
    eaf__query *q;
    eaf_status st;
    eaf__buf dump = EAF__BUF_INIT;

    for (i = 0; i < EAF__ARRAY_LEN(cases); i++) {
        const qcase *k = &cases[i];
        compile_case(k->input, 0, &c, params, sizeof(params), &st, &q);
        is_int(st, EAF_OK, "default mode never fails: %s", k->input);
        is_str(c.fts, k->fts, "fts of [%s]", k->input);
        is_str(c.sql, k->sql, "sql of [%s]", k->input);
        if (k->params)
            is_str(params, k->params, "params of [%s]", k->input);
        else
            is_int(c.nparams, 0, "no params for [%s]", k->input);
        ok(c.positive == (k->fts || k->sql), "selects something: [%s]", k->input);
        eaf__compiled_free(&c);
        eaf__query_free(q);
    }
    for (i = 0; i < EAF__ARRAY_LEN(nothing); i++) {
        compile_case(nothing[i], 0, &c, params, sizeof(params), &st, &q);
        is_int(st, EAF_OK, "default mode never fails: [%s]", nothing[i]);
        ok(!c.positive, "[%s] selects nothing", nothing[i]);
        eaf__compiled_free(&c);
        eaf__query_free(q);
    }
    for (i = 0; i < EAF__ARRAY_LEN(strict_cases); i++) {
        const scase *k = &strict_cases[i];
        compile_case(k->input, EAF__QUERY_STRICT, &c, params, sizeof(params), &st, &q);
        is_int(st, EAF_SYNTAX, "strict: [%s] is an error", k->input);
        is_int(eaf__query_error_offset(q), k->offset, "strict: [%s] offset", k->input);
        ok(strstr(eaf__query_error(q), k->message) != NULL,
           "strict: [%s] message '%s' names '%s'", k->input, eaf__query_error(q),
           k->message);
        ok(strchr(eaf__query_error(q), '\n') == NULL, "strict: message is one line");
        eaf__compiled_free(&c);
        eaf__query_free(q);
        /* and the same input is fine without strict */
        compile_case(k->input, 0, &c, params, sizeof(params), &st, &q);
        is_int(st, EAF_OK, "default: [%s] is repaired", k->input);
        is_int(eaf__query_error_offset(q), -1, "default: no error recorded");
        eaf__compiled_free(&c);
        eaf__query_free(q);
    }
    /* the message quotes the query without its control characters */
    compile_case("japan (\x1b[2Jchina\x07", EAF__QUERY_STRICT, &c, params, sizeof(params), &st,
                 &q);
    ok(st == EAF_SYNTAX && strstr(eaf__query_error(q), "near '(") &&
           !strchr(eaf__query_error(q), '\x1b') && !strchr(eaf__query_error(q), '\x07'),
       "strict: no control character in the message");
    eaf__compiled_free(&c);
    eaf__query_free(q);

    /* a well-formed query is fine in strict mode too */
    compile_case("(japan OR korea) -\"trade war\" title:summit date:2018 author:\"A B\"",
                 EAF__QUERY_STRICT, &c, params, sizeof(params), &st, &q);
    is_int(st, EAF_OK, "a well-formed query passes strict mode");
    eaf__compiled_free(&c);
    eaf__query_free(q);

    /* nesting is bounded */
    memset(deep, '(', 100);
    strcpy(deep + 100, "japan");
    compile_case(deep, EAF__QUERY_STRICT, &c, params, sizeof(params), &st, &q);
    is_int(st, EAF_SYNTAX, "100 open parentheses: an error in strict mode");
    ok(strstr(eaf__query_error(q), "nested too deeply") != NULL, "named as too deep");
    eaf__compiled_free(&c);
    eaf__query_free(q);
    compile_case(deep, 0, &c, params, sizeof(params), &st, &q);
    is_str(c.fts, "\"japan\"", "100 open parentheses: still the word");
    eaf__compiled_free(&c);
    eaf__query_free(q);

    /* too many terms are cut, not an error */
    {
        eaf__buf big = EAF__BUF_INIT;
        for (i = 0; i < 400; i++)
            eaf__buf_printf(&big, "w%zu ", i);
        compile_case(big.p, 0, &c, params, sizeof(params), &st, &q);
        is_int(st, EAF_OK, "400 terms parse");
        ok(c.fts && strstr(c.fts, "\"w255\"") && !strstr(c.fts, "\"w256\""),
           "the first 256 terms are kept");
        eaf__compiled_free(&c);
        eaf__query_free(q);
        eaf__buf_free(&big);
    }

    /* the key of related: ends where its term ends; a typed AND is marked,
     * also once flattened into the AND around it */
    {
        static const struct {
            const char *input, *dump;
        } trees[] = {
            {"related:a/b-c japan", "AND\n  RELATED \"a/b-c\"\n  TERM \"japan\"\n"},
            {"related:\"a key\" japan", "AND\n  RELATED \"a key\"\n  TERM \"japan\"\n"},
            {"related:w/Foo_(bar) japan",
             "AND\n  RELATED \"w/Foo_(bar)\"\n  TERM \"japan\"\n"},
            {"(related:abc) japan", "AND\n  RELATED \"abc\"\n  TERM \"japan\"\n"},
            {"(japan related:abc)", "AND\n  TERM \"japan\"\n  RELATED \"abc\"\n"},
            {"Related:ABC", "RELATED \"ABC\"\n"},
            {"-related:abc", "NOT\n  RELATED \"abc\"\n"},
            {"a b c d", "AND\n  TERM \"a\"\n  TERM \"b\"\n  TERM \"c\"\n  TERM \"d\"\n"},
            {"a AND b", "AND (typed)\n  TERM \"a\"\n  TERM \"b\"\n"},
            {"a b AND c d",
             "AND (typed)\n  TERM \"a\"\n  TERM \"b\"\n  TERM \"c\"\n  TERM \"d\"\n"},
            {"(a AND b) c d",
             "AND (typed)\n  TERM \"a\"\n  TERM \"b\"\n  TERM \"c\"\n  TERM \"d\"\n"},
            {"(a AND b) OR c",
             "OR\n  AND (typed)\n    TERM \"a\"\n    TERM \"b\"\n  TERM \"c\"\n"},
            {"a AND", "TERM \"a\"\n"},
            {"AND a b", "AND\n  TERM \"a\"\n  TERM \"b\"\n"},
        };
        for (i = 0; i < EAF__ARRAY_LEN(trees); i++) {
            eaf__buf t = EAF__BUF_INIT;
            compile_case(trees[i].input, 0, &c, params, sizeof(params), &st, &q);
            eaf__query_dump(&t, eaf__query_root(q), 0);
            is_str(t.p, trees[i].dump, "tree of [%s]", trees[i].input);
            eaf__buf_free(&t);
            eaf__compiled_free(&c);
            eaf__query_free(q);
        }
    }

    /* the tree dump names what was parsed */
    compile_case("title:summit -japan date:2018", 0, &c, params, sizeof(params), &st, &q);
    eaf__query_dump(&dump, eaf__query_root(q), 0);
    is_str(dump.p,
           "AND\n  TERM \"summit\" in title\n  NOT\n    TERM \"japan\"\n"
           "  DATE 20180000..20181299\n",
           "tree dump");
    eaf__buf_free(&dump);
    eaf__compiled_free(&c);
    eaf__query_free(q);
    return done_testing();
}
