/*
 * html_text.h: HTML to plain text (html_text.c), for the readers that meet
 * markup: the HTML page reader, raw HTML in Markdown, WordPress posts.
 */
#ifndef EAF_IMPORT_HTML_TEXT_H
#define EAF_IMPORT_HTML_TEXT_H

#include "eaf-private.h"

#include <libxml/tree.h>

/* The deepest element walked; libxml2 stops nesting far earlier. */
#define EAF__HTML_MAX_DEPTH 1024

/* Makes sure libxml2 is initialised, once per process (thread-safe). */
void eaf__xml_init(void);

/* The plain text of an HTML fragment (a WordPress post's content), in
 * paragraphs separated by blank lines.  With autop, blank lines in the
 * text separate paragraphs and single newlines break lines, as WordPress
 * shows classic-editor content.  Comments, scripts, styles and the like
 * give no text.  Returns EAF_OK or EAF_NOMEM; *out is "" for no text. */
eaf_status eaf__html_fragment_text(const char *html, size_t n, int autop, char **out);

/* The text of the nodes from first on (and their siblings) appended to b,
 * paragraphs separated by blank lines; strict leaves out the furniture of
 * a page (navigation, headers, bylines, sharing buttons), else only
 * scripts and the like.  Out of memory shows in b->rc. */
void eaf__html_block_text(eaf__buf *b, xmlNodePtr first, int strict);

/* The plain text of n's content, on one line (white space squeezed);
 * NULL for none or out of memory (*nomem then set). */
char *eaf__html_inline_text(xmlNodePtr n, int *nomem);

/* Small questions about elements, ASCII case ignored. */
int eaf__html_same_ci(const char *a, const char *b);
int eaf__html_is_elem(xmlNodePtr n, const char *name);
/* An attribute's value, borrowed from the document, or NULL. */
const char *eaf__html_attr(xmlNodePtr n, const char *name);
/* Whether the space-separated list `list` holds word. */
int eaf__html_has_word(const char *list, const char *word);
int eaf__html_has_class(xmlNodePtr n, const char *cls);
/* Whether the class attribute contains s anywhere. */
int eaf__html_class_contains(xmlNodePtr n, const char *s);
/* Elements never read even inside a container given as the text source
 * of a field (a title, a link): scripts and the like. */
int eaf__html_no_text_at_all(xmlNodePtr n);

#endif /* EAF_IMPORT_HTML_TEXT_H */
