/*
 * The C test suite of strait's C API: real Marine modules (greeting, the records pair, failing,
 * and in the std build the url-downloader) read from shared/artifacts and called through
 * strait.h, with results compared with Marine's golden outputs; every error path, each
 * followed by a call that shows the service still works; C host functions; the interface and
 * memory statistics. Small WAT fixtures (modules.h) cover what real modules do not reach: an
 * endless loop, unbounded recursion, range edges, a host import.
 *
 * Built twice by run.sh: against the no_std staticlib with the arena allocator
 * (-DSTRAIT_TEST_NO_STD, wasmi only) and against the std staticlib (wasmi and Wasmtime).
 * Usage: capi_tests SHARED_DIR [WORK_DIR]   (WORK_DIR: a scratch directory for the std build's
 * url-downloader working copy).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "modules.h"
#include "strait.h"
#ifdef STRAIT_TEST_NO_STD
#include "arena.h"
#endif

static const char *shared;
static const char *work;
static int failures, checks;

#define CHECK(cond, ...)                                                                     \
    do {                                                                                     \
        checks++;                                                                            \
        if (!(cond)) {                                                                       \
            failures++;                                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                             \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fputc('\n', stderr);                                                             \
        }                                                                                    \
    } while (0)

/* ---- helpers ---------------------------------------------------------------------------- */

/* snprintf into an array, stopping the tests if it does not fit. */
#define FORMAT(buf, ...)                                                                     \
    do {                                                                                     \
        int n_ = snprintf(buf, sizeof buf, __VA_ARGS__);                                     \
        if (n_ < 0 || (size_t)n_ >= sizeof buf) {                                            \
            fprintf(stderr, "%s:%d: text too long\n", __FILE__, __LINE__);                   \
            exit(2);                                                                         \
        }                                                                                    \
    } while (0)

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    data[size] = 0;
    *len = (size_t)size;
    return data;
}

static unsigned char *read_shared(const char *relative, size_t *len) {
    char path[4096];
    FORMAT(path, "%s/%s", shared, relative);
    return read_file(path, len);
}

/* Takes an error: its kind (0 for none), its message printed when `show`. */
static int kind_of(strait_error *error, const char *context) {
    if (!error) return 0;
    int kind = (int)strait_error_get_kind(error);
    if (getenv("STRAIT_TEST_VERBOSE"))
        fprintf(stderr, "  [%s] kind %d: %s\n", context, kind, strait_error_get_message(error));
    strait_error_free(error);
    return kind;
}

