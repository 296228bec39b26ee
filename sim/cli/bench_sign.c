/* bench_sign.c: the cost of signing and verifying sessions (see bench_sign.h). */
#include "bench_sign.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* ---- signing's share of the whole app's recording CPU ------------------------------------ */

static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec
           + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Runs this program with argv (output to /dev/null, XDG_CONFIG_HOME=config so the station
 * key is a throwaway one); its CPU seconds (user + system, every thread) or -1; *status its
 * exit status. */
static double child_cpu_s(char *const argv[], const char *config, int *status)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1.0;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        setenv("XDG_CONFIG_HOME", config, 1);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    int st = 0;
    double before = children_cpu_s();
    if (waitpid(pid, &st, 0) != pid)
        return -1.0;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return children_cpu_s() - before;   /* the waited-for child's, every thread */
}

static void remove_tree(const char *dir)
{
    char cmd[4200];
    /* a folder this bench made under /tmp, and nothing else */
    if (strncmp(dir, "/tmp/stipple-signbench-", 23) == 0 && !strchr(dir, '\''))
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    else
        return;
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
}

int bench_signing_app(const char *lessons_dir, double seconds)
{
    char dir[] = "/tmp/stipple-signbench-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench: cannot make a temporary folder\n");
        return 1;
    }
    char lesson[4200], in[4200], out[4200], out0[4200], cfg[4200], secs[32];
    snprintf(lesson, sizeof lesson, "%s/01-spacing-drill.json", lessons_dir);
    snprintf(in, sizeof in, "%s/expert.stp", dir);
    snprintf(out, sizeof out, "%s/recorded.stp", dir);
    snprintf(out0, sizeof out0, "%s/start-only.stp", dir);
    snprintf(cfg, sizeof cfg, "%s/config", dir);
    snprintf(secs, sizeof secs, "%.3f", seconds);
    int rc = 1, st = 0;
    char *sim[] = { "stipple", "simulate", "--lesson", lesson, "--trainee", "expert", "--seed", "1", "-o", in, NULL };
    char *rec[] = { "stipple", "practice", "--lessons", (char *)lessons_dir, "--input-file", in, "--trainee", "bench",
                    "--exit-after", secs, "-o", out, NULL };
    char *start[] = { "stipple", "practice", "--lessons", (char *)lessons_dir, "--input-file", in, "--trainee",
                      "bench", "--exit-after", "0", "-o", out0, NULL };
    if (child_cpu_s(sim, cfg, &st) < 0 || st != 0) {
        fprintf(stderr, "bench: could not simulate the drill (%s)\n", lesson);
        goto done;
    }
    double c_start = child_cpu_s(start, cfg, &st);
    if (st == 3) {
        printf("sign (app): no display for the practice app; signing's share of its recording not measured\n");
        rc = 0;
        goto done;
    }
    double c_rec = child_cpu_s(rec, cfg, &st);
    if (c_start < 0 || c_rec < 0 || st != 0) {
        fprintf(stderr, "bench: the practice app failed (status %d)\n", st);
        goto done;
    }
    session_data d;
    char err[256];
    if (session_load_file(out, &d, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s: %s\n", out, err);
        goto done;
    }
    station_key key;
    if (sign_keypair_new(&key) != 0) {
        session_data_free(&d);
        goto done;
    }
    enum { RUNS = 7 };
    double cu[RUNS], cs[RUNS];
    size_t l = 0;
    int bad = 0;
    for (int r = 0; r < RUNS && !bad; r++) {
        free(write_copies(&d.header, NULL, d.events, d.event_count, d.end_t_us, 1, &l, &cu[r]));
        uint8_t *b = write_copies(&d.header, &key, d.events, d.event_count, d.end_t_us, 1, &l, &cs[r]);
        bad = !b;
        free(b);
    }
    memset(&key, 0, sizeof key);
    double sign_s = median(cs, RUNS) - median(cu, RUNS);
    double rec_s = c_rec - c_start;
    printf("sign (app): the practice app recorded %.1f s of a played-in drill (signed, %zu events): %.3f s CPU, "
           "%.3f s of it after start-up\n", (double)d.end_t_us / 1e6, d.event_count, c_rec, rec_s);
    printf("sign (app): signing that session costs %.4f s CPU (signed less unsigned writing, median of %d): "
           "%.3f %% of the app's recording CPU (target < 5 %%)\n", sign_s, RUNS,
           rec_s > 0 ? 100.0 * sign_s / rec_s : 0.0);
    session_data_free(&d);
    rc = bad;
done:
    remove_tree(dir);
    return rc;
}
