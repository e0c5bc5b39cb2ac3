/*
 * import_page.c: an East Asia Forum article page saved as Markdown text
 * (FORMATS.md section 1), parsed with libcmark.  One page, one article.
 *
 * The page is parsed into a CommonMark block tree (CMARK_OPT_VALIDATE_UTF8,
 * so invalid bytes become U+FFFD); a UTF-8 byte-order mark is dropped first
 * and CRLF line endings are CommonMark line endings.  The top-level blocks
 * are then read in order:
 *
 *  - everything before the first level-2 heading (the site navigation) is
 *    skipped; that heading's plain text is the title.  A page without one is
 *    an error for the page (EAF_SYNTAX).
 *  - header paragraphs right after the title.  A paragraph is a header when
 *    every one of its lines is one of:
 *      `25 October 2018` (also `25 Oct 2018`, `October 25, 2018`): the date;
 *      `Author: Name, Affiliation`: exactly one author; everything after
 *        the first comma is the affiliation;
 *      `Authors: ...`: several authors, see split_authors();
 *      `Topics: A, B`, `Countries: C, D`, `Tags: E` (our extension, for
 *        the project's own sample pages; singulars too): topics, countries
 *        and other tags, separated by commas or semicolons.
 *    Values may be Markdown links; their text is kept.
 *  - the body: the blocks up to the first end marker, which is a level-1 or
 *    level-2 heading (the site's widgets: "Donate to EAF", "Subscribe"), a
 *    paragraph `Facebook` directly followed by a paragraph `Twitter` (the
 *    share buttons; a lone `Facebook` is body text), a paragraph starting
 *    `View more posts by`, `RELATED POSTS` or `What Other People Are
 *    Reading`.  Paragraphs are separated by a blank line, soft line breaks
 *    become spaces, hard ones new lines; link and image text is kept,
 *    emphasis, escapes and inline HTML go; `###` headings are paragraphs;
 *    list items are one line each, without the marker; block quotes and
 *    code blocks give their text; HTML blocks and rules give nothing.
 *  - the bio: the run of italic-only paragraphs (a paragraph whose whole
 *    content is one emphasis) at the end of the body, just before the end
 *    marker, joined by a blank line.  Rules and HTML blocks between them do
 *    not break the run.  An italic paragraph followed by other body text is
 *    body; a body made only of italic paragraphs stays body (no bio).
 *  - the related titles: after a `RELATED POSTS` paragraph, the paragraphs
 *    `[Title](#) by [Author](#)` or `[Title](#)` (one or more such lines
 *    each), up to the first paragraph of another shape (`What Other People
 *    Are Reading`).
 *
 * The key is the file name without its extension (r->key_base); a page
 * gives no URL.  cmark allocates its tree with its own allocator (which
 * aborts when memory runs out); everything we keep goes through eaf__malloc.
 */
#include "format.h"

#include <string.h>

#include <cmark.h>
#include <utf8proc.h>

typedef struct page {
    eaf__source *r;
    eaf_article *a;
    eaf_status rc;      /* sticky: EAF_NOMEM once an allocation failed */
    eaf__buf text;      /* scratch: plain text of one block */
    eaf__buf mask;      /* scratch: parallel to text, 1 for link text */
} page;

/* ---- small text helpers -------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0..n) equals word, ASCII case ignored. */
static int same_ci(const char *s, size_t n, const char *word)
{
    size_t i;

    if (strlen(word) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (lower(s[i]) != word[i])
            return 0;
    return 1;
}

/* s[0..n) starts with prefix, ASCII case ignored. */
static int prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && same_ci(s, k, prefix);
}

/* Narrows [*b, *e) to drop white space (and commas, when commas is set)
 * at both ends. */
static void trim(const char *s, size_t *b, size_t *e, int commas)
{
    while (*b < *e && (is_space(s[*b]) || (commas && s[*b] == ',')))
        (*b)++;
    while (*e > *b && (is_space(s[*e - 1]) || (commas && s[*e - 1] == ',')))
        (*e)--;
}