/* Expects `error` to be NULL; prints it otherwise. */
#define OK(call)                                                                             \
    do {                                                                                     \
        strait_error *e_ = (call);                                                           \
        CHECK(!e_, "%s failed: %s", #call, e_ ? strait_error_get_message(e_) : "");         \
        strait_error_free(e_);                                                               \
    } while (0)

/* Expects `call` to fail with `kind`. */
#define FAILS(kind, call)                                                                    \
    do {                                                                                     \
        int k_ = kind_of((call), #call);                                                     \
        CHECK(k_ == (int)(kind), "%s: kind %d, expected %d (%s)", #call, k_, (int)(kind),    \
              #kind);                                                                        \
    } while (0)

static strait_service *new_service(uint32_t engine, uint64_t limit, uint64_t fuel) {
    strait_options options = strait_options_default();
    options.engine = engine;
    options.memory_limit = limit;
    options.fuel_per_call = fuel;
    strait_service *service = NULL;
    OK(strait_service_new(&options, &service));
    if (!service) exit(2);
    return service;
}

static strait_error *load(strait_service *service, const char *name, const char *file, int logger) {
    size_t len;
    unsigned char *bytes = read_shared(file, &len);
    strait_module_settings *settings = strait_module_settings_new();
    OK(strait_module_settings_set_logger(settings, logger, INT32_MAX));
    strait_error *error = strait_service_load_module(service, name, bytes, len, settings);
    strait_module_settings_free(settings);
    free(bytes);
    return error;
}

/* Calls with JSON and returns the owned result text (NULL on error, error kind in *kind). */
static char *call(strait_service *service, const char *module, const char *function, const char *args, int *kind) {
    char *out = NULL;
    size_t len = 0;
    *kind = kind_of(strait_service_call_json_owned(service, module, function, args, strlen(args), &out, &len), function);
    if (out) CHECK(strlen(out) == len, "call_json_owned: length %zu for %zu bytes", len, strlen(out));
    return out;
}

/* Expects module.function(args) to return exactly `expected` (JSON text). */
static void expect_result(strait_service *service, const char *module, const char *function, const char *args, const char *expected) {
    int kind;
    char *out = call(service, module, function, args, &kind);
    CHECK(out && !strcmp(out, expected), "%s.%s(%s) = %s (kind %d), expected %s", module, function, args, out ? out : "error", kind, expected);
    strait_string_free(out);
}

/* The service still works: greeting answers. */
static void still_works(strait_service *service) {
    expect_result(service, "greeting", "greeting", "[\"x\"]", "\"Hi, x\"");
}

static const char *engine_name(uint32_t engine) { return engine == STRAIT_ENGINE_WASMI ? "wasmi" : "wasmtime"; }

/* ---- golden scenarios ------------------------------------------------------------------- */

typedef struct module_spec {
    const char *name;
    const char *file;
    int logger;
} module_spec;

/* Runs the call lines of golden/<scenario>.jsonl on `service`, comparing with Marine's. Every
 * other call goes through the caller-buffer variant with a buffer too small at first. */
static void run_golden(strait_service *service, const char *scenario, const char *data_dir) {
    char path[4096];
    FORMAT(path, "golden/%s.jsonl", scenario);
    size_t len;
    char *text = (char *)read_shared(path, &len);
    int line_no = 0, calls = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        line_no++;
        const char *error;
        json *golden = json_parse(line, strlen(line), &error);
        if (!golden) {
            fprintf(stderr, "%s line %d: %s\n", path, line_no, error);
            exit(2);
        }
        if (json_get(golden, "op")) {
            json_free(golden);
            continue;
        }
        const json *module = json_get(golden, "module"), *function = json_get(golden, "function");
        json *args = json_expand(json_get(golden, "args"), data_dir);
        buffer args_text = {0};
        json_write(args, &args_text);
        strait_error *failure;
        char *result = NULL;
        size_t result_len = 0;
        if (calls++ % 2 == 0) {
            failure = strait_service_call_json_owned(service, module->text, function->text, args_text.data, args_text.len, &result, &result_len);
        } else {
            char small[4];
            failure = strait_service_call_json(service, module->text, function->text, args_text.data, args_text.len, small, sizeof small, &result_len);
            if (failure && strait_error_get_kind(failure) == STRAIT_ERROR_KIND_BUFFER_TOO_SMALL) {
                strait_error_free(failure);
                result = malloc(result_len + 1);
                size_t again = 0;
                failure = strait_service_result_json(service, result, result_len + 1, &again);
                CHECK(again == result_len, "%s line %d: result_json gave %zu bytes, call_json said %zu", scenario, line_no, again, result_len);
            } else if (!failure) {
                result = malloc(result_len + 1);
                memcpy(result, small, result_len + 1);
            }
        }
        const json *expected = json_get(golden, "result");
        if (json_get(golden, "error")) {
            CHECK(failure != NULL, "%s line %d: %s.%s succeeded (%.80s); Marine failed", scenario, line_no, module->text, function->text, result ? result : "");
        } else if (failure) {
            CHECK(0, "%s line %d: %s.%s failed: %s", scenario, line_no, module->text, function->text, strait_error_get_message(failure));
        } else {
            json *actual = json_parse(result, strlen(result), &error);
            char why[256] = "";
            if (json_get(golden, "host_dependent"))
                CHECK(actual && actual->type == J_STRING, "%s line %d: expected a string", scenario, line_no);
            else
                CHECK(actual && json_match(expected, actual, why, sizeof why), "%s line %d: %s.%s: %s", scenario, line_no, module->text, function->text, why);
            json_free(actual);
        }
        strait_error_free(failure);
        if (calls % 2 == 0) free(result); else strait_string_free(result);
        buffer_free(&args_text);
        json_free(args);
        json_free(golden);
    }
    free(text);
    printf("  golden %s: %d calls\n", scenario, calls);
}

/* Loads `modules` from bytes and runs the scenario. */
static strait_service *golden_from_bytes(uint32_t engine, const char *scenario, const module_spec *modules, size_t count) {
    strait_service *service = new_service(engine, 10u << 20, 0);
    for (size_t i = 0; i < count; i++) OK(load(service, modules[i].name, modules[i].file, modules[i].logger));
    char data[4096];
    FORMAT(data, "%s/golden/data", shared);
    run_golden(service, scenario, data);
    return service;
}

static void golden_scenarios(uint32_t engine) {
    static const module_spec greeting[] = {{"greeting", "artifacts/greeting/greeting.wasm", 0}};
    static const module_spec records[] = {
        {"records_effector", "artifacts/records/records_effector.wasm", 1},
        {"records_pure", "artifacts/records/records_pure.wasm", 1},
    };
    static const module_spec failing[] = {{"failing", "artifacts/failing/failing.wasm", 0}};
    strait_service_free(golden_from_bytes(engine, "greeting", greeting, 1));
    strait_service *service = golden_from_bytes(engine, "records", records, 2);
    /* The interface, as Marine's JSON. */
    char *interface = NULL;
    OK(strait_service_interface_json(service, &interface));
    size_t len;
    char *golden = (char *)read_shared("golden/records.interface.json", &len);
    json *want = json_parse(golden, len, NULL), *got = interface ? json_parse(interface, strlen(interface), NULL) : NULL;
    char why[256] = "";
    CHECK(want && got && json_match(want, got, why, sizeof why), "records interface: %s", why);
    json_free(want);
    json_free(got);
    free(golden);
    strait_string_free(interface);
    strait_service_free(service);
    strait_service_free(golden_from_bytes(engine, "failing", failing, 1));
}

#ifndef STRAIT_TEST_NO_STD
/* url-downloader from its golden config, in a working copy (it writes files), with the
 * working directory at the config as the golden README says. */
static void url_downloader(uint32_t engine) {
    char root[4096], command[12288], config[4096], data[4096], cwd[4096];
    FORMAT(root, "%s/url-downloader-%s", work, engine_name(engine));
    FORMAT(command,
             "rm -rf '%s' && mkdir -p '%s/golden' && cp -r '%s/artifacts' '%s/' && cp -r '%s/golden/data' '%s/golden/configs' '%s/golden/' && chmod -R u+w '%s'",
             root, root, shared, root, shared, shared, root, root);
    if (system(command) != 0) {
        fprintf(stderr, "cannot make the working copy %s\n", root);
        exit(2);
    }
    FORMAT(config, "%s/golden/configs/url-downloader.toml", root);
    FORMAT(data, "%s/golden/data", root);
    if (!getcwd(cwd, sizeof cwd)) exit(2);
    char dir[4096];
    FORMAT(dir, "%s/golden/configs", root);
    if (chdir(dir) != 0) exit(2);
    strait_options options = strait_options_default();
    options.engine = engine;
    strait_service *service = NULL;
    OK(strait_service_from_config(config, &options, &service));
    if (service) {
        run_golden(service, "url-downloader", data);
        strait_service_free(service);
    }
    if (chdir(cwd) != 0) exit(2);
    /* The same modules loaded from bytes with settings made through the API. */
    service = new_service(engine, 10u << 20, 0);
    strait_module_settings *settings = strait_module_settings_new();
    char sites[4096];
    FORMAT(sites, "%s/sites", data);
    OK(strait_module_settings_add_mapped_dir(settings, "sites", sites));
    OK(strait_module_settings_add_env(settings, "GREETING", "hello"));
    size_t len;
    unsigned char *bytes = read_shared("artifacts/url-downloader/local_storage.wasm", &len);
    OK(strait_service_load_module(service, "local_storage", bytes, len, settings));
    free(bytes);
    strait_module_settings_free(settings);
    settings = strait_module_settings_new();
    OK(strait_module_settings_add_mounted_binary(settings, "curl", "/usr/bin/curl"));
    bytes = read_shared("artifacts/url-downloader/curl_adapter.wasm", &len);
    OK(strait_service_load_module(service, "curl_adapter", bytes, len, settings));
    free(bytes);
    strait_module_settings_free(settings);
    OK(load(service, "facade", "artifacts/url-downloader/facade.wasm", 1));
    char args[8192];
    FORMAT(args, "[\"file://%s/www/hello.txt\", \"api.txt\"]", data);
    expect_result(service, "facade", "get_n_save", args, "\"Ok\"");
    expect_result(service, "local_storage", "get", "[\"api.txt\"]", "[72,101,108,108,111,32,102,114,111,109,32,102,105,108,101,58,47,47,10]");
    strait_service_free(service);
    FORMAT(command, "rm -rf '%s'", root);
    if (system(command) != 0) fprintf(stderr, "cannot remove %s\n", root);
}
#else
/* Without std there is no file system and no process: local_storage loads on the bare WASI
 * (its files cannot be opened) and curl_adapter, which needs the mounted binary `curl`, is
 * refused with a load error that names it; the service goes on. */
static void url_downloader(uint32_t engine) {
    strait_service *service = new_service(engine, 10u << 20, 0);
    OK(load(service, "greeting", "artifacts/greeting/greeting.wasm", 0));
    OK(load(service, "local_storage", "artifacts/url-downloader/local_storage.wasm", 1));
    int kind;
    char *out = call(service, "local_storage", "put", "[\"a.txt\", [1]]", &kind);
    CHECK(out && strstr(out, "file can't be written"), "local_storage.put without files: %s (kind %d)", out ? out : "error", kind);
    strait_string_free(out);
    strait_error *error = load(service, "curl_adapter", "artifacts/url-downloader/curl_adapter.wasm", 1);
    CHECK(error && strstr(strait_error_get_message(error), "curl"), "curl_adapter without mounted binaries: %s", error ? strait_error_get_message(error) : "loaded");
    FAILS(STRAIT_ERROR_KIND_LOAD, error);
    strait_module_settings *settings = strait_module_settings_new();
    FAILS(STRAIT_ERROR_KIND_UNSUPPORTED, strait_module_settings_add_mounted_binary(settings, "curl", "/usr/bin/curl"));
    strait_module_settings_free(settings);
    still_works(service);
    strait_service_free(service);
}
#endif

/* ---- error paths ------------------------------------------------------------------------ */

static void error_paths(uint32_t engine) {
    strait_service *service = new_service(engine, 10u << 20, 0);
    OK(load(service, "greeting", "artifacts/greeting/greeting.wasm", 0));
    still_works(service);

    /* Bad module bytes: not wasm, truncated, an invalid IT section (corrupted files). */
    FAILS(STRAIT_ERROR_KIND_LOAD, strait_service_load_module(service, "bad", (const uint8_t *)"not wasm", 8, NULL));
    size_t len;
    unsigned char *bytes = read_shared("artifacts/greeting/greeting.wasm", &len);
    FAILS(STRAIT_ERROR_KIND_LOAD, strait_service_load_module(service, "bad", bytes, len / 2, NULL));
    FAILS(STRAIT_ERROR_KIND_DUPLICATE_MODULE, strait_service_load_module(service, "greeting", bytes, len, NULL));
    free(bytes);
    bytes = read_shared("artifacts/corrupted/url-downloader_facade.corrupted.wasm", &len);
    CHECK(kind_of(strait_service_load_module(service, "bad", bytes, len, NULL), "corrupted") != 0, "a corrupted module loaded");
    free(bytes);
    FAILS(STRAIT_ERROR_KIND_LINK, load(service, "records_pure", "artifacts/records/records_pure.wasm", 1));
    still_works(service);

    /* Unknown module and function, bad JSON, arguments that do not fit. */
    int kind;
    CHECK(!call(service, "nomod", "greeting", "[\"x\"]", &kind) && kind == STRAIT_ERROR_KIND_NO_SUCH_MODULE, "unknown module: kind %d", kind);
    CHECK(!call(service, "greeting", "greting", "[\"x\"]", &kind) && kind == STRAIT_ERROR_KIND_NO_SUCH_FUNCTION, "unknown function: kind %d", kind);
    CHECK(!call(service, "greeting", "allocate", "[1]", &kind) && kind == STRAIT_ERROR_KIND_NO_SUCH_FUNCTION, "ABI export: kind %d", kind);
    CHECK(!call(service, "greeting", "greeting", "[\"x\"", &kind) && kind == STRAIT_ERROR_KIND_JSON_ARGUMENTS, "bad JSON: kind %d", kind);
    CHECK(!call(service, "greeting", "greeting", "[1]", &kind) && kind == STRAIT_ERROR_KIND_JSON_ARGUMENTS, "wrong type: kind %d", kind);
    CHECK(!call(service, "greeting", "greeting", "[\"a\", \"b\"]", &kind) && kind == STRAIT_ERROR_KIND_JSON_ARGUMENTS, "two arguments: kind %d", kind);
    still_works(service);

    /* What C can get wrong: NULL, bad UTF-8, impossible lengths, small buffers. */
    char *out = NULL;
    size_t out_len = 0;
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(NULL, "greeting", "greeting", "[]", 2, &out, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(service, NULL, "greeting", "[]", 2, &out, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(service, "greeting", "\xff\xfe", "[]", 2, &out, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(service, "greeting", "greeting", "[\"\xc3\x28\"]", 6, &out, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(service, "greeting", "greeting", NULL, 5, &out, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(service, "greeting", "greeting", "[]", SIZE_MAX, &out, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json_owned(service, "greeting", "greeting", "[\"x\"]", 5, NULL, &out_len));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call_json(service, "greeting", "greeting", "[\"x\"]", 5, NULL, 0, NULL));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_load_module(service, "x", NULL, 10, NULL));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_load_module(service, NULL, (const uint8_t *)"\0asm", 4, NULL));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_unload_module(service, NULL));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_new(NULL, NULL));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_interface_json(service, NULL));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_memory_stats(NULL, &(strait_memory_stats){0}));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_module_settings_add_env(NULL, "A", "1"));
    strait_module_settings *settings = strait_module_settings_new();
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_module_settings_add_env(settings, "A=B", "1"));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_module_settings_add_env(settings, "", "1"));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_module_settings_add_env(settings, "A", NULL));
    strait_module_settings_free(settings);
    CHECK(strait_error_get_kind(NULL) == STRAIT_ERROR_KIND_INVALID_ARGUMENT, "kind of NULL");
    CHECK(!strcmp(strait_error_get_message(NULL), ""), "message of NULL");
    strait_error_free(NULL);
    strait_service_free(NULL);
    strait_string_free(NULL);
    strait_module_settings_free(NULL);
    strait_options bad = strait_options_default();
    bad.engine = 77;
    strait_service *none = (strait_service *)1;
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_new(&bad, &none));
    CHECK(none == NULL, "a failed create leaves NULL");

    char small[8];
    FAILS(STRAIT_ERROR_KIND_BUFFER_TOO_SMALL, strait_service_call_json(service, "greeting", "greeting", "[\"World\"]", 9, small, sizeof small, &out_len));
    CHECK(out_len == strlen("\"Hi, World\""), "needed length %zu", out_len);
    char big[64];
    OK(strait_service_result_json(service, big, sizeof big, &out_len));
    CHECK(!strcmp(big, "\"Hi, World\"") && out_len == 11, "kept result %s", big);
    OK(strait_service_call_json(service, "greeting", "greeting", "\"bare\"", 6, big, sizeof big, &out_len));
    CHECK(!strcmp(big, "\"Hi, bare\""), "bare argument: %s", big);
    OK(strait_service_call_json(service, "greeting", "greeting", "{\"name\": \"named\"}", 17, big, sizeof big, &out_len));
    CHECK(!strcmp(big, "\"Hi, named\""), "named argument: %s", big);

    /* Typed values. */
    const strait_value *results = NULL;
    size_t nresults = 0;
    strait_value name = {.kind = STRAIT_VALUE_KIND_STRING, .data = (const uint8_t *)"typed", .len = 5};
    OK(strait_service_call(service, "greeting", "greeting", &name, 1, &results, &nresults));
    CHECK(nresults == 1 && results[0].kind == STRAIT_VALUE_KIND_STRING && results[0].len == 9 && !memcmp(results[0].data, "Hi, typed", 9), "typed greeting");
    strait_value number = {.kind = STRAIT_VALUE_KIND_U32, .u = 5};
    CHECK(kind_of(strait_service_call(service, "greeting", "greeting", &number, 1, &results, &nresults), "typed wrong kind") != 0, "a u32 for a string was accepted");
    strait_value unknown = {.kind = 77};
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call(service, "greeting", "greeting", &unknown, 1, &results, &nresults));
    strait_value wide = {.kind = STRAIT_VALUE_KIND_S8, .i = 300};
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call(service, "greeting", "greeting", &wide, 1, &results, &nresults));
    strait_value not_bool = {.kind = STRAIT_VALUE_KIND_BOOL, .u = 2};
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call(service, "greeting", "greeting", &not_bool, 1, &results, &nresults));
    strait_value bad_utf8 = {.kind = STRAIT_VALUE_KIND_STRING, .data = (const uint8_t *)"\xff", .len = 1};
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call(service, "greeting", "greeting", &bad_utf8, 1, &results, &nresults));
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call(service, "greeting", "greeting", NULL, 1, &results, &nresults));
    still_works(service);

    /* A module larger than the budget allows (8 MiB string, 10 MiB limit), then unload. */
    size_t big_len = 8u << 20;
    char *huge = malloc(big_len + 5);
    memcpy(huge, "[\"", 2);
    memset(huge + 2, 'a', big_len);
    memcpy(huge + 2 + big_len, "\"]", 3);
    FAILS(STRAIT_ERROR_KIND_MEMORY_LIMIT, strait_service_call_json_owned(service, "greeting", "greeting", huge, big_len + 4, &out, &out_len));
    strait_memory_stats stats = {0};
    OK(strait_service_memory_stats(service, &stats));
    CHECK(stats.modules == 1 && stats.total_bytes >= 17 * 65536 && stats.allocation_rejects > 0, "stats after the refusal: %zu modules, %llu bytes, %zu rejects", stats.modules, (unsigned long long)stats.total_bytes, stats.allocation_rejects);
    still_works(service);
    uint64_t module_bytes = 0;
    OK(strait_service_module_memory(service, "greeting", &module_bytes));
    CHECK(module_bytes >= 17 * 65536, "greeting's memory: %llu", (unsigned long long)module_bytes);
    FAILS(STRAIT_ERROR_KIND_NO_SUCH_MODULE, strait_service_module_memory(service, "nomod", &module_bytes));
    OK(strait_service_unload_module(service, "greeting"));
    CHECK(!call(service, "greeting", "greeting", "[\"x\"]", &kind) && kind == STRAIT_ERROR_KIND_NO_SUCH_MODULE, "call after unload: kind %d", kind);
    FAILS(STRAIT_ERROR_KIND_NO_SUCH_MODULE, strait_service_unload_module(service, "greeting"));
    OK(load(service, "greeting", "artifacts/greeting/greeting.wasm", 0));
    still_works(service);

    /* A trap (the module panics), then a typed call returning a record (not a typed value). */
    OK(load(service, "failing", "artifacts/failing/failing.wasm", 0));
    CHECK(!call(service, "failing", "failing", "[]", &kind) && kind == STRAIT_ERROR_KIND_TRAP, "trap: kind %d", kind);
    still_works(service);
    OK(load(service, "records_effector", "artifacts/records/records_effector.wasm", 1));
    OK(load(service, "records_pure", "artifacts/records/records_pure.wasm", 1));
    FAILS(STRAIT_ERROR_KIND_UNSUPPORTED, strait_service_call(service, "records_pure", "invoke", NULL, 0, &results, &nresults));
    still_works(service);
    strait_service_free(service);

    free(huge);

    /* Fuel: an endless loop uses up the fuel of its call; the next call gets fuel again.
     * Unbounded recursion exhausts the stack: a trap. Typed values at the edges of their
     * ranges cross the adapters intact. */
    service = new_service(engine, 0, 1000000);
    OK(strait_service_load_module(service, "edge", EDGE_WASM, sizeof EDGE_WASM, NULL));
    OK(load(service, "greeting", "artifacts/greeting/greeting.wasm", 0));
    CHECK(!call(service, "edge", "spin", "[]", &kind) && kind == STRAIT_ERROR_KIND_OUT_OF_FUEL, "spin with fuel: kind %d", kind);
    still_works(service);
    CHECK(!call(service, "edge", "recurse", "[0]", &kind) && kind == STRAIT_ERROR_KIND_TRAP, "recursion: kind %d", kind);
    CHECK(!call(service, "edge", "boom", "[]", &kind) && kind == STRAIT_ERROR_KIND_TRAP, "boom: kind %d", kind);
    strait_value top = {.kind = STRAIT_VALUE_KIND_U32, .u = UINT32_MAX};
    OK(strait_service_call(service, "edge", "echo_u32", &top, 1, &results, &nresults));
    CHECK(nresults == 1 && results[0].kind == STRAIT_VALUE_KIND_U32 && results[0].u == UINT32_MAX, "echo_u32(u32::MAX)");
    strait_value top64 = {.kind = STRAIT_VALUE_KIND_U64, .u = UINT64_MAX};
    OK(strait_service_call(service, "edge", "echo_u64", &top64, 1, &results, &nresults));
    CHECK(nresults == 1 && results[0].kind == STRAIT_VALUE_KIND_U64 && results[0].u == UINT64_MAX, "echo_u64(u64::MAX)");
    strait_value over = {.kind = STRAIT_VALUE_KIND_U32, .u = (uint64_t)UINT32_MAX + 1};
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_call(service, "edge", "echo_u32", &over, 1, &results, &nresults));
    expect_result(service, "edge", "echo_u64", "[18446744073709551615]", "18446744073709551615");
    FAILS(STRAIT_ERROR_KIND_OUT_OF_FUEL, strait_service_call(service, "edge", "spin", NULL, 0, &results, &nresults));
    still_works(service);
    strait_service_free(service);

    /* A budget below the module's initial memory (17 pages): the load fails. */
    service = new_service(engine, 1u << 20, 0);
    FAILS(STRAIT_ERROR_KIND_MEMORY_LIMIT, load(service, "greeting", "artifacts/greeting/greeting.wasm", 0));
    strait_service_free(service);

    /* Deadlines are Wasmtime's; wasmi refuses them when the service is created. */
    if (engine == STRAIT_ENGINE_WASMI) {
        strait_options options = strait_options_default();
        options.engine = engine;
        options.deadline_ms = 100;
        strait_service *refused = NULL;
        FAILS(STRAIT_ERROR_KIND_CONFIG, strait_service_new(&options, &refused));
    }
    printf("  error paths: done\n");
}

