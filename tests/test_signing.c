/* test_signing.c: signed sessions. Station keys on disk (0600, a readable key refused); the
 * tamper matrix (every byte flipped, chunks dropped, swapped and duplicated with their CRCs
 * made right, truncation at every chunk boundary, signatures replaced, a re-signing key,
 * the header-calibration and pressure-scaling edits), each detected; kill -9 while
 * recording: the file verifies up to its last checkpoint and nothing before it is lost. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "session.h"
#include "session_verify.h"
#include "sign.h"

/* --- helpers ------------------------------------------------------------------------- */

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Makes the CRC of the chunk at `at` right again (what an attacker does). */
static void fix_crc(uint8_t *buf, size_t at)
{
    uint32_t n = le32(buf + at + 1);
    put_le32(buf + at + 5 + n, ref_crc32(buf + at, 5 + (size_t)n));
}

/* The chunks of a file: offsets and lengths, from its framing. */
typedef struct chunk_list {
    size_t at[4096], len[4096];
    char   type[4096];
    size_t n;
} chunk_list;

static void list_chunks(const uint8_t *buf, size_t len, chunk_list *c)
{
    c->n = 0;
    size_t pos = 8;
    while (pos + 9 <= len && c->n < 4096) {
        size_t n = le32(buf + pos + 1);
        if (pos + 9 + n > len)
            break;
        c->at[c->n] = pos;
        c->len[c->n] = 9 + n;
        c->type[c->n] = (char)buf[pos];
        c->n++;
        pos += 9 + n;
    }
}

/* The first place `pattern` occurs in hay[0..n), or NULL. */
static uint8_t *find_bytes(uint8_t *hay, size_t n, const void *pattern, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, pattern, m) == 0)
            return hay + i;
    return NULL;
}

static uint64_t rng = 0x51a7e5ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void make_header(session_header *h, float travel_mm)
{
    memset(h, 0, sizeof *h);
    snprintf(h->program_version, sizeof h->program_version, "stipple test");
    snprintf(h->lesson_id, sizeof h->lesson_id, "spacing-drill");
    snprintf(h->source, sizeof h->source, "trainee:deep");
    snprintf(h->trainee_id, sizeof h->trainee_id, "Ana Lima");
    h->origin = SESSION_ORIGIN_SIMULATED;
    h->rules_version = 1;
    device_desc_virtual(&h->device);
    pen_calibration_default(&h->calibration);
    h->calibration.travel_at_full_mm = travel_mm;
}

/* The i-th pen event of a deterministic stroke pattern, 200 Hz. pressure_scale scales it. */
static session_event pen_event(size_t i, double pressure_scale)
{
    session_event e;
    memset(&e, 0, sizeof e);
    e.kind = SEV_PEN;
    e.t_us = 1000 + (int64_t)i * 5000;
    int touching = (i % 40) > 15 && (i % 40) < 30;
    e.u.pen.t_us = e.t_us;
    e.u.pen.x = 10000 + (int32_t)(i * 7 % 3000);
    e.u.pen.y = 6000 + (int32_t)(i * 3 % 2000);
    e.u.pen.pressure = touching ? (int32_t)lround(pressure_scale * (double)(1500 + 100 * (int)(i % 40))) : 0;
    e.u.pen.distance = touching ? 0 : 5;
    e.u.pen.flags = PEN_IN_PROXIMITY | (touching ? (uint32_t)PEN_TOUCH : 0u);
    return e;
}

/* A small signed session: n pen events (5 ms apart), closed. */
static int write_signed(const station_key *k, const session_header *h, size_t n, double pressure_scale,
                        uint8_t **buf, size_t *len)
{
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    if (!f)
        return -1;
    char err[256];
    session_writer *w = session_writer_open_stream_signed(f, h, k, err, sizeof err);
    if (!w) {
        fprintf(stderr, "open: %s\n", err);
        fclose(f);
        free(mem);
        return -1;
    }
    int rc = 0;
    session_event m;
    memset(&m, 0, sizeof m);
    m.kind = SEV_MACHINE;
    m.t_us = 1000;
    m.u.value = 1;
    rc |= session_writer_add(w, &m);
    for (size_t i = 0; i < n; i++) {
        session_event e = pen_event(i, pressure_scale);
        rc |= session_writer_add(w, &e);
    }
    rc |= session_writer_close(w, 1000 + (int64_t)n * 5000);
    fclose(f);
    *buf = (uint8_t *)mem;
    *len = memlen;
    return rc;
}

