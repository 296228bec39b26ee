/* fuzz_annotations.c: libFuzzer target for the notes sidecar's parser (annotations.h). Any
 * input must parse (and then write itself out and parse back to the same notes) or fail with
 * a message that names the file; never crash, leak or read out of bounds.
 * Seeds: tests/fuzz/corpus/fuzz_annotations/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    annotations a;
    char err[512];
    err[0] = '\0';
    if (annotations_parse((const char *)data, size, "fuzz.notes.json", &a, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.notes.json", 15) != 0)
            abort();
        return 0;
    }
    char *js = annotations_json(&a);
    if (js) {
        annotations b;
        if (annotations_parse(js, strlen(js), "again", &b, err, sizeof err) != 0 || b.count != a.count ||
            memcmp(a.session_hash, b.session_hash, 32) != 0)
            abort();
        for (size_t i = 0; i < a.count; i++)
            if (a.notes[i].kind != b.notes[i].kind || strcmp(a.notes[i].text, b.notes[i].text) != 0)
                abort();
        annotations_free(&b);
        free(js);
    }
    annotations_free(&a);
    return 0;
}
