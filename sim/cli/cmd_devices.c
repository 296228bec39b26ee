/* cmd_devices.c: `stipple devices` (what Stipple makes of each /dev/input device, and why
 * one cannot be opened), `stipple devices test FILE` (what Stipple reads from a recording)
 * and `stipple calibrate` (the guided pressure exercise, or its analysis on a recording).
 * libwacom is optional: it is loaded at run time when present, only for model names. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libevdev/libevdev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calibration.h"
#include "cli.h"
#include "device_profile.h"
#include "evdev_source.h"
#include "evemu.h"
#include "evemu_source.h"

#define DEFAULT_PROFILE_DIR STIPPLE_SOURCE_DIR "/assets/devices"

/* ---- libwacom, when installed (dlopen: no build dependency) ---------------------------- */

typedef void *(*wacom_db_new_fn)(void);
typedef void (*wacom_db_destroy_fn)(void *);
typedef void *(*wacom_from_usbid_fn)(void *, int, int, void *);
typedef const char *(*wacom_get_name_fn)(const void *);
typedef void (*wacom_destroy_fn)(void *);

/* Model name from libwacom's database for a USB vendor:product, or NULL. */
static const char *libwacom_model(uint16_t bustype, uint16_t vendor, uint16_t product, char *buf, size_t cap)
{
    static void *lib, *db;
    static int tried;
    static wacom_from_usbid_fn from_usbid;
    static wacom_get_name_fn get_name;
    static wacom_destroy_fn destroy;
    if (bustype != BUS_USB)
        return NULL;
    if (!tried) {
        tried = 1;
        lib = dlopen("libwacom.so.9", RTLD_NOW | RTLD_LOCAL);
        if (!lib)
            lib = dlopen("libwacom.so", RTLD_NOW | RTLD_LOCAL);
        if (lib) {
            wacom_db_new_fn db_new;
            *(void **)&db_new = dlsym(lib, "libwacom_database_new");
            *(void **)&from_usbid = dlsym(lib, "libwacom_new_from_usbid");
            *(void **)&get_name = dlsym(lib, "libwacom_get_name");
            *(void **)&destroy = dlsym(lib, "libwacom_destroy");
            db = (db_new && from_usbid && get_name && destroy) ? db_new() : NULL;
        }
    }
    if (!db)
        return NULL;
    void *dev = from_usbid(db, vendor, product, NULL);
    if (!dev)
        return NULL;
    const char *n = get_name(dev);
    snprintf(buf, cap, "%s", n ? n : "");
    destroy(dev);
    return buf[0] ? buf : NULL;
}

/* ---- describing a device ------------------------------------------------------------- */

static const char *bus_name(uint16_t bus)
{
    switch (bus) {
    case BUS_USB: return "usb";
    case BUS_BLUETOOTH: return "bluetooth";
    case BUS_I2C: return "i2c";
    case BUS_VIRTUAL: return "virtual";
    case BUS_I8042: return "ps/2";
    default: return "bus";
    }
}

/* is_tilt: 0 = length (units/mm), 1 = angle (units/rad), 2 = device-specific */
static void print_axis(const char *label, const device_caps *c, unsigned code, int is_tilt)
{
    if (!c->abs_present[code])
        return;
    const device_axis *a = &c->abs[code];
    printf("      %-9s %d..%d", label, a->min, a->max);
    if (a->resolution > 0) {
        if (is_tilt == 1)
            printf("  (%d units/rad)", a->resolution);
        else if (is_tilt == 2)
            printf("  (resolution %d)", a->resolution);   /* meaning depends on the device */
        else
            printf("  (%.1f mm, %d units/mm)", ((double)a->max - a->min) / a->resolution, a->resolution);
    }
    printf("\n");
}

