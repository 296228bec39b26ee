/* vm_uinput_test.c: Stipple's live input path against a real kernel input device. Runs as
 * a static program inside the VM that tests/test_input_vm.sh boots (see build-vm.sh).
 *
 * For each recording in the manifest ("events-path|desc-path-or-empty" per line):
 *  1. plays it through the recording source (evemu_source_open) -> pen samples A;
 *  2. creates a uinput device with the recording's capabilities (name, ids, properties,
 *     event codes, absinfo), opens it with Stipple's live reader (evdev_source_open on the
 *     /dev/input/eventN libevdev_uinput_get_devnode names) and, independently, with a bare
 *     libevdev reader; writes the recording's events into the device frame by frame (time
 *     compressed: no sleeping), draining both readers after every SYN_REPORT -> samples B;
 *  3. checks that A and B are the same samples: same count, and per sample the same x, y,
 *     pressure, tilt, distance and flags (times differ: the kernel stamps uinput events as
 *     they are written; B's times are only checked to be non-decreasing), and that both
 *     sources describe the device alike;
 *  4. overflow: on a fresh device, writes the recording up to a late frame where the pen is
 *     down (else in proximity, else the end) without reading, so the kernel's per-client
 *     buffer (128-256 events for these devices) overflows and it queues SYN_DROPPED; then
 *     drains. When the bare reader sees the drop, the live source must report it
 *     (SEV_SYN_DROPPED); and after its resynchronisation from the device its pen state must
 *     be the recording's sample for that frame. (Mid-stroke, because Wacom's driver zeroes
 *     every axis on leaving proximity: the end state of those recordings is all zeros.)
 * Prints "STIPPLE-VM: PASS <n> samples" or "STIPPLE-VM: FAIL <what>" on stdout (the
 * console); exit 0 on PASS.
 *
 * The uinput device gets fuzz 0 on every axis: the recordings were made after the kernel's
 * fuzz filter (input_defuzz_abs_event), and filtering them a second time would change
 * values. EV_REP (kernel autorepeat would add events of its own) and EV_FF are not copied. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>

#include "evdev_source.h"
#include "evemu.h"
#include "evemu_source.h"
#include "input_source.h"

#define MAX_REPORTED_DIFFS 5

typedef struct samples {
    pen_sample *v;
    size_t n, cap;
    size_t other[16];   /* count of non-pen events by kind */
} samples;

static void samples_add(samples *s, const session_event *ev)
{
    if (ev->kind != SEV_PEN) {
        s->other[(unsigned)ev->kind < 16 ? (unsigned)ev->kind : 0]++;
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) {
            printf("STIPPLE-VM: FAIL out of memory\n");
            exit(1);
        }
    }
    s->v[s->n++] = ev->u.pen;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Moves everything the source has now into s. Returns the number of events moved. */
static size_t drain(input_source *src, samples *s, input_status *status)
{
    session_event buf[256];
    size_t total = 0;
    for (;;) {
        size_t n = src->poll(src, INT64_MAX, buf, sizeof buf / sizeof buf[0], status);
        for (size_t i = 0; i < n; i++)
            samples_add(s, &buf[i]);
        total += n;
        if (n < sizeof buf / sizeof buf[0] || *status != INPUT_OK)
            return total;
    }
}

/* The bare libevdev reader: counts what the kernel delivers, as a cross-check that does
 * not involve Stipple's reader. */
typedef struct raw_reader {
    int fd;
    struct libevdev *dev;
    size_t events, frames, dropped;
} raw_reader;

static void raw_drain(raw_reader *r)
{
    struct input_event ev;
    unsigned int flag = LIBEVDEV_READ_FLAG_NORMAL;
    for (;;) {
        int rc = libevdev_next_event(r->dev, flag, &ev);
        if (rc == LIBEVDEV_READ_STATUS_SYNC) {
            if (flag == LIBEVDEV_READ_FLAG_NORMAL)
                r->dropped++;   /* the SYN_DROPPED; then libevdev's sync delta follows */
            flag = LIBEVDEV_READ_FLAG_SYNC;
            continue;
        }
        if (rc != LIBEVDEV_READ_STATUS_SUCCESS) {
            if (flag == LIBEVDEV_READ_FLAG_SYNC && rc == -EAGAIN) {
                flag = LIBEVDEV_READ_FLAG_NORMAL;
                continue;
            }
            return;
        }
        r->events++;
        if (ev.type == EV_SYN && ev.code == SYN_REPORT)
            r->frames++;
    }
}

