/*
 * The footprint run (capi/footprint.sh): loads and calls Marine's greeting, then loads the
 * records pair and calls records_pure.invoke (which calls into records_effector), counting the
 * heap in the arena allocator of capi/tests/arena.c. Prints `key value` lines.
 *
 *   -DFOOTPRINT_STRAIT  through strait's C API (no_std staticlib, wasmi)
 *   -DFOOTPRINT_WASMI   through wasmi alone (capi/footprint/wasmi-only): greeting with the
 *                       Marine ABI done by hand; the records pair only loaded (calling it needs
 *                       an interface-types implementation, which is what strait is)
 *   neither             the C part alone, the baseline that code sizes are measured against
 *
 * Usage: driver SHARED_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#ifdef FOOTPRINT_STRAIT
#include "strait.h"
#endif
#ifdef FOOTPRINT_WASMI
typedef struct Loaded Loaded;
Loaded *wasmi_only_load(const uint8_t *bytes, size_t len);
Loaded *wasmi_only_load_importer(const uint8_t *bytes, size_t len);
size_t wasmi_only_memory_bytes(const Loaded *loaded);
ptrdiff_t wasmi_only_greeting(Loaded *loaded, const uint8_t *name, size_t name_len, uint8_t *out, size_t capacity);
void wasmi_only_free(Loaded *loaded);
#endif

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

/* The peak of the phase that just ended, and the start of the next. */
static size_t phase_peak(void) {
    size_t peak = arena_get_stats().peak;
    arena_reset_peak();
    return peak;
}

static size_t max(size_t a, size_t b) { return a > b ? a : b; }

static void fail(const char *what) {
    fprintf(stderr, "footprint: %s failed\n", what);
    exit(1);
}

#ifdef FOOTPRINT_STRAIT
/* Every function of the API, so that the measured code is the whole API's. */
void *volatile strait_api[] = {
    (void *)strait_version, (void *)strait_options_default, (void *)strait_service_new,
    (void *)strait_service_from_config, (void *)strait_service_free, (void *)strait_service_engine,
    (void *)strait_service_load_module, (void *)strait_service_unload_module,
    (void *)strait_service_interface_json, (void *)strait_string_free,
    (void *)strait_service_memory_stats, (void *)strait_service_module_memory,
    (void *)strait_service_call_json, (void *)strait_service_result_json,
    (void *)strait_service_call_json_owned, (void *)strait_service_call,
    (void *)strait_service_register_host_function, (void *)strait_error_new,
    (void *)strait_error_get_kind, (void *)strait_error_get_message, (void *)strait_error_free,
    (void *)strait_module_settings_new, (void *)strait_module_settings_free,
    (void *)strait_module_settings_set_logger, (void *)strait_module_settings_add_env,
    (void *)strait_module_settings_add_mapped_dir, (void *)strait_module_settings_add_mounted_binary,
};

static void check(strait_error *error, const char *what) {
    if (error) {
        fprintf(stderr, "%s: %s\n", what, strait_error_get_message(error));
        fail(what);
    }
}

static uint64_t guest_bytes(strait_service *service) {
    strait_memory_stats stats;
    check(strait_service_memory_stats(service, &stats), "memory stats");
    return stats.total_bytes;
}