/* ---- plain text of inline content --------------------------------------- */

/* Appends the plain text of the inline content of `block` to p->text:
 * text and code spans as they are, link and image text kept, emphasis and
 * inline HTML dropped, hard breaks as '\n', soft breaks as '\n' when
 * soft_nl is set (header lines) or ' '.  p->mask gets one byte per byte of
 * text, 1 inside link text, so that separators there are not split on.
 * Walks with an iterator, so deep nesting needs no recursion. */
static void put_inlines(page *p, cmark_node *block, int soft_nl)
{
    cmark_iter *it = cmark_iter_new(block);
    cmark_event_type ev;
    int in_link = 0;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        const char *s;
        size_t k;

        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
            in_link += ev == CMARK_EVENT_ENTER ? 1 : -1;
            continue;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            s = cmark_node_get_literal(n);
            break;
        case CMARK_NODE_SOFTBREAK:
            s = soft_nl ? "\n" : " ";
            break;
        case CMARK_NODE_LINEBREAK:
            s = "\n";
            break;
        default: /* emphasis, strong, inline HTML, the block itself */
            continue;
        }
        if (!s)
            continue;
        k = strlen(s);
        eaf__buf_append(&p->text, s, k);
        if (eaf__buf_reserve(&p->mask, k)) {
            memset(p->mask.p + p->mask.n, in_link > 0, k);
            p->mask.n += k;
        }
    }
    cmark_iter_free(it);
}

/* Renders a block's inline content into p->text (mask reset too); returns
 * the text trimmed of white space through *s and *n.  On a failed buffer
 * the text is empty and p->rc is set. */
static void block_text(page *p, cmark_node *block, int soft_nl, const char **s,
                       size_t *n)
{
    size_t b = 0, e;

    eaf__buf_reset(&p->text);
    eaf__buf_reset(&p->mask);
    put_inlines(p, block, soft_nl);
    if (p->text.rc != EAF_OK || p->mask.rc != EAF_OK) {
        p->rc = EAF_NOMEM;
        *s = "";
        *n = 0;
        return;
    }
    e = p->text.n;
    trim(p->text.p, &b, &e, 0);
    *s = p->text.p ? p->text.p + b : "";
    *n = e - b;
}

/* The block is a paragraph whose plain text is `word` (case ignored). */
static int para_is(page *p, cmark_node *n, const char *word)
{
    const char *s;
    size_t k;

    if (!n || cmark_node_get_type(n) != CMARK_NODE_PARAGRAPH)
        return 0;
    block_text(p, n, 0, &s, &k);
    return same_ci(s, k, word);
}

/* ---- header lines: date, authors, tags ---------------------------------- */

/* "25 October 2018", "25 Oct. 2018", "October 25, 2018" -> "2018-10-25";
 * returns 0 when s[0..n) is not a date line. */
