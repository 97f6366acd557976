#define _POSIX_C_SOURCE 200809L
/* JSON for the C tests (see json.h). Inputs are trusted test files and strait's own output,
 * so errors are reported but not recovered from in detail. */
#include "json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *checked(void *p) {
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

void buffer_put(buffer *b, const char *bytes, size_t len) {
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1) cap *= 2;
        b->data = checked(realloc(b->data, cap));
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len] = 0;
}

static void buffer_str(buffer *b, const char *s) { buffer_put(b, s, strlen(s)); }

void buffer_free(buffer *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- parsing ---------------------------------------------------------------------------- */

typedef struct parser {
    const char *at;
    const char *end;
    const char *error;
} parser;

static json *node(json_type type) {
    json *v = checked(calloc(1, sizeof(json)));
    v->type = type;
    return v;
}

static void skip_space(parser *p) {
    while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')) p->at++;
}

static void push_item(json *v, json *item, char *key) {
    if ((v->len & (v->len - 1)) == 0) { /* grow at powers of two */
        size_t cap = v->len ? v->len * 2 : 1;
        v->items = checked(realloc(v->items, cap * sizeof(json *)));
        if (v->type == J_OBJECT) v->keys = checked(realloc(v->keys, cap * sizeof(char *)));
    }
    v->items[v->len] = item;
    if (v->type == J_OBJECT) v->keys[v->len] = key;
    v->len++;
}

static void put_utf8(buffer *b, uint32_t c) {
    char out[4];
    size_t n;
    if (c < 0x80) { out[0] = (char)c; n = 1; }
    else if (c < 0x800) { out[0] = (char)(0xc0 | c >> 6); out[1] = (char)(0x80 | (c & 0x3f)); n = 2; }
    else if (c < 0x10000) { out[0] = (char)(0xe0 | c >> 12); out[1] = (char)(0x80 | (c >> 6 & 0x3f)); out[2] = (char)(0x80 | (c & 0x3f)); n = 3; }
    else { out[0] = (char)(0xf0 | c >> 18); out[1] = (char)(0x80 | (c >> 12 & 0x3f)); out[2] = (char)(0x80 | (c >> 6 & 0x3f)); out[3] = (char)(0x80 | (c & 0x3f)); n = 4; }
    buffer_put(b, out, n);
}

static int hex4(parser *p, uint32_t *out) {
    if (p->end - p->at < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->at[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return 0;
    }
    p->at += 4;
    *out = v;
    return 1;
}

/* A string after its opening quote; the decoded bytes. */
static int parse_string(parser *p, buffer *out) {
    while (p->at < p->end) {
        char c = *p->at++;
        if (c == '"') return 1;
        if (c != '\\') { buffer_put(out, &c, 1); continue; }
        if (p->at >= p->end) break;
        char e = *p->at++;
        switch (e) {
        case '"': case '\\': case '/': buffer_put(out, &e, 1); break;
        case 'b': buffer_str(out, "\b"); break;
        case 'f': buffer_str(out, "\f"); break;
        case 'n': buffer_str(out, "\n"); break;
        case 'r': buffer_str(out, "\r"); break;
        case 't': buffer_str(out, "\t"); break;
        case 'u': {
            uint32_t c1, c2;
            if (!hex4(p, &c1)) { p->error = "bad \\u escape"; return 0; }
            if (c1 >= 0xd800 && c1 < 0xdc00 && p->end - p->at >= 6 && p->at[0] == '\\' && p->at[1] == 'u') {
                p->at += 2;
                if (!hex4(p, &c2)) { p->error = "bad \\u escape"; return 0; }
                c1 = 0x10000 + ((c1 - 0xd800) << 10) + (c2 - 0xdc00);
            }
            if (c1 == 0) buffer_put(out, "", 1); else put_utf8(out, c1);
            break;
        }
        default: p->error = "bad escape"; return 0;
        }
    }
    p->error = "unterminated string";
    return 0;
}

static json *parse_value(parser *p, int depth);

static json *parse_value(parser *p, int depth) {
    if (depth > 2000) { p->error = "too deep"; return NULL; }
    skip_space(p);
    if (p->at >= p->end) { p->error = "unexpected end"; return NULL; }
    char c = *p->at;
    if (c == '{' || c == '[') {
        json *v = node(c == '{' ? J_OBJECT : J_ARRAY);
        char close = c == '{' ? '}' : ']';
        p->at++;
        skip_space(p);
        if (p->at < p->end && *p->at == close) { p->at++; return v; }
        for (;;) {
            char *key = NULL;
            if (v->type == J_OBJECT) {
                skip_space(p);
                if (p->at >= p->end || *p->at != '"') { p->error = "expected a key"; json_free(v); return NULL; }
                p->at++;
                buffer k = {0};
                if (!parse_string(p, &k)) { buffer_free(&k); json_free(v); return NULL; }
                buffer_put(&k, "", 0);
                key = k.data;
                skip_space(p);
                if (p->at >= p->end || *p->at != ':') { p->error = "expected ':'"; free(key); json_free(v); return NULL; }
                p->at++;
            }
            json *item = parse_value(p, depth + 1);
            if (!item) { free(key); json_free(v); return NULL; }
            push_item(v, item, key);
            skip_space(p);
            if (p->at < p->end && *p->at == ',') { p->at++; continue; }
            if (p->at < p->end && *p->at == close) { p->at++; return v; }
            p->error = "expected ',' or a closing bracket";
            json_free(v);
            return NULL;
        }
    }
    if (c == '"') {
        p->at++;
        buffer s = {0};
        if (!parse_string(p, &s)) { buffer_free(&s); return NULL; }
        buffer_put(&s, "", 0);
        json *v = node(J_STRING);
        v->text = s.data;
        v->len = s.len;
        return v;
    }
    if (p->end - p->at >= 4 && !strncmp(p->at, "true", 4)) { p->at += 4; json *v = node(J_BOOL); v->boolean = 1; return v; }
    if (p->end - p->at >= 5 && !strncmp(p->at, "false", 5)) { p->at += 5; return node(J_BOOL); }
    if (p->end - p->at >= 4 && !strncmp(p->at, "null", 4)) { p->at += 4; return node(J_NULL); }
    const char *start = p->at;
    while (p->at < p->end && strchr("+-0123456789.eE", *p->at)) p->at++;
    if (p->at == start) { p->error = "unexpected character"; return NULL; }
    json *v = node(J_NUMBER);
    v->len = (size_t)(p->at - start);
    v->text = checked(malloc(v->len + 1));
    memcpy(v->text, start, v->len);
    v->text[v->len] = 0;
    return v;
}

json *json_parse(const char *text, size_t len, const char **error) {
    parser p = {text, text + len, NULL};
    json *v = parse_value(&p, 0);
    if (v) {
        skip_space(&p);
        if (p.at != p.end) { json_free(v); v = NULL; p.error = "trailing characters"; }
    }
    if (error) *error = p.error;
    return v;
}

void json_free(json *v) {
    if (!v) return;
    for (size_t i = 0; i < v->len && (v->type == J_ARRAY || v->type == J_OBJECT); i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->text);
    free(v);
}

const json *json_get(const json *object, const char *key) {
    if (!object || object->type != J_OBJECT) return NULL;
    for (size_t i = 0; i < object->len; i++)
        if (!strcmp(object->keys[i], key)) return object->items[i];
    return NULL;
}

/* ---- writing ---------------------------------------------------------------------------- */

static void write_string(const char *s, size_t len, buffer *out) {
    buffer_str(out, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"') buffer_str(out, "\\\"");
        else if (c == '\\') buffer_str(out, "\\\\");
        else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); buffer_str(out, esc); }
        else buffer_put(out, (const char *)&s[i], 1);
    }
    buffer_str(out, "\"");
}

