/* session.c: reading session files (layout in session_codec.c): every good chunk kept,
 * damaged ones skipped with the gap reported, events held in memory (session_load_*) or
 * handed out by a cursor from the file's bytes (session_open_*). */
#include "session_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Work allowed for looking for good chunks after damage, in CRC bytes: a multiple of the
 * file's length, so that a hostile file costs bounded time. */
#define RESYNC_WORK_PER_BYTE 8u
#define RESYNC_WORK_MIN      ((size_t)1 << 22)

int session_read_frame(const uint8_t *buf, size_t len, size_t pos, uint8_t *type,
                       const uint8_t **payload, size_t *plen, char *why, size_t whylen)
{
    size_t left = len - pos;
    if (left < CHUNK_FRAME) {
        set_msg(why, whylen, "truncated chunk frame (%zu of at least %u bytes)", left, CHUNK_FRAME);
        return -1;
    }
    uint32_t n = read_le32(buf + pos + 1);
    if ((uint64_t)n > (uint64_t)(left - CHUNK_FRAME)) {
        set_msg(why, whylen, "chunk claims %lu payload bytes but only %zu remain",
                (unsigned long)n, left - CHUNK_FRAME);
        return -1;
    }
    if ((size_t)n > CHUNK_PAYLOAD_MAX && buf[pos] != CHUNK_HEADER) {
        set_msg(why, whylen, "chunk claims %lu payload bytes, more than any session chunk (%zu)",
                (unsigned long)n, (size_t)CHUNK_PAYLOAD_MAX);
        return -1;
    }
    uint32_t want = read_le32(buf + pos + 5 + n);
    uint32_t got = crc32_ieee(buf + pos, 5 + (size_t)n);
    if (want != got) {
        set_msg(why, whylen, "CRC mismatch (stored %08lx, computed %08lx)", (unsigned long)want,
                (unsigned long)got);
        return -1;
    }
    *type = buf[pos];
    *payload = buf + pos + 5;
    *plen = n;
    return 0;
}

/* Looks for the next good chunk after `from`, spending at most *work CRC bytes. */
static size_t resync_budget(const uint8_t *buf, size_t len, size_t from, size_t *work)
{
    for (size_t pos = from + 1; pos + CHUNK_FRAME <= len; pos++) {
        uint8_t t = buf[pos];
        if (t != CHUNK_EVENTS && t != CHUNK_END && t != CHUNK_CHECKPOINT)
            continue;
        uint32_t n = read_le32(buf + pos + 1);
        if ((size_t)n > CHUNK_PAYLOAD_MAX || (uint64_t)n > (uint64_t)(len - pos - CHUNK_FRAME))
            continue;
        if (*work < 5 + (size_t)n)
            return len;
        *work -= 5 + (size_t)n;
        if (read_le32(buf + pos + 5 + n) == crc32_ieee(buf + pos, 5 + (size_t)n))
            return pos;
    }
    return len;
}

size_t session_resync(const uint8_t *buf, size_t len, size_t from)
{
    size_t work = RESYNC_WORK_PER_BYTE * len + RESYNC_WORK_MIN;
    return resync_budget(buf, len, from, &work);
}

int session_scratch_fit(event_scratch *s, const uint8_t *payload, size_t n)
{
    uint64_t want = session_chunk_count(payload, n);
    if (want > SESSION_READ_CHUNK_EVENTS)
        want = SESSION_READ_CHUNK_EVENTS;   /* the decoder refuses more */
    if (want < SESSION_CHUNK_MAX_EVENTS)
        want = SESSION_CHUNK_MAX_EVENTS;
    if (s->cap >= want)
        return 0;
    session_event *grown = realloc(s->ev, (size_t)want * sizeof *grown);
    if (!grown)
        return -1;
    s->ev = grown;
    s->cap = (size_t)want;
    return 0;
}

/* --- the scan: header, then every chunk --------------------------------------------------- */