static void print_caps(const device_caps *c, const device_profile *prof)
{
    char model[128];
    const char *m = libwacom_model(c->desc.bustype, c->desc.vendor, c->desc.product, model, sizeof model);
    uint32_t cls = c->desc.device_class;
    if (prof && prof->device_class >= 0)
        cls = (uint32_t)prof->device_class;
    printf("    class:    %s\n", device_class_name(cls));
    printf("    id:       %s %04x:%04x version %04x\n", bus_name(c->desc.bustype), c->desc.vendor, c->desc.product,
           c->desc.version);
    if (m)
        printf("    libwacom: %s\n", m);
    if (c->uniq[0])
        printf("    serial:   %s\n", c->uniq);
    printf("    profile:  %s\n", prof ? prof->name : "(none: default evdev map)");
    printf("    axes:\n");
    print_axis("x", c, ABS_X, 0);
    print_axis("y", c, ABS_Y, 0);
    print_axis("pressure", c, ABS_PRESSURE, 0);
    print_axis("tilt_x", c, ABS_TILT_X, 1);
    print_axis("tilt_y", c, ABS_TILT_Y, 1);
    print_axis("distance", c, ABS_DISTANCE, 0);
    print_axis("z", c, ABS_Z, 2);
    printf("    buttons: ");
    int any = 0;
    for (unsigned k = BTN_MISC; k < KEY_CNT; k++) {
        if (!device_caps_has(c, EV_KEY, k))
            continue;
        const char *n = libevdev_event_code_get_name(EV_KEY, k);
        printf(" %s", n ? n : "?");
        any = 1;
    }
    printf("%s\n", any ? "" : " none");
    if (c->has_ff)
        printf("    force feedback: yes\n");
}

static int load_profile_for(const char *explicit_path, int none, const device_caps *caps, device_profile *out)
{
    char err[512];
    if (none)
        return 0;
    if (explicit_path) {
        if (device_profile_load(explicit_path, out, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
        return 1;
    }
    int rc = device_profile_find(device_profile_dir(DEFAULT_PROFILE_DIR), caps, out, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "%s\n", err);
    return rc;
}

/* ---- stipple devices ------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);   /* event2 before event10 */
}

static int list_devices(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            printf("%s does not exist on this machine: the kernel exposes no input devices here (a container or a VM "
                   "without evdev).\nNothing to list. Recordings still work: stipple devices test FILE.evemu\n", dir);
        else
            printf("%s: cannot read: %s\n", dir, strerror(errno));
        return 0;
    }
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512)
        if (strncmp(e->d_name, "event", 5) == 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    if (n == 0)
        printf("%s holds no event devices.\n", dir);
    int denied = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        free(names[i]);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int er = errno;
            printf("%s: cannot open: %s\n", path, strerror(er));
            if (er == EACCES)
                denied = 1;
            continue;
        }
        device_caps caps;
        int rc = evdev_caps_from_fd(fd, &caps);
        close(fd);
        if (rc < 0) {
            printf("%s: not an evdev device: %s\n", path, strerror(-rc));
            continue;
        }
        device_profile prof;
        int have = load_profile_for(NULL, 0, &caps, &prof);
        printf("%s: %s\n", path, caps.desc.name);
        print_caps(&caps, have > 0 ? &prof : NULL);
    }
    if (denied)
        printf("\nSome devices could not be opened (permission denied). Either join the 'input' group:\n"
               "    sudo usermod -aG input $USER      (then log out and in again)\n"
               "or install Stipple's udev rule, which gives the logged-in user access to tablets only:\n"
               "    sudo cp assets/udev/70-stipple.rules /etc/udev/rules.d/ && sudo udevadm control --reload"
               " && sudo udevadm trigger\n");
    return 0;
}

static json_t *range_json(int have, int32_t lo, int32_t hi)
{
    return have ? json_pack("{s:i, s:i}", "min", (json_int_t)lo, "max", (json_int_t)hi) : json_null();
}

enum { OPT_JSON = CLI_LONG, OPT_DESC, OPT_PROFILE, OPT_NO_PROFILE, OPT_RECORDING, OPT_DRY_RUN };

static const cli_option devices_test_options[] = {
    { OPT_DESC, "desc", "FILE", "the device description (when the recording has none)" },
    { OPT_PROFILE, "profile", "FILE", "read the device through this profile instead of the matching one" },
    { OPT_NO_PROFILE, "no-profile", NULL, "read the device without any profile" },
    { OPT_JSON, "json", NULL, "the findings as JSON" },
    { 0 }
};

