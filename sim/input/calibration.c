/* calibration.c: measuring and storing per-device pressure calibrations (see calibration.h
 * for the rules). Pure computation plus small JSON files; never exits on bad input. */
#include "calibration.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "xdg.h"

typedef struct contact {
    double onset, peak;
} contact;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int calibration_analyse(const session_event *events, size_t n, const device_desc *dev, calibration_result *out,
                        char *err, size_t errlen)
{
    if (!(dev->pressure.max > dev->pressure.min)) {
        snprintf(err, errlen, "the device reports no pressure axis: nothing to calibrate");
        return -1;
    }
    contact *c = NULL;
    size_t nc = 0, cap = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        if (events[i].kind != SEV_PEN)
            continue;
        const pen_sample *s = &events[i].u.pen;
        int down = s->pressure > dev->pressure.min && !(s->flags & PEN_ERASER);
        double p = pen_pressure_norm(dev, s->pressure);
        if (down && !in) {
            if (nc == cap) {
                cap = cap ? cap * 2 : 32;
                contact *nc2 = realloc(c, cap * sizeof *c);
                if (!nc2) {
                    free(c);
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
                c = nc2;
            }
            c[nc++] = (contact){ p, p };
        } else if (down && p > c[nc - 1].peak) {
            c[nc - 1].peak = p;
        }
        in = down;
    }
    if (nc < 3) {
        free(c);
        snprintf(err, errlen, "found %zu pen contacts; the exercise needs %d light taps and %d firm presses", nc,
                 CALIBRATION_LIGHT_TAPS, CALIBRATION_FIRM_PRESSES);
        return -1;
    }
    /* two-means on the peaks: light taps vs firm presses */
    double lo = c[0].peak, hi = c[0].peak;
    for (size_t i = 1; i < nc; i++) {
        lo = fmin(lo, c[i].peak);
        hi = fmax(hi, c[i].peak);
    }
    double split = 0.5 * (lo + hi);
    for (int it = 0; it < 50; it++) {
        double sl = 0, sh = 0;
        size_t kl = 0, kh = 0;
        for (size_t i = 0; i < nc; i++) {
            if (c[i].peak <= split) {
                sl += c[i].peak;
                kl++;
            } else {
                sh += c[i].peak;
                kh++;
            }
        }
        if (!kl || !kh)
            break;
        double ns = 0.5 * (sl / (double)kl + sh / (double)kh);
        if (ns == split)
            break;
        split = ns;
    }
    double *light = malloc(nc * sizeof *light), *onset = malloc(nc * sizeof *onset), *firm = malloc(nc * sizeof *firm);
    if (!light || !onset || !firm) {
        free(c);
        free(light);
        free(onset);
        free(firm);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t nl = 0, nf = 0;
    double firm_max = 0.0;
    for (size_t i = 0; i < nc; i++) {
        if (c[i].peak <= split) {
            light[nl] = c[i].peak;
            onset[nl++] = c[i].onset;
        } else {
            firm[nf++] = c[i].peak;
            firm_max = fmax(firm_max, c[i].peak);
        }
    }
    free(c);
    int rc = 0;
    if (nl < 2 || nf < 1 || hi - lo < 0.05) {
        snprintf(err, errlen, "found %zu light taps and %zu firm presses (peaks %.3f-%.3f): tap lightly %d times, "
                 "then press firmly %d times", nl, nf, lo, hi, CALIBRATION_LIGHT_TAPS, CALIBRATION_FIRM_PRESSES);
        rc = -1;
    } else {
        calibration_result r;
        memset(&r, 0, sizeof r);
        r.contacts = nc;
        r.light = nl;
        r.firm = nf;
        r.light_peak_median = median(light, nl);
        r.onset_median = median(onset, nl);
        r.firm_peak_median = median(firm, nf);
        r.firm_peak_max = firm_max;
        pen_calibration_default(&r.cal);
        double act = fmin(r.onset_median, 0.5 * r.light_peak_median);
        if (act < 0.002)
            act = 0.002;
        /* two anchors: the median light tap gives the shallow end of the band, the median
         * firm press the deep end; gamma from their ratio, saturation from the firm anchor */
        double xl = r.light_peak_median - act, xf = r.firm_peak_median - act;
        double full = (double)r.cal.travel_at_full_mm;
        double g = 1.0;
        if (xl > 0.0 && xf > xl)
            g = log(CALIBRATION_NOMINAL_DEEP_MM / CALIBRATION_NOMINAL_LIGHT_MM) / log(xf / xl);
        g = fmax(0.2, fmin(5.0, g));
        double sat = act + xf / pow(CALIBRATION_NOMINAL_DEEP_MM / full, 1.0 / g);
        if (sat > CALIBRATION_MAX_SATURATION)
            sat = CALIBRATION_MAX_SATURATION;
        r.cal.activation = (float)act;
        r.cal.saturation = (float)sat;
        r.cal.gamma = (float)g;
        *out = r;
    }
    free(light);
    free(onset);
    free(firm);
    return rc;
}

/* ---- storage -------------------------------------------------------------------------- */

int calibration_dir(char *out, size_t outlen)
{
    return xdg_stipple_path(XDG_CONFIG, "calibration", out, outlen) == 0 ? 0 : -1;
}

int calibration_path(const device_desc *dev, uint32_t tool_serial, char *out, size_t outlen)
{
    char dir[512], name[96];
    if (calibration_dir(dir, sizeof dir) != 0)
        return -1;
    size_t j = 0;
    for (const char *p = dev->name; *p && j + 1 < sizeof name; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
        name[j++] = ok ? ch : '_';
    }
    name[j] = '\0';
    int k = snprintf(out, outlen, "%s/%04x-%04x-%s-%08x.json", dir, dev->vendor, dev->product, name[0] ? name : "pen",
                     tool_serial);
    return k > 0 && (size_t)k < outlen ? 0 : -1;
}

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int calibration_save(const device_desc *dev, uint32_t tool_serial, const pen_calibration *cal, char *err,
                     size_t errlen)
{
    char path[1024], dir[1024];
    if (calibration_path(dev, tool_serial, path, sizeof path) != 0 || calibration_dir(dir, sizeof dir) != 0) {
        snprintf(err, errlen, "no calibration folder: set XDG_CONFIG_HOME or HOME");
        return -1;
    }
    if (mkdirs(dir) != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char ids[16];
    snprintf(ids, sizeof ids, "%04x:%04x", dev->vendor, dev->product);
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:f, s:f, s:f, s:f}", "format", "stipple-calibration/1", "device",
                          dev->name, "id", ids, "tool_serial", (json_int_t)tool_serial, "activation",
                          (double)cal->activation, "saturation", (double)cal->saturation, "gamma", (double)cal->gamma,
                          "travel_at_full_mm", (double)cal->travel_at_full_mm);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_dump_file(o, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(o);
    if (rc != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* A pen that reports its tool serial only once it comes into proximity (Wacom) is opened
 * with serial 0: then the newest calibration saved for this tablet with any stylus is the
 * one meant (ties go to the first name). 1 and the path when one exists. */
static int newest_for_device(const char *serial0_path, char *out, size_t outlen)
{
    const char *slash = strrchr(serial0_path, '/');
    if (!slash)
        return 0;
    char dir[1024];
    size_t dlen = (size_t)(slash - serial0_path);
    if (dlen >= sizeof dir)
        return 0;
    memcpy(dir, serial0_path, dlen);
    dir[dlen] = '\0';
    const char *base = slash + 1;
    size_t plen = strlen(base);
    if (plen < 13)   /* "-00000000.json" */
        return 0;
    plen -= 13;      /* the prefix before the serial: "vvvv-pppp-name-" */
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    struct dirent *de;
    time_t best_t = 0;
    int found = 0;
    while ((de = readdir(dp)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n != plen + 13 || strncmp(de->d_name, base, plen) != 0 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char full[1024];
        struct stat st;
        int k = snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        if (k < 0 || (size_t)k >= sizeof full || (size_t)k >= outlen || stat(full, &st) != 0)
            continue;
        if (!found || st.st_mtime > best_t || (st.st_mtime == best_t && strcmp(full, out) < 0)) {
            memcpy(out, full, (size_t)k + 1);
            best_t = st.st_mtime;
            found = 1;
        }
    }
    closedir(dp);
    return found;
}

int calibration_load(const device_desc *dev, uint32_t tool_serial, pen_calibration *cal, char *err, size_t errlen)
{
    char path[1024];
    if (calibration_path(dev, tool_serial, path, sizeof path) != 0)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f && tool_serial == 0) {
        char other[1024];
        if (newest_for_device(path, other, sizeof other)) {
            snprintf(path, sizeof path, "%s", other);
            f = fopen(path, "rb");
        }
    }
    if (!f)
        return 0;
    fclose(f);
    json_error_t je;
    json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return -1;
    }
    double act, sat, gam, full;
    const char *fmt = NULL;
    int rc = json_unpack_ex(o, &je, 0, "{s:s, s:F, s:F, s:F, s:F}", "format", &fmt, "activation", &act, "saturation",
                            &sat, "gamma", &gam, "travel_at_full_mm", &full);
    if (rc != 0 || strcmp(fmt, "stipple-calibration/1") != 0 || !(act >= 0.0 && act < sat && sat <= CALIBRATION_MAX_SATURATION) ||
        !(gam >= 0.05 && gam <= 20.0) || !(full > 0.0 && full <= 5.0)) {
        snprintf(err, errlen, "%s:1:1: not a valid stipple-calibration/1 file (%s)", path,
                 rc != 0 ? je.text : "values out of range: need 0 <= activation < saturation <= 4, gamma 0.05-20");
        json_decref(o);
        return -1;
    }
    json_decref(o);
    cal->activation = (float)act;
    cal->saturation = (float)sat;
    cal->gamma = (float)gam;
    cal->travel_at_full_mm = (float)full;
    return 1;
}