static int parse_date(const char *s, size_t n, char out[11])
{
    static const char *const months[12] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    size_t i = 0, wb, we, m;
    int day = 0, year = 0, month = 0, nd = 0, ny = 0, day_first;
    char iso[40]; /* room for any int; the values have at most 4 digits */

    day_first = n > 0 && s[0] >= '0' && s[0] <= '9';
    if (day_first) {
        for (; i < n && s[i] >= '0' && s[i] <= '9' && nd < 3; i++, nd++)
            day = day * 10 + (s[i] - '0');
        while (i < n && is_space(s[i]))
            i++;
    }
    wb = i;
    while (i < n && lower(s[i]) >= 'a' && lower(s[i]) <= 'z')
        i++;
    we = i;
    if (i < n && s[i] == '.')
        i++;
    while (i < n && is_space(s[i]))
        i++;
    if (!day_first) {
        for (; i < n && s[i] >= '0' && s[i] <= '9' && nd < 3; i++, nd++)
            day = day * 10 + (s[i] - '0');
        if (i < n && s[i] == ',')
            i++;
        while (i < n && is_space(s[i]))
            i++;
    } else if (i < n && s[i] == ',') {
        i++;
        while (i < n && is_space(s[i]))
            i++;
    }
    for (; i < n && s[i] >= '0' && s[i] <= '9' && ny < 5; i++, ny++)
        year = year * 10 + (s[i] - '0');
    if (i != n || nd < 1 || nd > 2 || ny != 4 || we - wb < 3)
        return 0;
    for (m = 0; m < 12 && !month; m++) {
        const char *name = months[m];
        size_t k = we - wb;

        /* the full name, its first three letters, or "Sept" */
        if (same_ci(s + wb, k, name) || (m == 8 && same_ci(s + wb, k, "sept")) ||
            (k == 3 && lower(s[wb]) == name[0] && lower(s[wb + 1]) == name[1] &&
             lower(s[wb + 2]) == name[2]))
            month = (int)m + 1;
    }
    if (!month)
        return 0;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02d", year, month, day);
    return eaf__date_parse(iso, 10, out, NULL);
}

/* The first position of an unmasked byte c in [b, e), or e. */
static size_t find_char(const page *p, size_t b, size_t e, char c)
{
    for (; b < e; b++)
        if (p->text.p[b] == c && !p->mask.p[b])
            return b;
    return e;
}

/* Adds tags of one kind from the comma- or semicolon-separated list [b, e)
 * of p->text ("Economics, [Trade](#)"); commas in link text do not split. */
static void add_tag_list(page *p, eaf_tag_kind kind, size_t b, size_t e)
{
    const char *s = p->text.p;

    while (b < e && p->rc == EAF_OK) {
        size_t c1 = find_char(p, b, e, ','), c2 = find_char(p, b, e, ';');
        size_t end = c1 < c2 ? c1 : c2, vb = b, ve = end;
        char *v;

        trim(s, &vb, &ve, 0);
        if (ve > vb) {
            v = eaf__strndup(s + vb, ve - vb);
            if (!v || eaf_article_add_tag(p->a, kind, v) == EAF_NOMEM)
                p->rc = EAF_NOMEM;
            eaf__free(v);
        }
        b = end + 1;
    }
}

/* Adds one author from "Name, Affiliation" or "Name" in [b, e): the name
 * ends at the first comma outside link text; the rest is the affiliation. */
static void add_author(page *p, size_t b, size_t e)
{
    const char *s = p->text.p;
    size_t comma = find_char(p, b, e, ','), nb = b, ne = comma, ab, ae = e;
    char *name, *aff = NULL;

    trim(s, &nb, &ne, 1);
    if (ne == nb || p->rc != EAF_OK)
        return; /* no name: nothing to add */
    ab = comma < e ? comma + 1 : e;
    trim(s, &ab, &ae, 1);
    name = eaf__strndup(s + nb, ne - nb);
    if (ae > ab)
        aff = eaf__strndup(s + ab, ae - ab);
    if (!name || (ae > ab && !aff) ||
        eaf_article_add_author(p->a, name, aff) == EAF_NOMEM)
        p->rc = EAF_NOMEM;
    eaf__free(name);
    eaf__free(aff);
}

/* Words of institution names (and the adjectives that go with them)
 * rather than of people's names; see looks_like_name(). */
