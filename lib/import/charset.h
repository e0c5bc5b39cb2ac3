/*
 * charset.h: the character sets of HTML pages, for the readers that read
 * markup.  Pure byte work, no library.
 */
#ifndef EAF_IMPORT_CHARSET_H
#define EAF_IMPORT_CHARSET_H

#include "eaf-private.h"

/* The character set an HTML page declares (BOM, <meta charset>,
 * http-equiv Content-Type) in its first bytes, lower-cased, in out
 * (at least 40 bytes); "" when it declares none. */
void eaf__charset_sniff_html(const char *s, size_t n, char out[40]);
/* Whether the label names windows-1252 or one of its subsets that HTML
 * treats as windows-1252 (iso-8859-1, latin1, us-ascii, ...). */
int eaf__charset_is_1252(const char *label);
/* Whether the label names UTF-8. */
int eaf__charset_is_utf8(const char *label);
/* s[0..n) decoded from windows-1252 into UTF-8; NULL when out of memory. */
char *eaf__charset_1252_to_utf8(const char *s, size_t n, size_t *len_out);
/* Whether s[0..n) is valid UTF-8 (without NUL bytes). */
int eaf__utf8_valid(const char *s, size_t n);

#endif /* EAF_IMPORT_CHARSET_H */