static int run_devices_test(const cli_command *cmd, int argc, char **argv)
{
    const char *file = NULL, *desc = NULL, *profile = NULL;
    int as_json = 0, no_profile = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: as_json = 1; break;
        case OPT_DESC: desc = a.value; break;
        case OPT_PROFILE: profile = a.value; break;
        case OPT_NO_PROFILE: no_profile = 1; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos != 1)
        return cli_usage_error(cmd, a.npos ? "one recording at a time" : "name a recording (.events)");
    file = a.pos[0];
    char err[512];
    evemu_recording r;
    if (evemu_load(file, desc, &r, err, sizeof err) != 0) {
        fprintf(stderr, "stipple devices test: %s\n", err);
        return 1;
    }
    device_caps caps;
    device_caps_from_evemu(&r, &caps);
    device_profile prof;
    int have = load_profile_for(profile, no_profile, &caps, &prof);
    if (have < 0) {
        evemu_free(&r);
        return 1;
    }
    evemu_stats st;
    if (evemu_stats_compute(&r, have ? &prof : NULL, &st) != 0) {
        evemu_free(&r);
        fprintf(stderr, "stipple devices test: out of memory\n");
        return 1;
    }
    if (as_json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:f, s:f}",
                              "file", file, "device", st.desc.name, "class", device_class_name(st.desc.device_class),
                              "profile", have ? prof.name : "",
                              "events", (json_int_t)st.events, "frames", (json_int_t)st.frames,
                              "proximity_in", (json_int_t)st.proximity_in, "proximity_out", (json_int_t)st.proximity_out,
                              "contacts", (json_int_t)st.contacts, "eraser_frames", (json_int_t)st.eraser_frames,
                              "machine_events", (json_int_t)st.machine_events, "syn_dropped", (json_int_t)st.syn_dropped,
                              "pressure", range_json(st.have_pressure, st.pressure_min, st.pressure_max),
                              "tilt_x", range_json(st.have_tilt_x, st.tilt_x_min, st.tilt_x_max),
                              "tilt_y", range_json(st.have_tilt_y, st.tilt_y_min, st.tilt_y_max),
                              "needle_depth", range_json(st.have_depth, st.depth_min, st.depth_max),
                              "report_rate_hz", st.report_rate_hz, "duration_s", (double)st.duration_us / 1e6);
        char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(o);
    } else {
        printf("%s: %s\n", file, st.desc.name);
        print_caps(&caps, have ? &prof : NULL);
        printf("  read through the pen handler:\n");
        printf("    events %zu, frames (SYN_REPORT) %zu, %.2f s\n", st.events, st.frames, (double)st.duration_us / 1e6);
        printf("    proximity in %zu, out %zu; contacts (touch down) %zu\n", st.proximity_in, st.proximity_out,
               st.contacts);
        if (st.have_pressure)
            printf("    pressure seen %d..%d\n", st.pressure_min, st.pressure_max);
        if (st.have_tilt_x || st.have_tilt_y)
            printf("    tilt seen x %d..%d, y %d..%d\n", st.tilt_x_min, st.tilt_x_max, st.tilt_y_min, st.tilt_y_max);
        if (st.have_depth)
            printf("    needle depth seen %d..%d\n", st.depth_min, st.depth_max);
        if (st.eraser_frames)
            printf("    eraser frames %zu\n", st.eraser_frames);
        if (st.machine_events)
            printf("    machine on/off events %zu\n", st.machine_events);
        printf("    report rate %.1f Hz (median), dropped frames (SYN_DROPPED) %zu\n", st.report_rate_hz,
               st.syn_dropped);
    }
    evemu_free(&r);
    return 0;
}

static int run_devices(const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;)
        return cli_args_exit(k);
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s' (stipple devices test FILE reads a recording)", a.pos[0]);
    const char *dir = getenv("STIPPLE_INPUT_DIR");
    return list_devices(dir && *dir ? dir : "/dev/input");
}

const cli_command cli_cmd_devices = {
    "devices", "", "list input devices and what Stipple makes of them", NULL, run_devices,
    "A pen must be readable by the user: join the `input` group or install assets/udev/70-stipple.rules.\n"
};

const cli_command cli_cmd_devices_test = {
    "devices test", "FILE", "show what Stipple reads from a device recording (evemu .events)",
    devices_test_options, run_devices_test, NULL
};