static int institution_word(const char *w, size_t n)
{
    static const char *const words[] = {
        "academy", "administration", "affairs", "agency", "agriculture",
        "american", "analysis", "area", "asia", "asian", "association",
        "australian", "bank", "business", "campus", "center", "centre",
        "chinese", "college", "commerce", "commission", "committee",
        "communication", "communications", "company", "comparative", "conflict",
        "contemporary", "corporation", "council", "culture", "defence", "defense",
        "department", "development", "diplomacy", "east", "economic", "economics",
        "economy", "education", "energy", "engineering", "environment",
        "european", "faculty", "finance", "foreign", "forum", "foundation",
        "global", "governance", "government", "graduate", "group", "health",
        "humanities", "inc", "indian", "industry", "innovation", "institute",
        "institution", "international", "japanese", "justice", "korean", "lab",
        "laboratory", "labor", "labour", "law", "ltd", "management", "maritime",
        "media", "medicine", "ministry", "national", "network", "north",
        "office", "pacific", "peace", "planning", "policy", "political",
        "politics", "press", "program", "programme", "project", "public",
        "regional", "relations", "research", "resources", "school", "science",
        "sciences", "security", "services", "social", "society", "south",
        "southeast", "strategic", "strategy", "studies", "technology", "tourism",
        "trade", "trust", "university", "welfare", "west",
    };
    size_t i;

    while (n > 0 && (w[n - 1] == '.' || w[n - 1] == ',' || w[n - 1] == ')'))
        n--;
    for (i = 0; i < EAF__ARRAY_LEN(words); i++)
        if (same_ci(w, n, words[i]))
            return 1;
    return 0;
}

/* Lower-case words that may stand inside a person's name. */
static int name_particle(const char *w, size_t n)
{
    static const char *const words[] = {
        "al", "bin", "binti", "da", "das", "de", "del", "della", "der", "di",
        "do", "dos", "du", "el", "ibn", "la", "le", "van", "von", "y",
    };
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(words); i++)
        if (same_ci(w, n, words[i]))
            return 1;
    return 0;
}

/* Whether [b, e) reads as a person's name: one to six words, none
 * starting with a lower-case letter except name particles ("van", "bin"),
 * not made of institution words only, so that a surname like "Press" or
 * "Law" still passes.  When strict, at least two words and no institution
 * word at all: "Claire Odum" passes, "Government", "Shipping" and
 * "Conflict Studies" do not. */
static int looks_like_name(const page *p, size_t b, size_t e, int strict)
{
    const char *s = p->text.p;
    int words = 0, inst = 0;

    trim(s, &b, &e, 1);
    if (b == e)
        return 0;
    while (b < e) {
        size_t wb = b, len;
        int32_t cp;

        while (b < e && !is_space(s[b]))
            b++;
        inst += institution_word(s + wb, b - wb);
        cp = eaf__utf8_decode((const unsigned char *)s + wb, b - wb, &len);
        if (cp >= 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_LL &&
            !(words > 0 && name_particle(s + wb, b - wb)))
            return 0;
        if (++words > 6)
            return 0;
        while (b < e && is_space(s[b]))
            b++;
    }
    return strict ? words >= 2 && inst == 0 : inst < words;
}

/* The next " and " (white space on both sides, outside link text) in
 * [b, e): sets *sb, *se to the word "and"; returns 0 when there is none. */
static int find_and(const page *p, size_t b, size_t e, size_t *sb, size_t *se)
{
    const char *s = p->text.p;
    size_t i;

    for (i = b + 1; i + 4 <= e; i++) {
        if (s[i] == 'a' && s[i + 1] == 'n' && s[i + 2] == 'd' && is_space(s[i - 1]) &&
            is_space(s[i + 3]) && !p->mask.p[i] && !p->mask.p[i + 2]) {
            *sb = i;
            *se = i + 3;
            return 1;
        }
    }
    return 0;
}

/* Splits one `;`/`&`-separated segment [b, e) at " and ".  The text after
 * an " and " starts a new author when
 *  - the author so far has no affiliation yet ("18F and Melody, 18F"), or
 *  - it has the shape "Name, Affiliation" and its name part looks like a
 *    name, not made of institution words only ("..., 18F and Allison
 *    Press, 18F"; but not "..., School of Law and Government, Waseda"), or
 *  - it has no comma (a last author without affiliation) and looks like a
 *    name of two words or more with no institution word ("..., Hollis
 *    School and Claire Odum"; but not "..., Centre for Ports and Shipping"
 *    or "..., Institute of Peace and Conflict Studies").
 * Otherwise the " and " belongs to the affiliation.  The price: a last
 * author known by one name and given no affiliation, after an author with
 * one, is read as part of that affiliation. */