typedef struct scan_state {
    session_data *out;
    size_t   *chunks;            /* offsets of good event chunks */
    size_t    chunk_cap;
    event_scratch scratch;       /* one chunk's events */
    char      first_problem[200];
    size_t    problems;          /* damaged or unexpected places */
    int       gave_up;           /* the resync work limit was reached */
} scan_state;

static int note_chunk(scan_state *s, size_t at)
{
    if (s->out->event_chunk_n_ == s->chunk_cap) {
        size_t ncap = s->chunk_cap ? s->chunk_cap * 2 : 256;
        size_t *grown = realloc(s->chunks, ncap * sizeof *grown);
        if (!grown)
            return -1;
        s->chunks = grown;
        s->chunk_cap = ncap;
    }
    s->chunks[s->out->event_chunk_n_++] = at;
    return 0;
}

static void note_problem(scan_state *s, size_t at, const char *why)
{
    if (s->problems++ == 0)
        set_msg(s->first_problem, sizeof s->first_problem, "session damaged at byte %zu: %s", at, why);
}

int session_read_header(const uint8_t *buf, size_t len, session_data *out, size_t *pos, char *err, size_t errlen)
{
    if (len < sizeof session_magic || memcmp(buf, session_magic, sizeof session_magic) != 0) {
        set_msg(err, errlen, len == 0 ? "not a session file: empty"
                                      : "not a session file: bad magic (want \"STPLSES\\0\")");
        return -1;
    }
    char why[160];
    uint8_t type;
    const uint8_t *payload;
    size_t plen;
    *pos = sizeof session_magic;
    if (session_read_frame(buf, len, *pos, &type, &payload, &plen, why, sizeof why) != 0) {
        set_msg(err, errlen, "session header damaged at byte %zu: %s", *pos, why);
        return -1;
    }
    if (type != CHUNK_HEADER) {
        set_msg(err, errlen, "session header missing: first chunk at byte %zu has type 0x%02x", *pos, type);
        return -1;
    }
    if (plen < 4 || plen > HEADER_MAX) {
        set_msg(err, errlen, "session header damaged at byte %zu: bad length %zu", *pos, plen);
        return -1;
    }
    uint32_t version = read_le32(payload);
    if (version != 1 && version != 2) {
        set_msg(err, errlen, "unknown session format version %lu (this program reads 1 and %d)",
                (unsigned long)version, SESSION_FORMAT_VERSION);
        return -1;
    }
    bin hb = { payload, plen, 0, 0 };
    const char *problem = NULL;
    if (session_decode_header(&hb, &out->header) != 0)
        problem = "malformed fields";
    else
        problem = session_header_problem(&out->header);
    if (problem) {
        set_msg(err, errlen, "session header damaged at byte %zu: %s", *pos, problem);
        memset(&out->header, 0, sizeof out->header);
        return -1;
    }
    *pos += CHUNK_FRAME + plen;
    return 0;
}

