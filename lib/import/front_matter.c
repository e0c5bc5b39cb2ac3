/*
 * front_matter.c: the front matter of a Markdown file (YAML through
 * libyaml, or a JSON object through jansson) as one small tree, so that
 * the Markdown reader asks one thing whatever the syntax.  Aliases are
 * expanded, with a limit on what they may stand for (a "billion laughs"
 * is refused).
 */
#include "front_matter.h"

#include <string.h>

#include <jansson.h>
#include <yaml.h>

#define MAX_NODES 100000
#define MAX_WEIGHT 1000000
#define MAX_YAML_DEPTH 64

static ynode *ynew(ytree *t, int kind)
{
    ynode *y;

    if (t->n >= MAX_NODES) {
        t->error = "too many values";
        return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        ynode **all = eaf__realloc(t->all, cap * sizeof(*all));
        if (!all) {
            t->nomem = 1;
            return NULL;
        }
        t->all = all;
        t->cap = cap;
    }
    y = eaf__calloc(1, sizeof(*y));
    if (!y) {
        t->nomem = 1;
        return NULL;
    }
    y->kind = kind;
    y->weight = 1;
    t->all[t->n++] = y;
    return y;
}

static int ypush(ytree *t, ynode *parent, ynode *child)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        ynode **v = eaf__realloc(parent->items, cap * sizeof(*v));
        if (!v) {
            t->nomem = 1;
            return 0;
        }
        parent->items = v;
        parent->cap = cap;
    }
    parent->items[parent->n++] = child;
    parent->weight += child->weight;
    if (parent->weight > MAX_WEIGHT)
        parent->weight = MAX_WEIGHT + 1;
    return 1;
}

void eaf__front_free(ytree *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        eaf__free(t->all[i]->value);
        eaf__free(t->all[i]->items);
        eaf__free(t->all[i]);
    }
    eaf__free(t->all);
    for (i = 0; i < t->nanchors; i++)
        eaf__free(t->anchors[i].name);
    eaf__free(t->anchors);
}

static void anchor(ytree *t, const unsigned char *name, ynode *y)
{
    if (!name || !y)
        return;
    if (t->nanchors == t->capanchors) {
        size_t cap = t->capanchors ? t->capanchors * 2 : 8;
        void *v = eaf__realloc(t->anchors, cap * sizeof(*t->anchors));
        if (!v) {
            t->nomem = 1;
            return;
        }
        t->anchors = v;
        t->capanchors = cap;
    }
    t->anchors[t->nanchors].name = eaf__strdup((const char *)name);
    if (!t->anchors[t->nanchors].name) {
        t->nomem = 1;
        return;
    }
    t->anchors[t->nanchors++].node = y;
}

static ynode *find_anchor(ytree *t, const unsigned char *name)
{
    size_t i;

    for (i = t->nanchors; i-- > 0;)
        if (strcmp(t->anchors[i].name, (const char *)name) == 0)
            return t->anchors[i].node;
    return NULL;
}

/* The tree being built from the events: the collections open, and the root once
 * the first closes (or a scalar document's value). */
typedef struct ybuild {
    ynode *stack[MAX_YAML_DEPTH];
    int depth;
    ynode *root;
} ybuild;

/* A new node for a scalar or the start of a sequence or mapping, its anchor
 * recorded; NULL with t->nomem or t->error set. */
static ynode *event_node(ytree *t, const yaml_event_t *ev)
{
    ynode *y;

    if (ev->type == YAML_SCALAR_EVENT) {
        y = ynew(t, Y_SCALAR);
        if (y) {
            y->value = eaf__strndup((const char *)ev->data.scalar.value,
                                    ev->data.scalar.length);
            y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (!y->value)
                t->nomem = 1;
            anchor(t, ev->data.scalar.anchor, y);
        }
        return y;
    }
    y = ynew(t, ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP);
    if (y) {
        anchor(t, ev->type == YAML_SEQUENCE_START_EVENT
                      ? ev->data.sequence_start.anchor
                      : ev->data.mapping_start.anchor,
               y);
    }
    return y;
}

/* The node an alias stands for, unless it is still open (a value containing
 * itself) or the aliases expand too much: then NULL with t->error set. */
static ynode *alias_target(ytree *t, const ybuild *b, ynode *y)
{
    int open = 0, k;

    for (k = 0; k < b->depth; k++)
        open |= b->stack[k] == y;
    if (open) {
        t->error = "an alias refers to a value that contains it";
        return NULL;
    }
    t->weight += y->weight;
    if (t->weight > MAX_WEIGHT || y->weight > MAX_WEIGHT) {
        t->error = "aliases expand too much (a \"billion laughs\" file?)";
        return NULL;
    }
    return y;
}

/* A value complete (a scalar, an alias, a closed collection) into the collection
 * open, or as the root. */
static void add_value(ytree *t, ybuild *b, ynode *y)
{
    if (b->depth > 0)
        ypush(t, b->stack[b->depth - 1], y);
    else
        b->root = y;
}

/* Parses the YAML text into a tree; returns the root (a mapping), or NULL
 * with *msg (allocated) saying why. */