static int check_file(const uint8_t *buf, size_t len, const station_set *known, session_verification *v)
{
    session_verify_mem(buf, len, known, v);
    return v->status;
}

static int has(const session_verification *v, int problem)
{
    for (size_t i = 0; i < v->finding_count; i++)
        if (v->findings[i].problem == problem)
            return 1;
    return 0;
}

static char keydir[512];

/* --- keys ----------------------------------------------------------------------------- */

static void test_keys(void)
{
    char err[1024];
    station_key k1, k2;
    int created = 0;
    CHECK(station_key_load_or_create(keydir, &k1, &created, err, sizeof err) == 0 && created,
          "first use makes a key: %s", err);
    char path[700];
    snprintf(path, sizeof path, "%s/station.key", keydir);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "private key mode %o, want 0600",
          (unsigned)(st.st_mode & 0777));
    CHECK(stat(keydir, &st) == 0 && (st.st_mode & 077) == 0, "key folder closed to others (%o)",
          (unsigned)(st.st_mode & 0777));
    CHECK(station_key_load_or_create(keydir, &k2, &created, err, sizeof err) == 0 && !created &&
              memcmp(&k1, &k2, sizeof k1) == 0, "the same key the second time");
    CHECK(strlen(k1.station_id) == SIGN_STATION_ID_LEN, "station id '%s'", k1.station_id);

    /* A private key others may read is refused, with a message that says how to fix it. */
    chmod(path, 0644);
    CHECK(station_key_load(keydir, &k2, NULL, err, sizeof err) == -1 && strstr(err, "read by others") &&
              strstr(err, "chmod 600"), "0644 key refused: %s", err);
    CHECK(station_key_load_or_create(keydir, &k2, &created, err, sizeof err) == -1 && !created,
          "and not replaced by a new key: %s", err);
    chmod(path, 0640);
    CHECK(station_key_load(keydir, &k2, NULL, err, sizeof err) == -1, "0640 key refused");
    chmod(path, 0600);
    CHECK(station_key_load(keydir, &k2, NULL, err, sizeof err) == 0 && memcmp(&k1, &k2, sizeof k1) == 0,
          "0600 again: accepted");

    /* The public description round trip, and its checks. */
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    station_public_write(f, &k1, "front desk\x1b]0;x");
    fclose(f);
    station_public p;
    CHECK(station_public_parse(text, tlen, &p, err, sizeof err) == 0 && memcmp(p.public_key, k1.public_key, 32) == 0 &&
              strcmp(p.station_id, k1.station_id) == 0 && strchr(p.name, 0x1b) == NULL,
          "public file round trip (%s), control characters not written", err);
    char *idline = strstr(text, "id ");
    if (idline) {
        idline[3] = idline[3] == '0' ? '1' : '0';
        CHECK(station_public_parse(text, tlen, &p, err, sizeof err) == -1 && strstr(err, "id"),
              "an id that is not the key's refused: %s", err);
    }
    CHECK(station_public_parse("stipple-station 2\n", 18, &p, err, sizeof err) == -1, "unknown version refused");
    free(text);
}

/* --- the tamper matrix ------------------------------------------------------------------ */