static void run(const char *shared) {
    size_t g, e, p, len;
    uint8_t *greeting = read_file(shared, "artifacts/greeting/greeting.wasm", &g);
    uint8_t *effector = read_file(shared, "artifacts/records/records_effector.wasm", &e);
    uint8_t *pure = read_file(shared, "artifacts/records/records_pure.wasm", &p);
    char out[4096];

    arena_reset_peak();
    strait_options options = strait_options_default();
    options.module_cache = 0;
    strait_service *service = NULL;
    check(strait_service_new(&options, &service), "create");
    check(strait_service_load_module(service, "greeting", greeting, g, NULL), "load greeting");
    size_t load_peak = phase_peak();
    printf("greeting.load.peak %zu\n", load_peak);
    printf("greeting.load.live %zu\n", arena_get_stats().in_use);
    check(strait_service_call_json(service, "greeting", "greeting", "[\"World\"]", 9, out, sizeof out, &len), "call greeting");
    if (strcmp(out, "\"Hi, World\"")) fail("greeting's answer");
    size_t call_peak = phase_peak();
    printf("greeting.call.peak %zu\n", call_peak);
    printf("greeting.peak %zu\n", max(load_peak, call_peak));
    printf("greeting.guest %llu\n", (unsigned long long)guest_bytes(service));
    strait_service_free(service);
    printf("greeting.after_free %zu\n", arena_get_stats().in_use);

    arena_reset_peak();
    check(strait_service_new(&options, &service), "create");
    check(strait_service_load_module(service, "records_effector", effector, e, NULL), "load records_effector");
    check(strait_service_load_module(service, "records_pure", pure, p, NULL), "load records_pure");
    load_peak = phase_peak();
    printf("records.load.peak %zu\n", load_peak);
    printf("records.load.live %zu\n", arena_get_stats().in_use);
    check(strait_service_call_json(service, "records_pure", "invoke", "[]", 2, out, sizeof out, &len), "call invoke");
    if (!strstr(out, "\"field_11\":\"field_11\"")) fail("invoke's answer");
    call_peak = phase_peak();
    printf("records.call.peak %zu\n", call_peak);
    printf("records.peak %zu\n", max(load_peak, call_peak));
    printf("records.guest %llu\n", (unsigned long long)guest_bytes(service));
    strait_service_free(service);
    printf("records.after_free %zu\n", arena_get_stats().in_use);
    free(greeting);
    free(effector);
    free(pure);
}
#elif defined(FOOTPRINT_WASMI)
static void run(const char *shared) {
    size_t g, e, p;
    uint8_t *greeting = read_file(shared, "artifacts/greeting/greeting.wasm", &g);
    uint8_t *effector = read_file(shared, "artifacts/records/records_effector.wasm", &e);
    uint8_t *pure = read_file(shared, "artifacts/records/records_pure.wasm", &p);
    uint8_t out[4096];

    arena_reset_peak();
    Loaded *loaded = wasmi_only_load(greeting, g);
    if (!loaded) fail("load greeting");
    size_t load_peak = phase_peak();
    printf("greeting.load.peak %zu\n", load_peak);
    printf("greeting.load.live %zu\n", arena_get_stats().in_use);
    ptrdiff_t n = wasmi_only_greeting(loaded, (const uint8_t *)"World", 5, out, sizeof out);
    if (n != 9 || memcmp(out, "Hi, World", 9)) fail("greeting's answer");
    size_t call_peak = phase_peak();
    printf("greeting.call.peak %zu\n", call_peak);
    printf("greeting.peak %zu\n", max(load_peak, call_peak));
    printf("greeting.guest %zu\n", wasmi_only_memory_bytes(loaded));
    wasmi_only_free(loaded);
    printf("greeting.after_free %zu\n", arena_get_stats().in_use);

    arena_reset_peak();
    Loaded *first = wasmi_only_load(effector, e);
    Loaded *second = wasmi_only_load_importer(pure, p);
    if (!first || !second) fail("load the records pair");
    load_peak = phase_peak();
    printf("records.load.peak %zu\n", load_peak);
    printf("records.load.live %zu\n", arena_get_stats().in_use);
    printf("records.guest %zu\n", wasmi_only_memory_bytes(first) + wasmi_only_memory_bytes(second));
    wasmi_only_free(first);
    wasmi_only_free(second);
    printf("records.after_free %zu\n", arena_get_stats().in_use);
    free(greeting);
    free(effector);
    free(pure);
}
#else
/* The arena is in every build; keep it here too, so that the difference is the library. */
void *strait_alloc(size_t size, size_t align);
void strait_dealloc(void *ptr, size_t size, size_t align);
void *strait_realloc(void *ptr, size_t old_size, size_t align, size_t new_size);
void strait_panic(const char *message, size_t len);
void *volatile arena_api[] = {(void *)strait_alloc, (void *)strait_dealloc, (void *)strait_realloc,
                              (void *)strait_panic, (void *)arena_get_stats, (void *)arena_reset_peak};

static void run(const char *shared) {
    (void)shared;
    (void)phase_peak;
    (void)max;
    (void)fail;
    (void)read_file;
}
#endif

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
        return 2;
    }
    run(argv[1]);
    return 0;
}