static struct libevdev *device_from_recording(const evemu_recording *rec, char *err, size_t errlen)
{
    struct libevdev *d = libevdev_new();
    if (!d) {
        snprintf(err, errlen, "libevdev_new failed");
        return NULL;
    }
    libevdev_set_name(d, rec->name);
    libevdev_set_id_bustype(d, rec->bustype);
    libevdev_set_id_vendor(d, rec->vendor);
    libevdev_set_id_product(d, rec->product);
    libevdev_set_id_version(d, rec->version);
    for (unsigned p = 0; p <= INPUT_PROP_MAX; p++)
        if ((rec->props[p / 8] >> (p % 8)) & 1)
            libevdev_enable_property(d, p);
    for (unsigned type = 1; type < EV_CNT; type++) {
        if (type == EV_REP || type == EV_FF)
            continue;
        int max = libevdev_event_type_get_max(type);
        if (max < 0)
            continue;
        for (unsigned code = 0; code <= (unsigned)max; code++) {
            if (!evemu_has(rec, type, code))
                continue;
            int rc;
            if (type == EV_ABS) {
                const evemu_absinfo *a = &rec->abs[code];
                struct input_absinfo ai = {.value = 0, .minimum = a->min, .maximum = a->max,
                                           .fuzz = 0, .flat = a->flat, .resolution = a->resolution};
                rc = libevdev_enable_event_code(d, type, code, &ai);
            } else {
                rc = libevdev_enable_event_code(d, type, code, NULL);
            }
            if (rc != 0) {
                snprintf(err, errlen, "cannot enable %s %s", libevdev_event_type_get_name(type),
                         libevdev_event_code_get_name(type, code) ? libevdev_event_code_get_name(type, code) : "?");
                libevdev_free(d);
                return NULL;
            }
        }
    }
    return d;
}

static int same_axis(const device_axis *a, const device_axis *b)
{
    return a->min == b->min && a->max == b->max && a->resolution == b->resolution;
}

/* "" when alike, else what differs. */
static void compare_desc(const device_desc *a, const device_desc *b, char *what, size_t len)
{
    what[0] = '\0';
    if (strcmp(a->name, b->name) != 0)
        snprintf(what, len, "name '%s' vs '%s'", a->name, b->name);
    else if (a->bustype != b->bustype || a->vendor != b->vendor || a->product != b->product)
        snprintf(what, len, "ids %04x:%04x:%04x vs %04x:%04x:%04x", a->bustype, a->vendor, a->product, b->bustype,
                 b->vendor, b->product);
    else if (a->device_class != b->device_class)
        snprintf(what, len, "class %u vs %u", a->device_class, b->device_class);
    else if (a->axes != b->axes)
        snprintf(what, len, "axes 0x%x vs 0x%x", a->axes, b->axes);
    else if (!same_axis(&a->x, &b->x) || !same_axis(&a->y, &b->y) || !same_axis(&a->pressure, &b->pressure) ||
             !same_axis(&a->tilt_x, &b->tilt_x) || !same_axis(&a->tilt_y, &b->tilt_y) ||
             !same_axis(&a->distance, &b->distance))
        snprintf(what, len, "axis ranges differ");
}

static int same_sample(const pen_sample *a, const pen_sample *b)
{
    return a->x == b->x && a->y == b->y && a->pressure == b->pressure && a->tilt_x == b->tilt_x &&
           a->tilt_y == b->tilt_y && a->distance == b->distance && a->flags == b->flags;
}

