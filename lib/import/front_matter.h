/*
 * front_matter.h: the front matter of a Markdown file as a small tree
 * (front_matter.c).
 */
#ifndef EAF_IMPORT_FRONT_MATTER_H
#define EAF_IMPORT_FRONT_MATTER_H

#include "eaf-private.h"

enum { Y_SCALAR, Y_SEQ, Y_MAP };

typedef struct ynode {
    int kind;
    char *value;              /* scalars */
    int plain;                /* an unquoted scalar */
    struct ynode **items;     /* sequences: items; mappings: key, value, ... */
    size_t n, cap;
    long weight;              /* nodes it stands for, aliases expanded */
} ynode;

typedef struct ytree {
    ynode **all;              /* every node, for freeing */
    size_t n, cap;
    struct { char *name; ynode *node; } *anchors;
    size_t nanchors, capanchors;
    long weight;
    int nomem;
    const char *error;        /* a static reason, when refused */
} ytree;

/* Parses the YAML text into t; returns the root (a mapping), or NULL
 * with *msg (allocated) saying why, or with t->nomem. */
ynode *eaf__front_yaml(ytree *t, const char *s, size_t n, char **msg);
/* Parses the JSON object at the start of s[0..n) into t; *used gets the
 * bytes it took.  NULL with *msg (allocated) saying why, or with
 * t->nomem. */
ynode *eaf__front_json(ytree *t, const char *s, size_t n, size_t *used, char **msg);
/* The value of key (case ignored) in a mapping, or NULL. */
ynode *eaf__front_get(ynode *map, const char *key);
/* A scalar's text when it has some, else NULL. */
const char *eaf__front_scalar(ynode *y);
/* Whether y is an unquoted true (yes) or false (no). */
int eaf__front_true(ynode *y);
int eaf__front_false(ynode *y);
/* Frees what the tree holds. */
void eaf__front_free(ytree *t);

#endif /* EAF_IMPORT_FRONT_MATTER_H */