static void test_tamper(void)
{
    char err[1024];
    station_key key, other;
    CHECK(station_key_load(keydir, &key, NULL, err, sizeof err) == 0, "key: %s", err);
    CHECK(sign_keypair_new(&other) == 0, "another key");
    station_set known = { NULL, 0 };
    station_public me;
    memset(&me, 0, sizeof me);
    memcpy(me.public_key, key.public_key, 32);
    memcpy(me.station_id, key.station_id, sizeof me.station_id);
    station_set_add(&known, &me);

    session_header h;
    make_header(&h, 1.0f);
    uint8_t *buf;
    size_t len;
    CHECK(write_signed(&key, &h, 700, 1.0, &buf, &len) == 0, "write");   /* 3.5 s: 3 checkpoints + final */
    session_verification *v = malloc(sizeof *v);
    CHECK(check_file(buf, len, &known, v) == VERIFY_OK && v->complete && v->finding_count == 0,
          "the untouched session verifies: %s", verify_status_name(v->status));
    CHECK(strcmp(v->header.trainee_id, "Ana Lima") == 0 && strcmp(v->header.station_id, key.station_id) == 0 &&
              v->header.synthetic == 1 && v->header.origin == SESSION_ORIGIN_SIMULATED,
          "names the trainee and station, synthetic");
    size_t cps = v->checkpoints;
    CHECK(cps >= 4, "a checkpoint at least each second and at the end: %zu", cps);
    station_set none = { NULL, 0 };
    CHECK(check_file(buf, len, &none, v) == VERIFY_UNKNOWN_KEY && has(v, VP_UNKNOWN_KEY),
          "no registered key: unknown key");

    chunk_list *cl = malloc(sizeof *cl);
    list_chunks(buf, len, cl);
    CHECK(cl->at[cl->n - 1] + cl->len[cl->n - 1] == len && cl->type[0] == 'H' && cl->type[cl->n - 1] == 'S' &&
              cl->type[cl->n - 2] == 'Z', "chunks tile the file, end marker then checkpoint");
    uint8_t *t = malloc(len + 65536);

    /* Every byte flipped, one at a time: as it is, and with the chunk's CRC made right. */
    size_t missed = 0, cases = 0, named_chunk = 0, edits = 0;
    for (size_t at = 0; at < len; at++) {
        size_t c = 0;
        while (c + 1 < cl->n && cl->at[c + 1] <= at)
            c++;
        for (int fix = 0; fix < 2; fix++) {
            memcpy(t, buf, len);
            t[at] ^= 0xFF;
            /* only bytes inside a payload keep a frame an attacker can re-CRC */
            int in_payload = at >= cl->at[c] + 5 && at < cl->at[c] + cl->len[c] - 4;
            if (fix && (at < 8 || !in_payload))
                continue;
            if (fix)
                fix_crc(t, cl->at[c]);
            cases++;
            int st = check_file(t, len, &known, v);
            if (st == VERIFY_OK) {
                if (missed++ < 5)
                    CHECK(0, "flip at byte %zu (chunk %zu, crc %s) not detected", at, c, fix ? "fixed" : "left");
                continue;
            }
            if (fix && cl->type[c] == 'E') {
                edits++;
                named_chunk += has(v, VP_CHANGED) && v->findings[0].chunk == (long)c;
            }
        }
    }
    CHECK(missed == 0, "every flipped byte detected: %zu of %zu missed", missed, cases);
    CHECK(named_chunk == edits, "a clean edit of an event chunk names that chunk as changed: %zu of %zu",
          named_chunk, edits);
    printf("tamper: %zu single-byte flips (%zu bytes), all detected\n", cases, len);

    /* Chunks dropped, duplicated, swapped with a neighbour: frames intact, CRCs right. */
    size_t ops = 0, wrong = 0;
    for (size_t c = 1; c < cl->n; c++) {
        for (int op = 0; op < 3; op++) {
            if (op == 2 && c + 1 >= cl->n)
                continue;
            size_t o = 0;
            for (size_t k = 0; k < cl->n; k++) {
                if (op == 0 && k == c)
                    continue;   /* dropped */
                size_t src = k;
                if (op == 2 && k == c)
                    src = c + 1;
                else if (op == 2 && k == c + 1)
                    src = c;
                memcpy(t + o, buf + cl->at[src], cl->len[src]);
                o += cl->len[src];
                if (op == 1 && k == c) {   /* duplicated */
                    memcpy(t + o, buf + cl->at[c], cl->len[c]);
                    o += cl->len[c];
                }
            }
            memmove(t + 8, t, o);
            memcpy(t, buf, 8);
            o += 8;
            ops++;
            int st = check_file(t, o, &known, v);
            int want = op == 0 ? (cl->type[c] == 'E' ? VP_DROPPED : -1)
                     : op == 1 ? (cl->type[c] == 'E' ? VP_DUPLICATED : -1)
                     : (cl->type[c] == 'E' && cl->type[c + 1] == 'E' ? VP_REORDERED : -1);
            int ok = st != VERIFY_OK && (want < 0 || has(v, want));
            if (!ok && wrong++ < 5)
                CHECK(0, "op %d on chunk %zu (%c): status %s, %zu findings, first '%s'", op, c, cl->type[c],
                      verify_status_name(st), v->finding_count, v->finding_count ? v->findings[0].text : "");
        }
    }
    CHECK(wrong == 0, "drops, duplicates and swaps detected and named: %zu of %zu wrong", wrong, ops);
    printf("tamper: %zu chunk drops, duplicates and swaps, all detected\n", ops);

    /* Truncation at every chunk boundary: never verified; verified up to the last checkpoint. */
    size_t tw = 0;
    for (size_t c = 1; c < cl->n; c++) {
        size_t cut = cl->at[c];
        int st = check_file(buf, cut, &known, v);
        size_t last_cp_end = 0;
        for (size_t k = 0; k < c; k++)
            if (cl->type[k] == 'S')
                last_cp_end = cl->at[k] + cl->len[k];
        int ok = st == VERIFY_UNSIGNED_TAIL && v->verified_bytes == last_cp_end &&
                 (has(v, VP_NO_END) || has(v, VP_END_UNSIGNED));
        if (!ok && tw++ < 5)
            CHECK(0, "cut at chunk %zu (byte %zu): status %s, verified to %llu, want %zu", c, cut,
                  verify_status_name(st), (unsigned long long)v->verified_bytes, last_cp_end);
    }
    CHECK(tw == 0, "truncation at each of %zu chunk boundaries: not verified, prefix right", cl->n - 1);

    /* Every checkpoint's signature replaced (CRC right): a bad signature, named. */
    size_t sw = 0;
    for (size_t c = 0; c < cl->n; c++) {
        if (cl->type[c] != 'S')
            continue;
        memcpy(t, buf, len);
        for (size_t i = 0; i < 64; i++)
            t[cl->at[c] + cl->len[c] - 4 - 64 + i] = (uint8_t)rnd();
        fix_crc(t, cl->at[c]);
        int st = check_file(t, len, &known, v);
        int ok = st == VERIFY_FAILED && has(v, VP_BAD_SIGNATURE);
        if (!ok && sw++ < 5)
            CHECK(0, "signature of chunk %zu replaced: %s", c, verify_status_name(st));
    }
    CHECK(sw == 0, "replaced signatures found");

    /* Re-signed: the same session signed by a key no station registered. */
    uint8_t *b2;
    size_t l2;
    CHECK(write_signed(&other, &h, 700, 1.0, &b2, &l2) == 0, "write with another key");
    CHECK(check_file(b2, l2, &known, v) == VERIFY_UNKNOWN_KEY && has(v, VP_UNKNOWN_KEY),
          "re-signed with an unknown key: %s", verify_status_name(v->status));
    /* ... and with the header naming the registered station while another key signed. */
    session_verification *v2 = malloc(sizeof *v2);
    check_file(b2, l2, &known, v2);
    chunk_list *c2 = malloc(sizeof *c2);
    list_chunks(b2, l2, c2);
    uint8_t *hk = find_bytes(b2 + c2->at[0], c2->len[0], other.public_key, 32);
    uint8_t *hid = find_bytes(b2 + c2->at[0], c2->len[0], other.station_id, 16);
    CHECK(hk && hid, "the header holds the signing key and id");
    if (hk && hid) {
        memcpy(hk, key.public_key, 32);
        memcpy(hid, key.station_id, 16);
        fix_crc(b2, c2->at[0]);
        CHECK(check_file(b2, l2, &known, v) == VERIFY_FAILED && has(v, VP_HEADER_CHANGED) && has(v, VP_BAD_SIGNATURE),
              "another key behind a registered station's name: %s", verify_status_name(v->status));
    }
    free(c2);
    free(b2);
    free(v2);

    /* The auditor's edits: calibration travel 1.0 -> 0.36 mm in the header; pressures scaled. */
    memcpy(t, buf, len);
    float cal[4] = { h.calibration.activation, h.calibration.saturation, h.calibration.gamma,
                     h.calibration.travel_at_full_mm }, edit = 0.36f;
    uint8_t *tr = find_bytes(t + cl->at[0] + 5, cl->len[0] - 9, cal, sizeof cal);
    CHECK(tr != NULL && cal[3] == 1.0f, "the calibration found in the header");
    if (tr) {
        memcpy(tr + 12, &edit, 4);
        fix_crc(t, cl->at[0]);
        session_data d;
        CHECK(session_load_mem(t, len, &d, err, sizeof err) == 0 &&
                  fabsf(d.header.calibration.travel_at_full_mm - 0.36f) < 1e-6f,
              "the edited header reads (travel %.2f)", (double)d.header.calibration.travel_at_full_mm);
        session_data_free(&d);
        CHECK(check_file(t, len, &known, v) == VERIFY_FAILED && has(v, VP_HEADER_CHANGED),
              "calibration edit: %s", v->finding_count ? v->findings[0].text : "no finding");
    }
    /* Pressures x1.6: every event chunk replaced by the same chunk re-encoded (valid, CRC right). */
    {
        uint8_t *b3;
        size_t l3;
        CHECK(write_signed(&other, &h, 700, 1.6, &b3, &l3) == 0, "scaled session");
        chunk_list *c3 = malloc(sizeof *c3);
        list_chunks(b3, l3, c3);
        size_t o = 8;
        memcpy(t, buf, 8);
        size_t e3 = 0;
        for (size_t c = 0; c < cl->n; c++) {
            if (cl->type[c] == 'E') {
                while (e3 < c3->n && c3->type[e3] != 'E')
                    e3++;
                memcpy(t + o, b3 + c3->at[e3], c3->len[e3]);
                o += c3->len[e3++];
            } else {
                memcpy(t + o, buf + cl->at[c], cl->len[c]);
                o += cl->len[c];
            }
        }
        session_data d;
        CHECK(session_load_mem(t, o, &d, err, sizeof err) == 0 && !d.recovered && d.complete,
              "the scaled file reads as a whole session (%s)", d.warning);
        session_data_free(&d);
        CHECK(check_file(t, o, &known, v) == VERIFY_FAILED && has(v, VP_CHANGED),
              "pressure scaling: %s", verify_status_name(v->status));
        free(c3);
        free(b3);
    }
    /* The source changed from a virtual trainee to "live". */
    memcpy(t, buf, len);
    uint8_t *src = find_bytes(t + cl->at[0], cl->len[0], "trainee:deep", 12);
    if (src) {
        src[-1] = 4;
        memcpy(src, "live", 4);
        memmove(src + 4, src + 12, len - (size_t)(src + 12 - t));
        put_le32(t + cl->at[0] + 1, le32(t + cl->at[0] + 1) - 8);
        fix_crc(t, cl->at[0]);
        session_data d;
        CHECK(session_load_mem(t, len - 8, &d, err, sizeof err) == 0 && strcmp(d.header.source, "live") == 0,
              "the edited source reads: %s", err);
        session_data_free(&d);
        CHECK(check_file(t, len - 8, &known, v) == VERIFY_FAILED && has(v, VP_HEADER_CHANGED),
              "source edit found");
    }

    /* Unsigned: written without a key; a format 1 header. */
    {
        char *mem = NULL;
        size_t ml = 0;
        FILE *f = open_memstream(&mem, &ml);
        session_writer *w = session_writer_open_stream(f, &h, err, sizeof err);
        session_event e = pen_event(0, 1.0);
        session_writer_add(w, &e);
        session_writer_close(w, 10000);
        fclose(f);
        CHECK(check_file((uint8_t *)mem, ml, &known, v) == VERIFY_UNSIGNED && has(v, VP_UNSIGNED),
              "unsigned session: %s", verify_status_name(v->status));
        free(mem);
    }
    free(t);
    free(cl);
    free(v);
    free(buf);
    station_set_free(&known);
}