ynode *eaf__front_yaml(ytree *t, const char *s, size_t n, char **msg)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    ybuild b;
    int done = 0;

    *msg = NULL;
    b.depth = 0;
    b.root = NULL;
    if (!yaml_parser_initialize(&parser)) {
        t->nomem = 1;
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)s, n);
    while (!done) {
        ynode *y = NULL;

        if (!yaml_parser_parse(&parser, &ev)) {
            *msg = eaf__printf("front matter, line %lu: %s%s%s",
                               (unsigned long)parser.problem_mark.line + 2,
                               parser.problem ? parser.problem : "invalid YAML",
                               parser.context ? " " : "",
                               parser.context ? parser.context : "");
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            done = ev.type == YAML_STREAM_END_EVENT || b.root != NULL;
            break;
        case YAML_SCALAR_EVENT:
            y = event_node(t, &ev);
            if (y)
                add_value(t, &b, y);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            y = event_node(t, &ev);
            if (y && b.depth >= MAX_YAML_DEPTH)
                t->error = "values nested too deep";
            else if (y)
                b.stack[b.depth++] = y;
            break;
        case YAML_ALIAS_EVENT:
            y = find_anchor(t, ev.data.alias.anchor);
            if (!y) {
                *msg = eaf__printf("front matter: unknown alias *%s",
                                   (const char *)ev.data.alias.anchor);
                done = 1;
                break;
            }
            y = alias_target(t, &b, y);
            if (y)
                add_value(t, &b, y);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b.depth > 0) {
                ynode *closed = b.stack[--b.depth];
                add_value(t, &b, closed);
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (t->nomem || t->error)
            break;
    }
    yaml_parser_delete(&parser);
    if (*msg || t->nomem)
        return NULL;
    if (t->error) {
        *msg = eaf__printf("front matter: %s", t->error);
        return NULL;
    }
    return b.root;
}

/* A JSON value as a tree of the same kind: objects are mappings, arrays
 * sequences; strings are quoted scalars, numbers, true and false plain
 * ones (so that draft: true reads as YAML's), null an empty scalar.
 * Returns NULL with t->nomem or t->error set. */
static ynode *yjson(ytree *t, json_t *v, int depth)
{
    ynode *y;
    const char *key;
    json_t *item;
    size_t i;
    char num[64];

    if (depth >= MAX_YAML_DEPTH) {
        t->error = "values nested too deep";
        return NULL;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (!(y = ynew(t, Y_MAP)))
            return NULL;
        json_object_foreach(v, key, item) {
            ynode *k = ynew(t, Y_SCALAR), *c;
            if (!k)
                return NULL;
            k->value = eaf__strdup(key);
            k->plain = 1;
            if (!k->value) {
                t->nomem = 1;
                return NULL;
            }
            if (!(c = yjson(t, item, depth + 1)) || !ypush(t, y, k) || !ypush(t, y, c))
                return NULL;
        }
        return y;
    case JSON_ARRAY:
        if (!(y = ynew(t, Y_SEQ)))
            return NULL;
        json_array_foreach(v, i, item) {
            ynode *c = yjson(t, item, depth + 1);
            if (!c || !ypush(t, y, c))
                return NULL;
        }
        return y;
    default:
        break;
    }
    if (!(y = ynew(t, Y_SCALAR)))
        return NULL;
    y->plain = !json_is_string(v);
    if (json_is_string(v))
        y->value = eaf__strndup(json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        y->value = eaf__printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        y->value = eaf__strdup(num);
    } else
        y->value = eaf__strdup(json_is_true(v) ? "true" : json_is_false(v) ? "false" : "");
    if (!y->value) {
        t->nomem = 1;
        return NULL;
    }
    return y;
}

/* Parses the JSON object at the start of s[0..n) into a tree; *used gets
 * the bytes it took.  NULL with *msg (allocated) saying why, or with
 * t->nomem. */
ynode *eaf__front_json(ytree *t, const char *s, size_t n, size_t *used, char **msg)
{
    json_error_t err;
    json_t *v = json_loadb(s, n, JSON_DISABLE_EOF_CHECK, &err);
    ynode *root;

    *msg = NULL;
    *used = 0;
    if (!v) {
        *msg = eaf__printf("JSON front matter, line %d: %s", err.line, err.text);
        if (!*msg)
            t->nomem = 1;
        return NULL;
    }
    *used = (size_t)err.position;
    root = yjson(t, v, 0);
    json_decref(v);
    if (!root && t->error) {
        *msg = eaf__printf("JSON front matter: %s", t->error);
        if (!*msg)
            t->nomem = 1;
    }
    return root;
}

/* The value of key (case ignored) in a mapping, or NULL. */
ynode *eaf__front_get(ynode *map, const char *key)
{
    size_t i;

    if (!map || map->kind != Y_MAP)
        return NULL;
    for (i = 0; i + 1 < map->n; i += 2) {
        ynode *k = map->items[i];
        if (k->kind == Y_SCALAR && k->value) {
            const char *a = k->value, *b = key;
            while (*a && *b && (*a | 0x20) == *b) {
                a++;
                b++;
            }
            if (!*a && !*b)
                return map->items[i + 1];
        }
    }
    return NULL;
}

const char *eaf__front_scalar(ynode *y)
{
    return y && y->kind == Y_SCALAR && y->value && *y->value ? y->value : NULL;
}

int eaf__front_true(ynode *y)
{
    const char *v = eaf__front_scalar(y);
    return v && y->plain && (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
                             strcmp(v, "TRUE") == 0 || strcmp(v, "yes") == 0);
}

int eaf__front_false(ynode *y)
{
    const char *v = eaf__front_scalar(y);
    return v && y->plain && (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 ||
                             strcmp(v, "FALSE") == 0 || strcmp(v, "no") == 0);
}