static int scan(const uint8_t *buf, size_t len, scan_state *s, char *err, size_t errlen)
{
    session_data *out = s->out;
    size_t pos;
    if (session_read_header(buf, len, out, &pos, err, errlen) != 0)
        return -1;
    out->chunks_read = 1;
    int v2 = out->header.format_version >= 2;
    size_t work = RESYNC_WORK_PER_BYTE * len + RESYNC_WORK_MIN;
    int64_t last_t = 0;
    size_t gap_at = 0, gap_end = 0;   /* the first gap, for the message */
    int64_t gap_t0 = 0, gap_t1 = -1;
    int in_gap = 0;
    char why[160];
    while (pos < len) {
        size_t at = pos;
        uint8_t type;
        const uint8_t *payload;
        size_t plen;
        if (out->complete && !v2) {
            note_problem(s, at, "bytes after the end marker");
            out->bytes_dropped += len - pos;
            break;
        }
        if (session_read_frame(buf, len, pos, &type, &payload, &plen, why, sizeof why) != 0) {
            /* A damaged frame: look for the next good chunk. */
            note_problem(s, at, why);
            size_t next = resync_budget(buf, len, pos, &work);
            if (next == len && work < CHUNK_PAYLOAD_MAX)
                s->gave_up = 1;
            out->bytes_dropped += next - pos;
            if (next < len && !in_gap && out->gaps == 0) {
                gap_at = at;
                gap_end = next;
                gap_t0 = last_t;
                in_gap = 1;
            }
            if (next < len)
                out->gaps++;
            pos = next;
            continue;
        }
        size_t frame_len = CHUNK_FRAME + plen;
        const char *bad = NULL;
        if (out->complete && type != CHUNK_CHECKPOINT) {
            bad = "a chunk after the end marker";
        } else if (type == CHUNK_EVENTS) {
            if (session_scratch_fit(&s->scratch, payload, plen) != 0) {
                set_msg(err, errlen, "out of memory decoding a chunk at byte %zu", at);
                return -1;
            }
            size_t got = session_decode_events(payload, plen, last_t, s->scratch.ev, s->scratch.cap, &bad);
            if (got > 0) {
                if (note_chunk(s, at) != 0) {
                    set_msg(err, errlen, "out of memory indexing the session's chunks (%zu so far)",
                            out->event_chunk_n_);
                    return -1;
                }
                out->event_count += got;
                last_t = s->scratch.ev[got - 1].t_us;
            }
        } else if (type == CHUNK_END) {
            bin eb = { payload, plen, 0, 0 };
            uint64_t end_t = get_u64(&eb);
            if (eb.bad || eb.pos != eb.n || end_t > (uint64_t)T_MAX || (int64_t)end_t < last_t) {
                bad = "invalid end marker";
            } else {
                out->complete = 1;
                out->end_t_us = (int64_t)end_t;
            }
        } else if (type == CHUNK_CHECKPOINT && v2) {
            session_checkpoint cp;
            if (session_checkpoint_parse(payload, plen, &cp) != 0)
                bad = "malformed checkpoint";
            else
                out->checkpoints++;
        } else {
            set_msg(why, sizeof why, "unexpected chunk type 0x%02x", type);
            bad = why;
        }
        if (bad) {
            /* The frame is sound, its content not: skip just this chunk. */
            note_problem(s, at, bad);
            out->bytes_dropped += frame_len;
            if (pos + frame_len < len) {
                if (!in_gap && out->gaps == 0) {
                    gap_at = at;
                    gap_end = pos + frame_len;
                    gap_t0 = last_t;
                    in_gap = 1;
                }
                out->gaps++;
            }
        } else {
            out->chunks_read++;
            if (in_gap && type == CHUNK_EVENTS) {
                gap_t1 = s->scratch.ev[0].t_us;
                in_gap = 0;
            }
        }
        pos += frame_len;
    }
    if (!out->complete)
        out->end_t_us = last_t;
    out->recovered = s->problems > 0;
    char tail[200] = "";
    if (s->problems) {
        char gap[200] = "";
        if (out->gaps > 0) {
            if (gap_t1 >= 0)
                set_msg(gap, sizeof gap, "; skipped bytes %zu..%zu to the next good chunk (session time "
                        "%.3f to %.3f s missing)", gap_at, gap_end, (double)gap_t0 / 1e6, (double)gap_t1 / 1e6);
            else
                set_msg(gap, sizeof gap, "; skipped bytes %zu..%zu to the next good chunk", gap_at, gap_end);
        }
        set_msg(tail, sizeof tail, "%s%s%s", gap, s->problems > 1 ? "; more damage later" : "",
                s->gave_up ? "; stopped looking for good chunks (work limit)" : "");
        set_msg(out->warning, sizeof out->warning, "%s%s; kept %zu good chunks (%zu events), dropped %llu bytes",
                s->first_problem, tail, out->chunks_read, out->event_count,
                (unsigned long long)out->bytes_dropped);
    }
    if (!out->complete) {
        size_t used = strlen(out->warning);
        set_msg(out->warning + used, sizeof out->warning - used,
                "%sno end marker: the file ends at byte %zu after %zu good chunks (session not closed); "
                "%zu events kept", used ? "; " : "", len, out->chunks_read, out->event_count);
    }
    return 0;
}