/* --- kill -9 while recording ------------------------------------------------------------ */

/* The child: records a live-like signed session in real time (one pen sample a loop, 5 ms of
 * session time per ~1 ms of real time, a tick each loop, as the app does) until killed. */
static void record_until_killed(const char *path, const station_key *k, int progress_fd)
{
    session_header h;
    make_header(&h, 1.0f);
    h.origin = SESSION_ORIGIN_LIVE_DEVICE;
    snprintf(h.source, sizeof h.source, "live");
    h.start_utc_us = (int64_t)time(NULL) * 1000000;
    char err[256];
    session_writer *w = session_writer_open_signed(path, &h, k, err, sizeof err);
    if (!w)
        _exit(3);
    for (size_t i = 0;; i++) {
        session_event e = pen_event(i, 1.0);
        if (session_writer_add(w, &e) != 0 || session_writer_tick(w, e.t_us) != 0)
            _exit(4);
        if (i % 20 == 0 && write(progress_fd, &e.t_us, sizeof e.t_us) != (ssize_t)sizeof e.t_us)
            _exit(5);
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
}

static void test_crash(void)
{
    char err[1024], path[700];
    station_key key;
    CHECK(station_key_load(keydir, &key, NULL, err, sizeof err) == 0, "key: %s", err);
    station_set known = { NULL, 0 };
    station_public me;
    memset(&me, 0, sizeof me);
    memcpy(me.public_key, key.public_key, 32);
    station_set_add(&known, &me);
    snprintf(path, sizeof path, "%s/crash.stp", keydir);
    session_verification *v = malloc(sizeof *v);
    int rounds = 12;
    double worst_tail_s = 0;
    for (int r = 0; r < rounds; r++) {
        int fds[2];
        if (pipe(fds) != 0)
            break;
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            record_until_killed(path, &key, fds[1]);
        }
        close(fds[1]);
        /* A random moment: once the recording has passed a random session time between 1.2
         * and 8 s (however busy the machine), then 0 to 30 ms later. */
        int64_t target = 1200000 + (int64_t)(rnd() % 6800000), seen = 0;
        while (seen < target && read(fds[0], &seen, sizeof seen) == (ssize_t)sizeof seen)
            ;
        struct timespec ts = { 0, (long)(rnd() % 30) * 1000000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "round %d: the recorder was killed", r);
        session_verify_file(path, &known, v);
        session_data d;
        int rc = session_load_file(path, &d, err, sizeof err);
        CHECK(rc == 0, "round %d: the crashed file reads: %s", r, err);
        if (rc != 0)
            continue;
        /* Nothing lost before the last checkpoint: the events read are exactly those written. */
        size_t same = 0;
        for (size_t i = 0; i < d.event_count; i++)
        {
            session_event want = pen_event(i, 1.0);
            same += memcmp(&d.events[i].u.pen, &want.u.pen, sizeof(pen_sample)) == 0;
        }
        int64_t last_t = d.event_count ? d.events[d.event_count - 1].t_us : 0;
        size_t before_cp = 0;
        for (size_t i = 0; i < d.event_count; i++)
            before_cp += d.events[i].t_us <= v->verified_t_us;
        double tail_s = (double)(last_t - v->verified_t_us) / 1e6;
        if (tail_s > worst_tail_s)
            worst_tail_s = tail_s;
        CHECK(v->status == VERIFY_UNSIGNED_TAIL && has(v, VP_NO_END) && !has(v, VP_BAD_SIGNATURE) &&
                  !has(v, VP_CHANGED), "round %d: verified up to the last checkpoint, unsigned tail: %s (%s)",
              r, verify_status_name(v->status), v->finding_count ? v->findings[0].text : "");
        CHECK(same == d.event_count && d.event_count > 0, "round %d: %zu of %zu events as written", r, same,
              d.event_count);
        CHECK(v->verified_t_us >= 0 && before_cp > 0 && tail_s <= 1.2,
              "round %d: signed up to %.3f s of %.3f s (%zu events), unsigned tail %.3f s", r,
              (double)v->verified_t_us / 1e6, (double)last_t / 1e6, before_cp, tail_s);
        CHECK(!d.complete && !d.recovered, "round %d: not closed, nothing damaged: '%s'", r, d.warning);
        session_data_free(&d);
    }
    printf("crash: %d kill -9 rounds, each verified up to its last checkpoint; longest unsigned tail %.3f s\n",
           rounds, worst_tail_s);
    unlink(path);
    free(v);
    station_set_free(&known);
}

int main(void)
{
    char tmpl[] = "/tmp/stipple-signing-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(keydir, sizeof keydir, "%s/keys", tmpl);
    if (sign_init() != 0) {
        fprintf(stderr, "libsodium cannot start\n");
        return 1;
    }
    test_keys();
    test_tamper();
    test_crash();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpl);
    return check_summary("test_signing");
}