/* ---- stipple calibrate ------------------------------------------------------------------ */

static void print_calibration(const calibration_result *r, const device_desc *d, int as_json)
{
    if (as_json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "device", d->name,
                              "contacts", (json_int_t)r->contacts, "light", (json_int_t)r->light, "firm",
                              (json_int_t)r->firm, "light_peak_median", r->light_peak_median, "onset_median",
                              r->onset_median, "firm_peak_median", r->firm_peak_median, "firm_peak_max",
                              r->firm_peak_max, "activation", (double)r->cal.activation, "saturation",
                              (double)r->cal.saturation, "gamma", (double)r->cal.gamma, "travel_at_full_mm",
                              (double)r->cal.travel_at_full_mm);
        char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(o);
        return;
    }
    printf("%s: %zu contacts (%zu light taps, %zu firm presses)\n", d->name, r->contacts, r->light, r->firm);
    printf("  light taps: median peak %.3f, onset %.3f (normalised pressure)\n", r->light_peak_median, r->onset_median);
    printf("  firm presses: median peak %.3f, max %.3f\n", r->firm_peak_median, r->firm_peak_max);
    printf("  calibration: activation %.4f, saturation %.4f, gamma %.3f, %.2f mm at full force\n",
           (double)r->cal.activation, (double)r->cal.saturation, (double)r->cal.gamma, (double)r->cal.travel_at_full_mm);
}