/* ---- host functions --------------------------------------------------------------------- */

typedef struct counter {
    int calls;
    int freed;
    int fail;
    int wrong_kind;
} counter;

static strait_error *count_bytes(void *user_data, const strait_value *args, size_t nargs, strait_value *result) {
    counter *c = user_data;
    c->calls++;
    if (c->fail) return strait_error_new("the counter is broken");
    if (nargs != 1 || args[0].kind != STRAIT_VALUE_KIND_BYTE_ARRAY) return strait_error_new("expected one byte array");
    result->kind = c->wrong_kind ? STRAIT_VALUE_KIND_STRING : STRAIT_VALUE_KIND_U64;
    result->u = args[0].len;
    return NULL;
}

static void release(void *user_data) { ((counter *)user_data)->freed++; }

static void host_functions(uint32_t engine) {
    counter c = {0, 0, 0, 0};
    strait_service *service = new_service(engine, 0, 0);
    uint32_t params[] = {STRAIT_VALUE_KIND_BYTE_ARRAY};
    uint32_t result = STRAIT_VALUE_KIND_U64;
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_register_host_function(service, "host", "count", params, 1, &result, NULL, &c, release));
    uint32_t bad_kind = 99;
    FAILS(STRAIT_ERROR_KIND_INVALID_ARGUMENT, strait_service_register_host_function(service, "host", "count", &bad_kind, 1, &result, count_bytes, &c, release));
    CHECK(c.freed == 0, "a failed registration released user_data");

    /* The wrong type first: the module imports count(byte_array) -> u64. */
    uint32_t wrong_param[] = {STRAIT_VALUE_KIND_S64};
    OK(strait_service_register_host_function(service, "host", "count", wrong_param, 1, &result, count_bytes, &c, NULL));
    CHECK(kind_of(strait_service_load_module(service, "host", HOST_WASM, sizeof HOST_WASM, NULL), "host with a mismatched import") != 0, "a mismatched host import loaded");

    OK(strait_service_register_host_function(service, "host", "count", params, 1, &result, count_bytes, &c, release));
    OK(strait_service_load_module(service, "host", HOST_WASM, sizeof HOST_WASM, NULL));
    strait_value bytes = {.kind = STRAIT_VALUE_KIND_BYTE_ARRAY, .data = (const uint8_t *)"\1\2\3", .len = 3};
    const strait_value *results = NULL;
    size_t nresults = 0;
    OK(strait_service_call(service, "host", "count_bytes", &bytes, 1, &results, &nresults));
    CHECK(nresults == 1 && results[0].kind == STRAIT_VALUE_KIND_U64 && results[0].u == 3, "count_bytes typed");
    expect_result(service, "host", "count_bytes", "[[1,2,3,4]]", "4");
    CHECK(c.calls == 2, "callback calls: %d", c.calls);

    c.fail = 1;
    int kind;
    char *out = call(service, "host", "count_bytes", "[[1]]", &kind);
    CHECK(!out && kind == STRAIT_ERROR_KIND_HOST_FUNCTION, "failing callback: kind %d", kind);
    c.fail = 0;
    c.wrong_kind = 1;
    out = call(service, "host", "count_bytes", "[[1]]", &kind);
    CHECK(!out && kind == STRAIT_ERROR_KIND_HOST_FUNCTION, "callback result of the wrong kind: kind %d", kind);
    c.wrong_kind = 0;
    expect_result(service, "host", "count_bytes", "[[]]", "0");

    /* Loaded modules keep the function; it is released when the service goes. */
    CHECK(c.freed == 0, "released too early");
    strait_service_free(service);
    CHECK(c.freed == 1, "user_data released %d times", c.freed);
    printf("  host functions: done\n");
}