void json_write(const json *v, buffer *out) {
    switch (v->type) {
    case J_NULL: buffer_str(out, "null"); break;
    case J_BOOL: buffer_str(out, v->boolean ? "true" : "false"); break;
    case J_NUMBER: buffer_put(out, v->text, v->len); break;
    case J_STRING: write_string(v->text, v->len, out); break;
    case J_ARRAY:
    case J_OBJECT:
        buffer_str(out, v->type == J_ARRAY ? "[" : "{");
        for (size_t i = 0; i < v->len; i++) {
            if (i) buffer_str(out, ",");
            if (v->type == J_OBJECT) {
                write_string(v->keys[i], strlen(v->keys[i]), out);
                buffer_str(out, ":");
            }
            json_write(v->items[i], out);
        }
        buffer_str(out, v->type == J_ARRAY ? "]" : "}");
        break;
    }
}

/* ---- golden arguments ------------------------------------------------------------------- */

static json *number(unsigned long long n) {
    char text[32];
    snprintf(text, sizeof text, "%llu", n);
    json *v = node(J_NUMBER);
    v->len = strlen(text);
    v->text = checked(strdup(text));
    return v;
}

json *json_expand(const json *args, const char *data_dir) {
    const json *str = json_get(args, "$str"), *bytes = json_get(args, "$bytes");
    if (args->type == J_OBJECT && str) {
        unsigned long long n = strtoull(json_get(args, "$n")->text, NULL, 10);
        json *v = node(J_STRING);
        v->len = str->len * n;
        v->text = checked(malloc(v->len + 1));
        for (unsigned long long i = 0; i < n; i++) memcpy(v->text + i * str->len, str->text, str->len);
        v->text[v->len] = 0;
        return v;
    }
    if (args->type == J_OBJECT && bytes) {
        unsigned long long n = strtoull(bytes->text, NULL, 10);
        unsigned long long fill = strtoull(json_get(args, "$fill")->text, NULL, 10);
        json *v = node(J_ARRAY);
        for (unsigned long long i = 0; i < n; i++) push_item(v, number(fill == 256 ? i % 256 : fill), NULL);
        return v;
    }
    json *v = node(args->type);
    v->boolean = args->boolean;
    if (args->type == J_NUMBER) {
        v->text = checked(strdup(args->text));
        v->len = args->len;
    } else if (args->type == J_STRING) {
        buffer s = {0};
        const char *at = args->text, *end = args->text + args->len;
        while (at < end) {
            const char *hit = strstr(at, "${DATA}");
            if (!hit || hit >= end) { buffer_put(&s, at, (size_t)(end - at)); break; }
            buffer_put(&s, at, (size_t)(hit - at));
            buffer_str(&s, data_dir);
            at = hit + strlen("${DATA}");
        }
        buffer_put(&s, "", 0);
        v->text = s.data;
        v->len = s.len;
    } else if (args->type == J_ARRAY || args->type == J_OBJECT) {
        for (size_t i = 0; i < args->len; i++)
            push_item(v, json_expand(args->items[i], data_dir), args->keys ? checked(strdup(args->keys[i])) : NULL);
    }
    return v;
}