/* --- loading -------------------------------------------------------------------------------- */

static int scan_into(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    s.out = out;
    int rc = scan(buf, len, &s, err, errlen);
    free(s.scratch.ev);
    out->event_chunks_ = s.chunks;
    if (rc != 0) {
        free(s.chunks);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* Decodes every indexed chunk into one array of exactly event_count events. */
static int materialise(const uint8_t *buf, session_data *out, char *err, size_t errlen)
{
    if (out->event_count == 0)
        return 0;
    if (out->event_count > SESSION_LOAD_MAX_EVENTS) {
        set_msg(err, errlen, "%zu events: more than the %zu a session may hold in memory",
                out->event_count, SESSION_LOAD_MAX_EVENTS);
        return -1;
    }
    out->events = malloc(out->event_count * sizeof *out->events);
    if (!out->events) {
        set_msg(err, errlen, "out of memory for %zu events (%zu MB)", out->event_count,
                out->event_count * sizeof *out->events >> 20);
        return -1;
    }
    size_t have = 0;
    for (size_t c = 0; c < out->event_chunk_n_; c++) {
        size_t at = out->event_chunks_[c];
        const char *why = NULL;
        size_t n = read_le32(buf + at + 1);
        have += session_decode_events(buf + at + 5, n, 0, out->events + have, out->event_count - have, &why);
    }
    return have == out->event_count ? 0 : -1;   /* the scan decoded the same chunks */
}

int session_load_mem(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen)
{
    if (!out) {
        set_msg(err, errlen, "session: no output");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (!buf)
        len = 0;
    if (scan_into(buf, len, out, err, errlen) != 0)
        return -1;
    int rc = materialise(buf, out, err, errlen);
    free(out->event_chunks_);
    out->event_chunks_ = NULL;
    out->event_chunk_n_ = 0;
    if (rc != 0)
        session_data_free(out);
    return rc;
}

int session_open_mem(const uint8_t *buf, size_t len, session_data *out, char *err, size_t errlen)
{
    if (!out) {
        set_msg(err, errlen, "session: no output");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (!buf)
        len = 0;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        set_msg(err, errlen, "out of memory");
        return -1;
    }
    if (len)
        memcpy(copy, buf, len);
    if (scan_into(copy, len, out, err, errlen) != 0) {
        free(copy);
        return -1;
    }
    out->raw_ = copy;
    out->raw_len_ = len;
    return 0;
}

/* Reads a whole file (at most SESSION_FILE_MAX bytes) into *buf. 0 or -1 with err. */
static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_msg(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    size_t cap = 65536;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uint64_t)st.st_size > (uint64_t)SESSION_FILE_MAX) {
            set_msg(err, errlen, "%s: %lld bytes, larger than a session file may be (%zu MB)", path,
                    (long long)st.st_size, SESSION_FILE_MAX >> 20);
            fclose(f);
            return -1;
        }
        cap = (size_t)st.st_size + 1;   /* +1: sees the end without growing */
    }
    uint8_t *b = NULL;
    size_t n = 0;
    for (;;) {
        if (n == cap || !b) {
            if (b && cap > SESSION_FILE_MAX) {
                set_msg(err, errlen, "%s: larger than a session file may be (%zu MB)", path, SESSION_FILE_MAX >> 20);
                goto fail;
            }
            size_t ncap = b ? cap * 2 : cap;
            uint8_t *grown = realloc(b, ncap);
            if (!grown) {
                set_msg(err, errlen, "%s: out of memory reading %zu bytes", path, ncap);
                goto fail;
            }
            b = grown;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                set_msg(err, errlen, "%s: read error: %s", path, strerror(errno));
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 0;
fail:
    free(b);
    fclose(f);
    return -1;
}

static int file_common(const char *path, session_data *out, int keep, char *err, size_t errlen)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!path || !out) {
        set_msg(err, errlen, "session: no path or output");
        return -1;
    }
    uint8_t *buf;
    size_t len;
    if (read_file(path, &buf, &len, err, errlen) != 0)
        return -1;
    char inner[200] = "";
    int rc = scan_into(buf, len, out, inner, sizeof inner);
    if (rc == 0 && !keep) {
        rc = materialise(buf, out, inner, sizeof inner);
        free(out->event_chunks_);
        out->event_chunks_ = NULL;
        out->event_chunk_n_ = 0;
        if (rc != 0)
            session_data_free(out);
    }
    if (rc != 0)
        set_msg(err, errlen, "%s: %s", path, inner);
    if (rc == 0 && keep) {
        out->raw_ = buf;
        out->raw_len_ = len;
    } else {
        free(buf);
    }
    return rc;
}