static void split_and(page *p, size_t b, size_t e)
{
    size_t cur = b, from = b, ab, ae;

    while (find_and(p, from, e, &ab, &ae)) {
        size_t next_end = e, nb, ne, comma;
        int has_aff = find_char(p, cur, ab, ',') < ab;

        if (find_and(p, ae, e, &nb, &ne))
            next_end = nb;
        comma = find_char(p, ae, next_end, ',');
        if (!has_aff || looks_like_name(p, ae, comma, comma == next_end)) {
            add_author(p, cur, ab);
            cur = ae;
        }
        from = ae;
    }
    add_author(p, cur, e);
}

/* "Authors: A, X; B, Y & C and D, Z": the list [b, e) is cut at every `;`
 * and at every `&` with white space around it (so "R&D" stays), then each
 * part at " and " as split_and() decides.  Separators inside link text
 * never split: a link is one name or one affiliation. */
static void split_authors(page *p, size_t b, size_t e)
{
    const char *s = p->text.p;
    size_t i, start = b;

    for (i = b; i <= e && p->rc == EAF_OK; i++) {
        int cut = i == e;

        if (!cut && !p->mask.p[i])
            cut = s[i] == ';' || (s[i] == '&' && (i == b || is_space(s[i - 1])) &&
                                  (i + 1 == e || is_space(s[i + 1])));
        if (cut) {
            split_and(p, start, i);
            start = i + 1;
        }
    }
}

enum line_kind { LINE_NONE, LINE_BLANK, LINE_DATE, LINE_AUTHOR, LINE_AUTHORS, LINE_TAGS };

/* Classifies one header line [b, e) of p->text (already trimmed); for
 * LINE_TAGS sets *kind, and for every kind with a value *vb to where the
 * value starts. */
static enum line_kind classify(const page *p, size_t b, size_t e, char date[11],
                               eaf_tag_kind *kind, size_t *vb)
{
    static const struct {
        const char *prefix;
        enum line_kind line;
        eaf_tag_kind kind;
    } keys[] = {
        {"author:", LINE_AUTHOR, EAF_TAG_OTHER},
        {"authors:", LINE_AUTHORS, EAF_TAG_OTHER},
        {"topics:", LINE_TAGS, EAF_TAG_TOPIC},
        {"topic:", LINE_TAGS, EAF_TAG_TOPIC},
        {"countries:", LINE_TAGS, EAF_TAG_COUNTRY},
        {"country:", LINE_TAGS, EAF_TAG_COUNTRY},
        {"tags:", LINE_TAGS, EAF_TAG_OTHER},
        {"tag:", LINE_TAGS, EAF_TAG_OTHER},
    };
    const char *s = p->text.p + b;
    size_t i, n = e - b;

    if (n == 0)
        return LINE_BLANK;
    if (parse_date(s, n, date))
        return LINE_DATE;
    for (i = 0; i < EAF__ARRAY_LEN(keys); i++) {
        if (prefix_ci(s, n, keys[i].prefix) && !p->mask.p[b]) {
            *kind = keys[i].kind;
            *vb = b + strlen(keys[i].prefix);
            return keys[i].line;
        }
    }
    return LINE_NONE;
}

/* Reads a header paragraph (date, author and tag lines) into the article;
 * returns 0, changing nothing, when some line of it is not a header line. */
