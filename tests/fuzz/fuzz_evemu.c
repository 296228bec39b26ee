/* fuzz_evemu.c: libFuzzer target for the evemu parser and the pen handler behind it. Any
 * input must either parse (and then play through evdev_pen and describe itself) or fail
 * with a "name:line: " message; never crash, leak or read out of bounds.
 * Seeds: tests/fuzz/corpus/fuzz_evemu/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evdev_pen.h"
#include "evemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    evemu_recording r;
    char err[256];
    err[0] = '\0';
    if (evemu_parse((const char *)data, size, "fuzz.events", &r, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.events:", 12) != 0)
            abort();
        return 0;
    }
    device_desc d;
    evemu_to_device_desc(&r, &d);
    if (d.name[sizeof d.name - 1] != '\0')
        abort();
    evdev_pen p;
    evdev_pen_init(&p, &d, 0);
    session_event ev;
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < r.event_count; i++) {
        if (evdev_pen_feed(&p, &r.events[i], &ev)) {
            if (ev.t_us < last)
                abort();   /* session time never goes backwards */
            last = ev.t_us;
        }
    }
    for (unsigned t = 0; t < EV_CNT + 2; t++)
        (void)evemu_has(&r, t, KEY_MAX + 5);
    evemu_free(&r);
    return 0;
}