static void print_sample(const char *who, size_t i, const pen_sample *s)
{
    printf("STIPPLE-VM:   %s[%zu] x %" PRId32 " y %" PRId32 " p %" PRId32 " tilt %" PRId32 ",%" PRId32
           " dist %" PRId32 " flags 0x%" PRIx32 "\n",
           who, i, s->x, s->y, s->pressure, s->tilt_x, s->tilt_y, s->distance, s->flags);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Opens the bare reader and the live source on a new uinput device for rec. 0 or -1 (printed). */
static int open_device(const char *name, const evemu_recording *rec, struct libevdev **dev,
                       struct libevdev_uinput **ui, raw_reader *raw, input_source **ls)
{
    char err[512] = "";
    *dev = device_from_recording(rec, err, sizeof err);
    if (!*dev) {
        printf("STIPPLE-VM: FAIL %s: %s\n", name, err);
        return -1;
    }
    int rc = libevdev_uinput_create_from_device(*dev, LIBEVDEV_UINPUT_OPEN_MANAGED, ui);
    if (rc != 0) {
        printf("STIPPLE-VM: FAIL %s: libevdev_uinput_create_from_device: %s\n", name, strerror(-rc));
        return -1;
    }
    const char *node = libevdev_uinput_get_devnode(*ui);
    if (!node) {
        printf("STIPPLE-VM: FAIL %s: no devnode for the uinput device\n", name);
        return -1;
    }
    /* devtmpfs creates the node as the device registers; give it a moment if needed */
    for (int i = 0; i < 100 && access(node, R_OK) != 0; i++)
        sleep_ms(10);
    raw->fd = open(node, O_RDONLY | O_NONBLOCK);
    if (raw->fd < 0 || libevdev_new_from_fd(raw->fd, &raw->dev) != 0) {
        printf("STIPPLE-VM: FAIL %s: bare libevdev cannot open %s: %s\n", name, node, strerror(errno));
        return -1;
    }
    *ls = evdev_source_open(node, 0, err, sizeof err);
    if (!*ls) {
        printf("STIPPLE-VM: FAIL %s: evdev_source_open(%s): %s\n", name, node, err);
        return -1;
    }
    return 0;
}

static void close_device(struct libevdev *dev, struct libevdev_uinput *ui, raw_reader *raw, input_source *ls)
{
    input_source_close(ls);
    if (raw->dev)
        libevdev_free(raw->dev);
    if (raw->fd >= 0)
        close(raw->fd);
    if (ui)
        libevdev_uinput_destroy(ui);
    if (dev)
        libevdev_free(dev);
}

/* Step 4. a: the recording source's samples (one per SYN_REPORT). 0 or -1. */
static int overflow_check(const char *name, const evemu_recording *rec, const samples *a)
{
    /* the frame to stop after: the last one with the pen down, else in proximity, else the last */
    size_t k = a->n - 1;
    for (int want = 0; want < 2; want++) {
        uint32_t flag = want == 0 ? PEN_TOUCH : PEN_IN_PROXIMITY;
        size_t i = a->n;
        while (i > 0 && !(a->v[i - 1].flags & flag))
            i--;
        if (i > 0) {
            k = i - 1;
            break;
        }
    }
    const pen_sample *end_state = &a->v[k];
    size_t stop = rec->event_count, reports = 0;   /* events [0, stop) are written */
    for (size_t i = 0; i < rec->event_count; i++)
        if (rec->events[i].type == EV_SYN && rec->events[i].code == SYN_REPORT && reports++ == k) {
            stop = i + 1;
            break;
        }
    if (stop == rec->event_count && k != a->n - 1) {
        printf("STIPPLE-VM: FAIL %s (overflow): sample %zu has no SYN_REPORT of its own\n", name, k);
        return -1;
    }
    struct libevdev *dev = NULL;
    struct libevdev_uinput *ui = NULL;
    raw_reader raw = {.fd = -1};
    input_source *ls = NULL;
    samples b = {0};
    int result = -1;
    if (open_device(name, rec, &dev, &ui, &raw, &ls) != 0)
        goto out;
    for (size_t i = 0; i < stop; i++) {
        const struct input_event *ev = &rec->events[i];
        if (ev->type == EV_SYN && ev->code != SYN_REPORT)
            continue;
        int rc = libevdev_uinput_write_event(ui, ev->type, ev->code, ev->value);
        if (rc != 0) {
            printf("STIPPLE-VM: FAIL %s (overflow): writing event %zu: %s\n", name, i, strerror(-rc));
            goto out;
        }
    }
    input_status st = INPUT_OK;
    for (int idle = 0, i = 0; idle < 5 && i < 200; i++) {
        size_t n = drain(ls, &b, &st);
        raw_drain(&raw);
        idle = n ? 0 : idle + 1;
        sleep_ms(2);
    }
    const evdev_pen *pen = evdev_source_pen(ls);
    printf("STIPPLE-VM: %s (overflow): %zu events up to sample %zu (flags 0x%" PRIx32 ") written unread;"
           " bare libevdev saw %zu SYN_DROPPED%s; live: %zu SYN_DROPPED events, %zu samples\n",
           name, stop, k, end_state->flags, raw.dropped, raw.dropped ? "" : " (no overflow: nothing to resync)",
           b.other[SEV_SYN_DROPPED], b.n);
    if (st != INPUT_OK) {
        printf("STIPPLE-VM: FAIL %s (overflow): live source status %d\n", name, (int)st);
        goto out;
    }
    if (raw.dropped > 0 && b.other[SEV_SYN_DROPPED] == 0) {
        printf("STIPPLE-VM: FAIL %s (overflow): the kernel dropped events but the live source reported no SYN_DROPPED\n",
               name);
        goto out;
    }
    if (!pen) {
        printf("STIPPLE-VM: FAIL %s (overflow): evdev_source_pen gives NULL\n", name);
        goto out;
    }
    if (!same_sample(&pen->state, end_state)) {
        printf("STIPPLE-VM: FAIL %s (overflow): after the resync the live state is not the recording's sample %zu\n",
               name, k);
        print_sample("recording", k, end_state);
        print_sample("live state", k, &pen->state);
        goto out;
    }
    result = 0;
out:
    close_device(dev, ui, &raw, ls);
    free(b.v);
    return result;
}

/* Returns the number of samples compared (> 0) or -1 (the reason is printed). */
static long run_one(const char *events_path, const char *desc_path)
{
    const char *name = base_name(events_path);
    char err[512] = "";
    long result = -1;
    evemu_recording rec;
    memset(&rec, 0, sizeof rec);
    samples a = {0}, b = {0};
    input_source *rs = NULL, *ls = NULL;
    struct libevdev *dev = NULL;
    struct libevdev_uinput *ui = NULL;
    raw_reader raw = {.fd = -1};

    if (evemu_load(events_path, desc_path, &rec, err, sizeof err) != 0) {
        printf("STIPPLE-VM: FAIL %s: evemu_load: %s\n", name, err);
        return -1;
    }

    /* 1. the recording path */
    rs = evemu_source_open(events_path, desc_path, 0, err, sizeof err);
    if (!rs) {
        printf("STIPPLE-VM: FAIL %s: evemu_source_open: %s\n", name, err);
        goto out;
    }
    input_status st = INPUT_OK;
    for (int guard = 0; st == INPUT_OK && guard < 1000000; guard++)
        if (drain(rs, &a, &st) == 0 && st == INPUT_OK) {
            printf("STIPPLE-VM: FAIL %s: recording source returned nothing but not INPUT_END\n", name);
            goto out;
        }
    if (st != INPUT_END) {
        printf("STIPPLE-VM: FAIL %s: recording source ended with status %d\n", name, (int)st);
        goto out;
    }

    /* 2. the live path: a uinput device with the recording's capabilities */
    if (open_device(name, &rec, &dev, &ui, &raw, &ls) != 0)
        goto out;

    char what[256];
    compare_desc(&rs->desc, &ls->desc, what, sizeof what);
    if (what[0]) {
        printf("STIPPLE-VM: FAIL %s: the sources describe the device differently: %s\n", name, what);
        goto out;
    }

    size_t written = 0, skipped = 0;
    for (size_t i = 0; i < rec.event_count; i++) {
        const struct input_event *ev = &rec.events[i];
        if (ev->type == EV_SYN && ev->code != SYN_REPORT) {
            skipped++;   /* SYN_DROPPED and the like are the kernel's to make */
            continue;
        }
        int rc = libevdev_uinput_write_event(ui, ev->type, ev->code, ev->value);
        if (rc != 0) {
            printf("STIPPLE-VM: FAIL %s: writing event %zu: %s\n", name, i, strerror(-rc));
            goto out;
        }
        written++;
        if (ev->type == EV_SYN && ev->code == SYN_REPORT) {
            drain(ls, &b, &st);
            raw_drain(&raw);
            if (st != INPUT_OK) {
                printf("STIPPLE-VM: FAIL %s: live source status %d after event %zu\n", name, (int)st, i);
                goto out;
            }
        }
    }
    /* whatever is still on its way */
    for (int idle = 0, i = 0; idle < 5 && i < 200; i++) {
        sleep_ms(2);
        size_t n = drain(ls, &b, &st);
        raw_drain(&raw);
        idle = n ? 0 : idle + 1;
    }

    printf("STIPPLE-VM: %s: %zu events written (%zu skipped), bare libevdev read %zu events / %zu frames"
           " (%zu SYN_DROPPED), recording %zu samples, live %zu samples\n",
           name, written, skipped, raw.events, raw.frames, raw.dropped, a.n, b.n);

    /* 3. compare */
    int bad = 0;
    if (b.other[SEV_SYN_DROPPED] || b.other[SEV_PAUSE]) {
        printf("STIPPLE-VM: FAIL %s: live source gave %zu SYN_DROPPED and %zu PAUSE events\n", name,
               b.other[SEV_SYN_DROPPED], b.other[SEV_PAUSE]);
        bad = 1;
    }
    if (a.n != b.n) {
        printf("STIPPLE-VM: FAIL %s: %zu samples from the recording, %zu from the live device\n", name, a.n, b.n);
        bad = 1;
    }
    size_t m = a.n < b.n ? a.n : b.n, diffs = 0;
    for (size_t i = 0; i < m; i++) {
        if (!same_sample(&a.v[i], &b.v[i])) {
            if (diffs < MAX_REPORTED_DIFFS) {
                printf("STIPPLE-VM: FAIL %s: sample %zu differs\n", name, i);
                print_sample("recording", i, &a.v[i]);
                print_sample("live", i, &b.v[i]);
            }
            diffs++;
        }
        if (i > 0 && b.v[i].t_us < b.v[i - 1].t_us && diffs++ < MAX_REPORTED_DIFFS)
            printf("STIPPLE-VM: FAIL %s: live sample %zu goes back in time\n", name, i);
    }
    if (diffs) {
        printf("STIPPLE-VM: FAIL %s: %zu of %zu samples differ\n", name, diffs, m);
        bad = 1;
    }
    if (a.n == 0) {
        printf("STIPPLE-VM: FAIL %s: no samples at all\n", name);
        bad = 1;
    }
    close_device(dev, ui, &raw, ls);
    dev = NULL, ui = NULL, ls = NULL, raw.dev = NULL, raw.fd = -1;

    /* 4. overflow and resynchronisation */
    if (!bad && overflow_check(name, &rec, &a) != 0)
        bad = 1;
    if (!bad)
        result = (long)a.n;

out:
    close_device(dev, ui, &raw, ls);
    input_source_close(rs);
    evemu_free(&rec);
    free(a.v);
    free(b.v);
    return result;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        printf("STIPPLE-VM: FAIL usage: vm_uinput_test MANIFEST\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        printf("STIPPLE-VM: FAIL cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    char line[4096];
    long total = 0;
    int recordings = 0, failed = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *bar = strchr(line, '|');
        const char *desc = NULL;
        if (bar) {
            *bar = '\0';
            if (bar[1])
                desc = bar + 1;
        }
        recordings++;
        long n = run_one(line, desc);
        if (n < 0) {
            failed++;
        } else {
            total += n;
            printf("STIPPLE-VM: ok %s: %ld samples alike\n", base_name(line), n);
        }
    }
    fclose(f);
    if (recordings == 0) {
        printf("STIPPLE-VM: FAIL no recordings in %s\n", argv[1]);
        return 1;
    }
    if (failed) {
        printf("STIPPLE-VM: FAIL %d of %d recordings\n", failed, recordings);
        return 1;
    }
    printf("STIPPLE-VM: PASS %ld samples (%d recordings)\n", total, recordings);
    return 0;
}