static int read_header(page *p, cmark_node *para)
{
    const char *s;
    size_t n, pass, b, e, vb = 0;
    char date[11];
    eaf_tag_kind kind = EAF_TAG_OTHER;

    if (cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
        return 0;
    block_text(p, para, 1, &s, &n);
    if (p->rc != EAF_OK || n == 0)
        return 0;
    /* pass 0 checks every line, pass 1 takes them */
    for (pass = 0; pass < 2; pass++) {
        for (b = (size_t)(s - p->text.p); b < p->text.n; b = e + 1) {
            size_t lb = b, le;
            enum line_kind k;

            for (e = b; e < p->text.n && p->text.p[e] != '\n'; e++)
                ;
            le = e;
            trim(p->text.p, &lb, &le, 0);
            k = classify(p, lb, le, date, &kind, &vb);
            if (pass == 0) {
                if (k == LINE_NONE)
                    return 0;
                continue;
            }
            if (k == LINE_DATE) {
                if (eaf_article_set(p->a, EAF_FIELD_DATE, date, EAF_NTS) == EAF_NOMEM)
                    p->rc = EAF_NOMEM;
            } else if (k == LINE_AUTHOR) {
                add_author(p, vb, le);
            } else if (k == LINE_AUTHORS) {
                split_authors(p, vb, le);
            } else if (k == LINE_TAGS) {
                add_tag_list(p, kind, vb, le);
            }
        }
    }
    return 1;
}

/* ---- body, bio, related titles ------------------------------------------ */

/* A level-1/2 heading or the page furniture that ends the body. */
static int end_marker(page *p, cmark_node *n)
{
    const char *s;
    size_t k;

    if (cmark_node_get_type(n) == CMARK_NODE_HEADING)
        return cmark_node_get_heading_level(n) <= 2;
    if (cmark_node_get_type(n) != CMARK_NODE_PARAGRAPH)
        return 0;
    block_text(p, n, 0, &s, &k);
    if (same_ci(s, k, "facebook"))
        return para_is(p, cmark_node_next(n), "twitter");
    return prefix_ci(s, k, "view more posts by") || same_ci(s, k, "related posts") ||
           same_ci(s, k, "what other people are reading");
}

/* A paragraph whose whole content is one emphasis: a bio paragraph. */
static int italic_para(cmark_node *n)
{
    cmark_node *c = cmark_node_first_child(n);

    return cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH && c &&
           c == cmark_node_last_child(n) && cmark_node_get_type(c) == CMARK_NODE_EMPH;
}

/* Blocks that give no text and neither start nor end a bio run. */
static int neutral(cmark_node *n)
{
    cmark_node_type t = cmark_node_get_type(n);

    return t == CMARK_NODE_THEMATIC_BREAK || t == CMARK_NODE_HTML_BLOCK;
}

/* Appends the text of one leaf block, trimmed, after a separator: a new
 * line between the items (and paragraphs) of one list, a blank line
 * otherwise.  *last_list is the outermost list of the last leaf added. */
static void put_leaf(page *p, eaf__buf *out, cmark_node *leaf, cmark_node *list,
                     cmark_node **last_list)
{
    const char *s;
    size_t n;

    if (cmark_node_get_type(leaf) == CMARK_NODE_CODE_BLOCK) {
        size_t b = 0, e;
        s = cmark_node_get_literal(leaf);
        e = s ? strlen(s) : 0;
        if (s)
            trim(s, &b, &e, 0);
        n = e - b;
        s = s ? s + b : "";
    } else {
        block_text(p, leaf, 0, &s, &n);
    }
    if (n == 0)
        return;
    if (out->n > 0)
        eaf__buf_puts(out, list && list == *last_list ? "\n" : "\n\n");
    eaf__buf_append(out, s, n);
    *last_list = list;
}

/* Appends the plain text of one top-level block (of any depth) to out. */
static void put_block(page *p, eaf__buf *out, cmark_node *top, cmark_node **last_list)
{
    cmark_iter *it = cmark_iter_new(top);
    cmark_event_type ev;
    cmark_node *list = NULL;
    int list_depth = 0;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);

        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_LIST:
            if (ev == CMARK_EVENT_ENTER && list_depth++ == 0)
                list = n;
            else if (ev == CMARK_EVENT_EXIT && --list_depth == 0)
                list = NULL;
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (ev == CMARK_EVENT_ENTER) {
                put_leaf(p, out, n, list, last_list);
                /* its inline children are done: go on after it */
                cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            }
            break;
        case CMARK_NODE_CODE_BLOCK:
            put_leaf(p, out, n, list, last_list);
            break;
        default: /* containers; HTML blocks and rules give no text */
            break;
        }
    }
    cmark_iter_free(it);
}

