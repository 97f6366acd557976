/* Marine's greeting from C: hello PATH/TO/greeting.wasm  ->  "Hi, World" */
#include <stdio.h>
#include <stdlib.h>
#include "strait.h"

static int failed(strait_error *error) {
    if (!error) return 0;
    fprintf(stderr, "error %d: %s\n", (int)strait_error_get_kind(error), strait_error_get_message(error));
    strait_error_free(error);
    return 1;
}

int main(int argc, char **argv) {
    static unsigned char wasm[1 << 20];
    FILE *file = argc > 1 ? fopen(argv[1], "rb") : NULL;
    size_t len = file ? fread(wasm, 1, sizeof wasm, file) : 0;
    if (file) fclose(file);

    strait_options options = strait_options_default();
    options.engine = STRAIT_ENGINE_WASMI;  /* the interpreter: every build has it */
    options.memory_limit = 16 << 20;       /* all modules' memory together */
    options.fuel_per_call = 100000000;     /* a call that runs away stops */
    strait_service *service = NULL;
    if (failed(strait_service_new(&options, &service))) return 1;
    char out[256];
    size_t out_len;
    int status = failed(strait_service_load_module(service, "greeting", wasm, len, NULL)) ||
                 failed(strait_service_call_json(service, "greeting", "greeting", "[\"World\"]", 9,
                                                 out, sizeof out, &out_len));
    if (!status) printf("%s\n", out);
    strait_service_free(service);
    return status;
}