/* ---- SHA-256 (FIPS 180-4), for the digests of large golden results ----------------------- */

typedef struct sha256 {
    uint32_t h[8];
    unsigned char block[64];
    size_t used;
    uint64_t total;
} sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(sha256 *s, const unsigned char *b) {
    uint32_t w[64], a[8];
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 | (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(a, s->h, sizeof a);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = a[7] + (ROTR(a[4], 6) ^ ROTR(a[4], 11) ^ ROTR(a[4], 25)) + ((a[4] & a[5]) ^ (~a[4] & a[6])) + K[i] + w[i];
        uint32_t t2 = (ROTR(a[0], 2) ^ ROTR(a[0], 13) ^ ROTR(a[0], 22)) + ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
        memmove(a + 1, a, 7 * sizeof(uint32_t));
        a[4] += t1;
        a[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) s->h[i] += a[i];
}

static void sha_init(sha256 *s) {
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->used = 0;
    s->total = 0;
}

static void sha_update(sha256 *s, const unsigned char *data, size_t len) {
    s->total += len;
    while (len) {
        size_t take = 64 - s->used < len ? 64 - s->used : len;
        memcpy(s->block + s->used, data, take);
        s->used += take;
        data += take;
        len -= take;
        if (s->used == 64) { sha_block(s, s->block); s->used = 0; }
    }
}

static void sha_hex(sha256 *s, char hex[65]) {
    uint64_t bits = s->total * 8;
    unsigned char pad = 0x80, zero = 0, len[8];
    sha_update(s, &pad, 1);
    while (s->used != 56) sha_update(s, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_update(s, len, 8);
    for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

/* ---- matching --------------------------------------------------------------------------- */

static int is_integer(const char *text) { return !strpbrk(text, ".eE"); }

static int numbers_equal(const char *a, const char *b) {
    if (is_integer(a) && is_integer(b)) return !strcmp(a, b);
    return strtod(a, NULL) == strtod(b, NULL);
}

static int match_large(const json *large, const json *actual, char *why, size_t why_len) {
    const json *kind = json_get(large, "kind"), *bytes_sha = json_get(large, "bytes_sha256");
    sha256 s;
    char hex[65];
    sha_init(&s);
    if (kind && !strcmp(kind->text, "string")) {
        if (actual->type != J_STRING) { snprintf(why, why_len, "expected a large string"); return 0; }
        unsigned long long want = strtoull(json_get(large, "str_len_bytes")->text, NULL, 10);
        if (actual->len != want) { snprintf(why, why_len, "string length %zu != %llu", actual->len, want); return 0; }
        sha_update(&s, (const unsigned char *)actual->text, actual->len);
        sha_hex(&s, hex);
        if (strcmp(hex, json_get(large, "str_sha256")->text)) { snprintf(why, why_len, "string digest differs"); return 0; }
        return 1;
    }
    if (bytes_sha) {
        if (actual->type != J_ARRAY) { snprintf(why, why_len, "expected a large array"); return 0; }
        unsigned long long want = strtoull(json_get(large, "array_len")->text, NULL, 10);
        if (actual->len != want) { snprintf(why, why_len, "array length %zu != %llu", actual->len, want); return 0; }
        for (size_t i = 0; i < actual->len; i++) {
            unsigned char byte = (unsigned char)strtoul(actual->items[i]->text, NULL, 10);
            sha_update(&s, &byte, 1);
        }
        sha_hex(&s, hex);
        if (strcmp(hex, bytes_sha->text)) { snprintf(why, why_len, "byte digest differs"); return 0; }
        return 1;
    }
    /* Canonical JSON: strait writes serde_json's sorted, compact form. */
    buffer text = {0};
    json_write(actual, &text);
    sha_update(&s, (const unsigned char *)text.data, text.len);
    buffer_free(&text);
    sha_hex(&s, hex);
    if (strcmp(hex, json_get(large, "json_sha256")->text)) { snprintf(why, why_len, "JSON digest differs"); return 0; }
    return 1;
}

int json_match(const json *expected, const json *actual, char *why, size_t why_len) {
    const json *large = json_get(expected, "$large");
    if (large) return match_large(large, actual, why, why_len);
    if (expected->type != actual->type) {
        snprintf(why, why_len, "type %d != %d", expected->type, actual->type);
        return 0;
    }
    switch (expected->type) {
    case J_NULL: return 1;
    case J_BOOL:
        if (expected->boolean == actual->boolean) return 1;
        snprintf(why, why_len, "boolean differs");
        return 0;
    case J_NUMBER:
        if (numbers_equal(expected->text, actual->text)) return 1;
        snprintf(why, why_len, "number %s != %s", expected->text, actual->text);
        return 0;
    case J_STRING:
        if (expected->len == actual->len && !memcmp(expected->text, actual->text, expected->len)) return 1;
        snprintf(why, why_len, "string \"%.60s\" != \"%.60s\"", expected->text, actual->text);
        return 0;
    case J_ARRAY:
        if (expected->len != actual->len) { snprintf(why, why_len, "array length %zu != %zu", expected->len, actual->len); return 0; }
        for (size_t i = 0; i < expected->len; i++)
            if (!json_match(expected->items[i], actual->items[i], why, why_len)) return 0;
        return 1;
    case J_OBJECT:
        if (expected->len != actual->len) { snprintf(why, why_len, "object size %zu != %zu", expected->len, actual->len); return 0; }
        for (size_t i = 0; i < expected->len; i++) {
            const json *other = json_get(actual, expected->keys[i]);
            if (!other) { snprintf(why, why_len, "key %s missing", expected->keys[i]); return 0; }
            if (!json_match(expected->items[i], other, why, why_len)) return 0;
        }
        return 1;
    }
    return 0;
}