/* Sets a text field from a buffer, unless it is empty. */
static void set_text(page *p, eaf_field f, eaf__buf *b)
{
    if (b->rc != EAF_OK)
        p->rc = EAF_NOMEM;
    else if (p->rc == EAF_OK && b->n > 0 &&
             eaf_article_set(p->a, f, b->p, b->n) != EAF_OK)
        p->rc = EAF_NOMEM;
}

/* Whether a line of a related-posts paragraph, from its link `link` on,
 * reads `[Title](#)` or `[Title](#) by ...`; *next is set to the first node
 * of the following line (NULL at the end). */
static int related_line(cmark_node *link, cmark_node **next)
{
    cmark_node *n = cmark_node_next(link), *after;
    const char *t;
    size_t b = 0, e;

    for (after = n; after && cmark_node_get_type(after) != CMARK_NODE_SOFTBREAK &&
                    cmark_node_get_type(after) != CMARK_NODE_LINEBREAK;)
        after = cmark_node_next(after);
    *next = after ? cmark_node_next(after) : NULL;
    if (cmark_node_get_type(link) != CMARK_NODE_LINK)
        return 0;
    if (n == after)
        return 1; /* the link alone */
    t = cmark_node_get_type(n) == CMARK_NODE_TEXT ? cmark_node_get_literal(n) : NULL;
    if (!t)
        return 0;
    e = strlen(t);
    trim(t, &b, &e, 0);
    return same_ci(t + b, e - b, "by") || prefix_ci(t + b, e - b, "by ");
}

/* A related-posts paragraph: each line `[Title](#) by [Author](#)` or
 * `[Title](#)`.  Adds the titles and returns 1; returns 0, adding
 * nothing, for a block of another shape. */
static int read_related(page *p, cmark_node *para)
{
    cmark_node *n, *next;
    const char *s;
    size_t k;

    if (cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
        !cmark_node_first_child(para))
        return 0;
    for (n = cmark_node_first_child(para); n; n = next)
        if (!related_line(n, &next))
            return 0;
    for (n = cmark_node_first_child(para); n && p->rc == EAF_OK; n = next) {
        related_line(n, &next);
        block_text(p, n, 0, &s, &k);
        if (k > 0 && p->rc == EAF_OK) {
            char *title = eaf__strndup(s, k);
            if (!title || eaf_article_add_related_title(p->a, title) == EAF_NOMEM)
                p->rc = EAF_NOMEM;
            eaf__free(title);
        }
    }
    return 1;
}