int session_load_file(const char *path, session_data *out, char *err, size_t errlen)
{
    return file_common(path, out, 0, err, errlen);
}

int session_open_file(const char *path, session_data *out, char *err, size_t errlen)
{
    return file_common(path, out, 1, err, errlen);
}

void session_data_free(session_data *d)
{
    if (!d)
        return;
    free(d->events);
    free(d->raw_);
    free(d->event_chunks_);
    memset(d, 0, sizeof *d);
}

size_t session_count_kind(const session_data *d, int kind)
{
    if (!d)
        return 0;
    session_cursor *c = session_cursor_open(d);
    if (!c)
        return 0;
    size_t n = 0;
    session_event ev;
    while (session_cursor_next(c, &ev) == 1)
        n += ev.kind == kind;
    session_cursor_free(c);
    return n;
}

/* --- cursor ------------------------------------------------------------------------------------ */

struct session_cursor {
    const session_data *d;
    size_t next;          /* next event (held events) or next chunk (opened file) */
    size_t i, n;          /* position in buf */
    event_scratch buf;    /* one chunk's events, for opened files */
    int failed;           /* out of memory: the events ended early */
};

session_cursor *session_cursor_open(const session_data *d)
{
    if (!d)
        return NULL;
    session_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->d = d;
    return c;
}

static int cursor_fill(session_cursor *c)
{
    const session_data *d = c->d;
    while (c->i == c->n) {
        if (d->events || c->next >= d->event_chunk_n_ || !d->raw_)
            return 0;
        size_t at = d->event_chunks_[c->next++];
        const char *why = NULL;
        size_t n = read_le32(d->raw_ + at + 1);
        if (session_scratch_fit(&c->buf, d->raw_ + at + 5, n) != 0) {
            c->failed = 1;
            return 0;
        }
        c->n = session_decode_events(d->raw_ + at + 5, n, 0, c->buf.ev, c->buf.cap, &why);
        c->i = 0;
    }
    return 1;
}

int session_cursor_next(session_cursor *c, session_event *ev)
{
    if (!c)
        return 0;
    if (c->d->events) {
        if (c->next >= c->d->event_count)
            return 0;
        *ev = c->d->events[c->next++];
        return 1;
    }
    if (!cursor_fill(c))
        return 0;
    *ev = c->buf.ev[c->i++];
    return 1;
}

int64_t session_cursor_peek_time(session_cursor *c)
{
    if (!c)
        return INT64_MAX;
    if (c->d->events)
        return c->next < c->d->event_count ? c->d->events[c->next].t_us : INT64_MAX;
    if (!cursor_fill(c))
        return INT64_MAX;
    return c->buf.ev[c->i].t_us;
}

int session_cursor_failed(const session_cursor *c)
{
    return c ? c->failed : 1;
}

void session_cursor_free(session_cursor *c)
{
    if (!c)
        return;
    free(c->buf.ev);
    free(c);
}
