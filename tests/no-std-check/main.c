/* Runs the no_std check library: its checks on the built-in WAT modules, then on Marine's
 * greeting and records pair read from shared/artifacts. The allocator hooks come from
 * capi/tests/arena.c, whose peak is printed. Usage: no-std-check SHARED_DIR */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"

uint32_t strait_no_std_check(void);
uint32_t strait_no_std_check_marine(const uint8_t *greeting, size_t greeting_len, const uint8_t *effector,
                                    size_t effector_len, const uint8_t *pure, size_t pure_len);

static uint8_t *read_file(const char *shared, const char *relative, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", shared, relative);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = malloc(*len);
    if (!bytes || fread(bytes, 1, *len, f) != *len) exit(2);
    fclose(f);
    return bytes;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
        return 2;
    }
    uint32_t built_in = strait_no_std_check();
    printf("no_std check, built-in modules: %s (%u)\n", built_in ? "FAILED" : "ok", built_in);
    size_t g, e, p;
    uint8_t *greeting = read_file(argv[1], "artifacts/greeting/greeting.wasm", &g);
    uint8_t *effector = read_file(argv[1], "artifacts/records/records_effector.wasm", &e);
    uint8_t *pure = read_file(argv[1], "artifacts/records/records_pure.wasm", &p);
    uint32_t marine = strait_no_std_check_marine(greeting, g, effector, e, pure, p);
    printf("no_std check, Marine's greeting and records: %s (%u)\n", marine ? "FAILED" : "ok", marine);
    arena_stats stats = arena_get_stats();
    printf("arena: peak %zu bytes, %zu live at the end\n", stats.peak, stats.in_use);
    free(greeting);
    free(effector);
    free(pure);
    return built_in || marine || stats.in_use ? 1 : 0;
}
