/* bench_sign.c: the cost of signing and verifying sessions (see bench_sign.h). */
#include "bench_sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session_verify.h"
#include "sign.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Writes `copies` back-to-back copies of the events into memory, as a recording would
 * (a tick after each event). Returns the bytes (free them) or NULL; *cpu the writer's CPU
 * time. */
static uint8_t *write_copies(const session_header *h, const station_key *k, const session_event *ev, size_t n,
                             int64_t end_us, int copies, size_t *len, double *cpu)
{
    char *mem = NULL;
    size_t ml = 0;
    FILE *f = open_memstream(&mem, &ml);
    if (!f)
        return NULL;
    char err[256];
    double t0 = cpu_s();
    session_writer *w = k ? session_writer_open_stream_signed(f, h, k, err, sizeof err)
                          : session_writer_open_stream(f, h, err, sizeof err);
    int bad = !w;
    for (int c = 0; c < copies && !bad; c++) {
        int64_t shift = (int64_t)c * end_us;
        for (size_t i = 0; i < n && !bad; i++) {
            session_event e = ev[i];
            e.t_us += shift;
            if (e.kind == SEV_PEN)
                e.u.pen.t_us += shift;
            bad = session_writer_add(w, &e) != 0 || session_writer_tick(w, e.t_us) != 0;
        }
    }
    bad |= session_writer_close(w, end_us * copies) != 0;
    *cpu = cpu_s() - t0;
    fclose(f);
    if (bad) {
        free(mem);
        return NULL;
    }
    *len = ml;
    return (uint8_t *)mem;
}

int bench_signing(const session_header *h, const session_event *ev, size_t n, int64_t end_us, int quick)
{
    station_key key;
    if (sign_keypair_new(&key) != 0) {
        fprintf(stderr, "bench: no random source for a key\n");
        return 1;
    }
    size_t pens = 0;
    for (size_t i = 0; i < n; i++)
        pens += ev[i].kind == SEV_PEN;
    int runs = quick ? 3 : 5;
    double cu[9], cs[9];
    size_t lu = 0, ls = 0;
    for (int r = 0; r < runs; r++) {
        uint8_t *u = write_copies(h, NULL, ev, n, end_us, 1, &lu, &cu[r]);
        uint8_t *s = write_copies(h, &key, ev, n, end_us, 1, &ls, &cs[r]);
        free(u);
        free(s);
        if (!u || !s) {
            fprintf(stderr, "bench: writing the session failed\n");
            return 1;
        }
    }
    double mu = median(cu, runs), ms = median(cs, runs);
    double minutes = (double)end_us / 60e6;
    printf("sign: %.1f min of session, %zu pen samples: %.2f bytes per pen sample signed (%.2f unsigned; target <= 8)\n",
           minutes, pens, (double)ls / (double)pens, (double)lu / (double)pens);
    printf("sign: the writer's CPU time %.3f s signed, %.3f s unsigned (median of %d): signing is %.1f %% of "
           "recording's writing, %.4f %% of one core over the session (target < 5 %%)\n",
           ms, mu, runs, ms > 0 ? 100.0 * (ms - mu) / ms : 0.0, 100.0 * (ms - mu) / ((double)end_us / 1e6));

    /* A 4-hour session: these events back to back (once an hour of them when quick). */
    int copies = (int)((4.0 * 3600e6) / (double)end_us + 0.5);
    if (copies < 1)
        copies = 1;
    size_t l4 = 0;
    double c4;
    uint8_t *b4 = write_copies(h, &key, ev, n, end_us, copies, &l4, &c4);
    if (!b4) {
        fprintf(stderr, "bench: writing the 4-hour session failed\n");
        return 1;
    }
    station_set known = { NULL, 0 };
    station_public me;
    memset(&me, 0, sizeof me);
    memcpy(me.public_key, key.public_key, sizeof me.public_key);
    memcpy(me.station_id, key.station_id, sizeof me.station_id);
    station_set_add(&known, &me);
    session_verification *v = malloc(sizeof *v);
    double tv[9];
    int status = -1;
    for (int r = 0; r < runs && v; r++) {
        double t0 = wall_s();
        session_verify_mem(b4, l4, &known, v);
        tv[r] = wall_s() - t0;
        status = v->status;
    }
    if (v)
        printf("verify: %.1f h of session (%zu bytes, %zu checkpoints) verified in %.3f s (median of %d; "
               "target < 0.2 s for 4 h): %s\n", (double)end_us * copies / 3600e6, l4, v->checkpoints,
               median(tv, runs), runs, verify_status_name(status));
    free(v);
    free(b4);
    station_set_free(&known);
    memset(&key, 0, sizeof key);
    return status == VERIFY_OK ? 0 : 1;
}