/* ---- the build's own limits ------------------------------------------------------------- */

static void build_specific(void) {
    strait_service *service = NULL;
    strait_options options = strait_options_default();
#ifdef STRAIT_TEST_NO_STD
    options.engine = STRAIT_ENGINE_WASMTIME;
    FAILS(STRAIT_ERROR_KIND_UNSUPPORTED, strait_service_new(&options, &service));
    FAILS(STRAIT_ERROR_KIND_UNSUPPORTED, strait_service_from_config("Config.toml", NULL, &service));
    strait_module_settings *settings = strait_module_settings_new();
    FAILS(STRAIT_ERROR_KIND_UNSUPPORTED, strait_module_settings_add_mapped_dir(settings, "a", "/tmp"));
    strait_module_settings_free(settings);
    OK(strait_service_new(NULL, &service));
    CHECK(!strcmp(strait_service_engine(service), "wasmi"), "default engine %s", strait_service_engine(service));
#else
    OK(strait_service_new(&options, &service));
    CHECK(!strcmp(strait_service_engine(service), "wasmtime"), "default engine %s", strait_service_engine(service));
    strait_service *missing = NULL;
    FAILS(STRAIT_ERROR_KIND_CONFIG, strait_service_from_config("/nonexistent/Config.toml", NULL, &missing));
#endif
    strait_service_free(service);
    CHECK(!strcmp(strait_version(), "0.1.0"), "version %s", strait_version());
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SHARED_DIR [WORK_DIR]\n", argv[0]);
        return 2;
    }
    shared = argv[1];
    work = argc > 2 ? argv[2] : "/tmp";
#ifdef STRAIT_TEST_NO_STD
    static const uint32_t engines[] = {STRAIT_ENGINE_WASMI};
    const char *build = "no_std";
#else
    static const uint32_t engines[] = {STRAIT_ENGINE_WASMI, STRAIT_ENGINE_WASMTIME};
    const char *build = "std";
#endif
    build_specific();
    for (size_t i = 0; i < sizeof engines / sizeof *engines; i++) {
        printf("%s build, %s:\n", build, engine_name(engines[i]));
        golden_scenarios(engines[i]);
        url_downloader(engines[i]);
        error_paths(engines[i]);
        host_functions(engines[i]);
    }
#ifdef STRAIT_TEST_NO_STD
    arena_stats stats = arena_get_stats();
    printf("arena: %zu bytes live at the end, peak %zu, high water %zu of %zu\n", stats.in_use, stats.peak, stats.high_water, stats.capacity);
    CHECK(stats.in_use == 0, "%zu bytes leaked", stats.in_use);
#endif
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