/* Reads the article out of the document tree. */
static eaf_status read_page(page *p, cmark_node *doc)
{
    cmark_node *n, *title = NULL, *body, *end, *bio = NULL;
    eaf__buf text = EAF__BUF_INIT;
    cmark_node *last_list = NULL;
    const char *s;
    size_t k;
    int content = 0, content_before_bio = 0;

    for (n = cmark_node_first_child(doc); n && !title; n = cmark_node_next(n))
        if (cmark_node_get_type(n) == CMARK_NODE_HEADING &&
            cmark_node_get_heading_level(n) == 2)
            title = n;
    if (!title) {
        eaf__source_error(p->r, 0, "no title (no level-2 heading); nor is it Markdown "
                                   "with front matter or a first \"# Title\" heading");
        return EAF_SYNTAX;
    }
    block_text(p, title, 0, &s, &k);
    if (p->rc == EAF_OK && k == 0) {
        eaf__source_error(p->r, 0, "no title (the first level-2 heading is empty)");
        return EAF_SYNTAX;
    }
    if (p->rc == EAF_OK && eaf_article_set(p->a, EAF_FIELD_TITLE, s, k) != EAF_OK)
        p->rc = EAF_NOMEM;

    /* header paragraphs: date, authors, topics */
    for (body = cmark_node_next(title); body && read_header(p, body);)
        body = cmark_node_next(body);

    /* the body ends at the first end marker; its trailing italic run is
     * the bio */
    for (end = body; end && !end_marker(p, end); end = cmark_node_next(end)) {
        if (italic_para(end)) {
            if (!bio) {
                bio = end;
                content_before_bio = content;
            }
        } else if (!neutral(end)) {
            bio = NULL;
            content = 1;
        }
    }
    if (bio && !content_before_bio)
        bio = NULL;
    for (n = body; n != (bio ? bio : end); n = cmark_node_next(n))
        put_block(p, &text, n, &last_list);
    set_text(p, EAF_FIELD_BODY, &text);
    eaf__buf_free(&text);
    for (n = bio; n && n != end; n = cmark_node_next(n)) {
        if (!italic_para(n))
            continue;
        block_text(p, n, 0, &s, &k);
        if (k > 0 && text.n > 0)
            eaf__buf_puts(&text, "\n\n");
        eaf__buf_append(&text, s, k);
    }
    set_text(p, EAF_FIELD_BIO, &text);
    eaf__buf_free(&text);

    /* the site's related posts */
    for (n = end; n && !para_is(p, n, "related posts"); n = cmark_node_next(n))
        ;
    for (n = n ? cmark_node_next(n) : NULL; n && read_related(p, n);)
        n = cmark_node_next(n);
    if (p->rc != EAF_OK)
        eaf__source_error(p->r, 0, "out of memory");
    return p->rc;
}

static eaf_status page_next(eaf__source *r, eaf_article **out)
{
    page p;
    char *data;
    const char *s;
    size_t len;
    cmark_node *doc;
    eaf_status st;

    *out = NULL;
    r->done = 1; /* one page, one article */
    st = eaf__source_slurp_text(r, &data, &s, &len, "empty file (no article page)");
    if (st != EAF_OK)
        return st;
    doc = cmark_parse_document(s, len, CMARK_OPT_VALIDATE_UTF8);
    eaf__free(data);
    if (!doc) {
        eaf__source_error(r, 0, "cannot parse the page");
        return EAF_NOMEM;
    }
    memset(&p, 0, sizeof(p));
    p.r = r;
    p.rc = EAF_OK;
    p.text.rc = p.mask.rc = EAF_OK;
    st = eaf_article_new(&p.a);
    if (st == EAF_OK)
        st = eaf_article_set(p.a, EAF_FIELD_KEY, r->key_base, EAF_NTS);
    if (st != EAF_OK) {
        eaf__source_error(r, 0, st == EAF_NOMEM ? "out of memory" : "empty name");
    } else {
        st = read_page(&p, doc);
    }
    cmark_node_free(doc);
    eaf__buf_free(&p.text);
    eaf__buf_free(&p.mask);
    if (st != EAF_OK) {
        eaf_article_free(p.a);
        return st;
    }
    *out = p.a;
    return EAF_ROW;
}

/* ---- the row of the table -------------------------------------------------------- */

static const char *const page_extensions[] = {".md", ".markdown", ".txt", NULL};

/* A level-2 heading at the start of some line; else the name. */
static int page_sniff(const eaf__sniff *s)
{
    if (eaf__sniff_sections(s))
        return EAF__SNIFF_SECTIONS;
    return eaf__sniff_named(s, page_extensions) ? EAF__SNIFF_EXTENSION : EAF__SNIFF_NO;
}

const eaf__format_def eaf__format_page = {
    EAF_FORMAT_PAGE, "page", NULL, page_extensions, page_sniff, page_next, NULL};