/* Reads pen events from a live source until `want` more contacts have ended, or timeout. */
static int gather(input_source *s, session_event **buf, size_t *n, size_t *cap, size_t want, int64_t timeout_us)
{
    size_t ended = 0;
    int down = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t el = (int64_t)(now.tv_sec - t0.tv_sec) * 1000000 + (now.tv_nsec - t0.tv_nsec) / 1000;
        if (el > timeout_us)
            return -1;
        if (*n + 256 > *cap) {
            size_t nc = *cap ? *cap * 2 : 4096;
            session_event *nb = realloc(*buf, nc * sizeof *nb);
            if (!nb)
                return -1;
            *buf = nb;
            *cap = nc;
        }
        input_status st;
        size_t got = s->poll(s, INT64_MAX, *buf + *n, 256, &st);
        for (size_t i = 0; i < got; i++) {
            const session_event *e = &(*buf)[*n + i];
            if (e->kind != SEV_PEN)
                continue;
            int d = e->u.pen.pressure > s->desc.pressure.min;
            if (down && !d) {
                ended++;
                printf("  %zu\n", ended);
                fflush(stdout);
            }
            down = d;
        }
        *n += got;
        if (st == INPUT_UNPLUGGED || st == INPUT_ERROR) {
            fprintf(stderr, "stipple calibrate: the device went away\n");
            return -1;
        }
        if (ended >= want && !down)
            return 0;
        struct timespec nap = { 0, 5 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
}

static const cli_option calibrate_options[] = {
    { OPT_RECORDING, "recording", "FILE", "analyse a recorded exercise (evemu .events) instead of a live pen" },
    { OPT_DESC, "desc", "FILE", "the device description of the recording" },
    { OPT_PROFILE, "profile", "FILE", "the device profile to read it through" },
    { OPT_JSON, "json", NULL, "the result as JSON" },
    { OPT_DRY_RUN, "dry-run", NULL, "measure, but do not save the calibration" },
    { 0 }
};

static int run_calibrate(const cli_command *cmd, int argc, char **argv)
{
    const char *device = NULL, *recording = NULL, *desc = NULL, *profile = NULL;
    int as_json = 0, dry_run = 0;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_RECORDING: recording = a.value; break;
        case OPT_DESC: desc = a.value; break;
        case OPT_PROFILE: profile = a.value; break;
        case OPT_JSON: as_json = 1; break;
        case OPT_DRY_RUN: dry_run = 1; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos > 1)
        return cli_usage_error(cmd, "one device at a time");
    device = a.npos ? a.pos[0] : NULL;
    if (!device && !recording)
        return cli_usage_error(cmd, "name a device (/dev/input/eventN; stipple devices lists them) or --recording FILE");
    char err[512];
    session_event *ev = NULL;
    size_t n = 0, cap = 0;
    input_source *src = NULL;
    device_profile prof;
    int have = 0;
    if (recording) {
        evemu_recording r;
        if (evemu_load(recording, desc, &r, err, sizeof err) != 0) {
            fprintf(stderr, "stipple calibrate: %s\n", err);
            return 1;
        }
        device_caps caps;
        device_caps_from_evemu(&r, &caps);
        have = load_profile_for(profile, 0, &caps, &prof);
        if (have >= 0)
            src = evemu_source_from_recording(&r, have ? &prof : NULL, 0, err, sizeof err);
        evemu_free(&r);
        if (!src) {
            if (have >= 0)
                fprintf(stderr, "stipple calibrate: %s\n", err);
            return 1;
        }
        input_status st = INPUT_OK;
        while (st == INPUT_OK) {
            if (n + 1024 > cap) {
                cap = cap ? cap * 2 : 8192;
                session_event *nb = realloc(ev, cap * sizeof *nb);
                if (!nb) {
                    free(ev);
                    input_source_close(src);
                    fprintf(stderr, "stipple calibrate: out of memory\n");
                    return 1;
                }
                ev = nb;
            }
            n += src->poll(src, INT64_MAX, ev + n, 1024, &st);
        }
    } else {
        int fd = open(device, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        device_caps caps;
        if (fd < 0 || evdev_caps_from_fd(fd, &caps) != 0) {
            int er = errno;
            if (fd >= 0)
                close(fd);
            fprintf(stderr, "stipple calibrate: %s: %s%s\n", device, strerror(er),
                    er == EACCES ? " (join the 'input' group or install assets/udev/70-stipple.rules)" : "");
            return 1;
        }
        close(fd);
        have = load_profile_for(profile, 0, &caps, &prof);
        if (have < 0)
            return 1;
        src = evdev_source_open_profile(device, have ? &prof : NULL, 0, NULL, err, sizeof err);
        if (!src) {
            fprintf(stderr, "stipple calibrate: %s\n", err);
            return 1;
        }
        printf("Calibrating %s.\n\nStep 1: tap the pen lightly on the tablet %d times, as lightly as you would for "
               "the faintest dot.\n", src->name, CALIBRATION_LIGHT_TAPS);
        if (gather(src, &ev, &n, &cap, CALIBRATION_LIGHT_TAPS, 120000000) != 0) {
            fprintf(stderr, "stipple calibrate: no %d taps within 2 minutes\n", CALIBRATION_LIGHT_TAPS);
            free(ev);
            input_source_close(src);
            return 1;
        }
        printf("\nStep 2: now press %d times as hard as you would for a deep dot.\n", CALIBRATION_FIRM_PRESSES);
        if (gather(src, &ev, &n, &cap, CALIBRATION_FIRM_PRESSES, 120000000) != 0) {
            fprintf(stderr, "stipple calibrate: no %d presses within 2 minutes\n", CALIBRATION_FIRM_PRESSES);
            free(ev);
            input_source_close(src);
            return 1;
        }
    }
    const evdev_pen *pen = input_source_pen(src);
    uint32_t serial = pen ? pen->serial : 0;
    device_desc d = src->desc;
    input_source_close(src);
    calibration_result res;
    int rc = calibration_analyse(ev, n, &d, &res, err, sizeof err);
    free(ev);
    if (rc != 0) {
        fprintf(stderr, "stipple calibrate: %s\n", err);
        return 1;
    }
    print_calibration(&res, &d, as_json);
    if (!dry_run) {
        char path[1024];
        if (calibration_save(&d, serial, &res.cal, err, sizeof err) != 0) {
            fprintf(stderr, "stipple calibrate: %s\n", err);
            return 1;
        }
        if (calibration_path(&d, serial, path, sizeof path) == 0 && !as_json)
            printf("saved %s\n", path);
    }
    return 0;
}

const cli_command cli_cmd_calibrate = {
    "calibrate", "[DEVICE]", "measure a pen's pressure curve (saved per device and stylus)", calibrate_options,
    run_calibrate,
    "stipple calibrate /dev/input/eventN runs the guided exercise on a live pen.\n"
    "The calibration is saved per device and tool under $XDG_CONFIG_HOME/stipple/calibration/\n"
    "(unless --dry-run).\n"
};
