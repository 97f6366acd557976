/*
 * Just enough JSON for the C tests to read Marine's golden files: parse a line into a tree,
 * write a value back as text, expand the golden argument generators and ${DATA}, and compare a
 * result with the golden one by the rules of shared/golden/README.md ("Matching").
 */
#ifndef STRAIT_TEST_JSON_H
#define STRAIT_TEST_JSON_H

#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } json_type;

typedef struct json {
    json_type type;
    int boolean;
    char *text;        /* J_NUMBER: the number as written; J_STRING: the bytes (NUL-terminated) */
    size_t len;        /* J_STRING: byte length; J_ARRAY, J_OBJECT: entries */
    struct json **items;
    char **keys;       /* J_OBJECT: the key of each item */
} json;

/* A growable byte buffer. */
typedef struct buffer {
    char *data;
    size_t len;
    size_t cap;
} buffer;

void buffer_put(buffer *b, const char *bytes, size_t len);
void buffer_free(buffer *b);

/* Parses `len` bytes of JSON text; NULL (with *error set) when it is not JSON. */
json *json_parse(const char *text, size_t len, const char **error);
void json_free(json *value);
/* The member `key` of an object, or NULL. */
const json *json_get(const json *object, const char *key);
/* Appends `value` as compact JSON text. */
void json_write(const json *value, buffer *out);
/* A copy of `args` with the generators {"$str", "$n"} and {"$bytes", "$fill"} expanded and
 * ${DATA} replaced by `data_dir` inside strings. */
json *json_expand(const json *args, const char *data_dir);
/* Whether `actual` matches the golden `expected` (numbers by value, $large by digest); on a
 * mismatch, `why` says where. */
int json_match(const json *expected, const json *actual, char *why, size_t why_len);

#endif
