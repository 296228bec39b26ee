/* session_verify.c: checks a session file against its signed checkpoints (layout in
 * session_codec.c, what is checked in session_verify.h). */
#include "session_verify.h"

#include <errno.h>
#include <stdlib.h>

#include "session_wire.h"

typedef struct rec {
    size_t  at, len;        /* bytes of the chunk (or of a damaged region) */
    uint8_t type;           /* 0 for a damaged region */
    uint8_t digest[CP_DIGEST];
} rec;

typedef struct cp_info {
    size_t rec;             /* index of the checkpoint chunk */
    session_checkpoint cp;
    int    structure_ok;    /* follows the previous one and names exactly the chunks before it */
    int    clean_before;    /* no damage and no structural problem up to here */
} cp_info;

typedef struct vstate {
    const uint8_t *buf;
    size_t len;
    session_verification *out;
    rec   *recs;
    size_t n, cap;
    cp_info *cps;
    size_t ncp, cpcap;
} vstate;

static void add_finding(session_verification *v, int problem, long chunk, uint64_t from, uint64_t to,
                        const char *fmt, ...)
{
    v->findings_total++;
    if (v->finding_count >= VERIFY_MAX_FINDINGS)
        return;
    verify_finding *f = &v->findings[v->finding_count++];
    f->problem = problem;
    f->chunk = chunk;
    f->byte_from = from;
    f->byte_to = to;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
}

static int has_problem(const session_verification *v, int problem)
{
    for (size_t i = 0; i < v->finding_count; i++)
        if (v->findings[i].problem == problem)
            return 1;
    return 0;
}

static int push_rec(vstate *s, size_t at, size_t len, uint8_t type)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        rec *grown = realloc(s->recs, ncap * sizeof *grown);
        if (!grown)
            return -1;
        s->recs = grown;
        s->cap = ncap;
    }
    rec *r = &s->recs[s->n++];
    r->at = at;
    r->len = len;
    r->type = type;
    if (type)
        session_chunk_digest(s->buf + at, len, r->digest);
    else
        memset(r->digest, 0, sizeof r->digest);
    return 0;
}

/* "chunk 12 (bytes 1228..1356, events from 1.006 s)" */
static void describe(const vstate *s, size_t i, char *out, size_t outlen)
{
    const rec *r = &s->recs[i];
    char what[64] = "";
    if (r->type == CHUNK_EVENTS) {
        bin b = { s->buf + r->at + 5, r->len - CHUNK_FRAME, 0, 0 };
        uint64_t t = get_varint(&b);
        if (!b.bad)
            snprintf(what, sizeof what, ", events from %.3f s", (double)t / 1e6);
    } else if (r->type == CHUNK_END) {
        snprintf(what, sizeof what, ", the end marker");
    } else if (r->type == CHUNK_CHECKPOINT) {
        snprintf(what, sizeof what, ", a checkpoint");
    }
    snprintf(out, outlen, "chunk %zu (bytes %zu..%zu%s)", i, r->at, r->at + r->len, what);
}

/* Compares the chunks recs[from, to) with the digests a checkpoint names. 1 when exact. */
static int compare_segment(vstate *s, size_t from, size_t to, const session_checkpoint *cp, size_t cp_index)
{
    session_verification *v = s->out;
    size_t a = 0, damaged = 0;
    for (size_t i = from; i < to; i++)
        if (s->recs[i].type)
            a++;
        else
            damaged++;
    size_t m = cp->count;
    int exact = damaged == 0 && a == m;
    for (size_t i = from, k = 0; exact && i < to; i++, k++)
        exact = memcmp(s->recs[i].digest, cp->digests + k * CP_DIGEST, CP_DIGEST) == 0;
    if (exact)
        return 1;
    /* Match actual chunks to signed digests (as multisets, first free match). */
    unsigned char *used = calloc(m ? m : 1, 1);
    long *match = malloc((to - from + 1) * sizeof *match);
    if (!used || !match) {
        free(used);
        free(match);
        add_finding(v, VP_CHANGED, -1, s->recs[from].at, s->recs[to - 1].at + s->recs[to - 1].len,
                    "the chunks before checkpoint %zu differ from what it signed", cp_index);
        return 0;
    }
    size_t unmatched_actual = 0;
    for (size_t i = from; i < to; i++) {
        match[i - from] = -1;
        if (!s->recs[i].type)
            continue;
        for (size_t k = 0; k < m; k++)
            if (!used[k] && memcmp(s->recs[i].digest, cp->digests + k * CP_DIGEST, CP_DIGEST) == 0) {
                used[k] = 1;
                match[i - from] = (long)k;
                break;
            }
        if (match[i - from] < 0)
            unmatched_actual++;
    }
    size_t missing = 0;
    for (size_t k = 0; k < m; k++)
        missing += !used[k];
    /* Damaged regions already explain that many missing chunks. */
    size_t missing_unexplained = missing > damaged ? missing - damaged : 0;
    char d[128];
    for (size_t i = from; i < to; i++) {
        if (!s->recs[i].type || match[i - from] >= 0)
            continue;
        /* A copy of a chunk that is also there (and signed): duplicated. */
        int dup = 0;
        for (size_t j = from; j < to && !dup; j++)
            dup = j != i && s->recs[j].type && match[j - from] >= 0 &&
                  memcmp(s->recs[j].digest, s->recs[i].digest, CP_DIGEST) == 0;
        describe(s, i, d, sizeof d);
        if (dup) {
            add_finding(v, VP_DUPLICATED, (long)i, s->recs[i].at, s->recs[i].at + s->recs[i].len,
                        "%s is a duplicate: checkpoint %zu signed it once", d, cp_index);
        } else if (missing_unexplained > 0) {
            missing_unexplained--;
            add_finding(v, VP_CHANGED, (long)i, s->recs[i].at, s->recs[i].at + s->recs[i].len,
                        "%s was changed after signing (its bytes differ from what checkpoint %zu signed)",
                        d, cp_index);
        } else {
            add_finding(v, VP_INSERTED, (long)i, s->recs[i].at, s->recs[i].at + s->recs[i].len,
                        "%s was inserted: checkpoint %zu did not sign it", d, cp_index);
        }
    }
    if (missing_unexplained > 0) {
        uint64_t at = from < s->n ? s->recs[from].at : s->len;
        add_finding(v, VP_DROPPED, -1, at, s->recs[to < s->n ? to : s->n - 1].at,
                    "%zu chunk%s signed by checkpoint %zu %s missing (dropped) between byte %llu and the "
                    "checkpoint", missing_unexplained, missing_unexplained == 1 ? "" : "s", cp_index,
                    missing_unexplained == 1 ? "is" : "are", (unsigned long long)at);
    }
    if (unmatched_actual == 0 && missing == 0 && damaged == 0) {
        /* Same chunks, another order. */
        for (size_t i = from; i < to; i++)
            if (match[i - from] != (long)(i - from)) {
                describe(s, i, d, sizeof d);
                add_finding(v, VP_REORDERED, (long)i, s->recs[i].at, s->recs[i].at + s->recs[i].len,
                            "chunks were re-ordered: %s is where checkpoint %zu signed chunk %zu of its %u",
                            d, cp_index, (size_t)match[i - from] + 1, cp->count);
                break;
            }
    }
    free(used);
    free(match);
    return 0;
}

static int checkpoint_signature_ok(const vstate *s, const cp_info *c)
{
    const rec *r = &s->recs[c->rec];
    return session_checkpoint_signed(s->buf + r->at + 5, &c->cp, s->out->header.station_key);
}

static void finish_status(session_verification *v, int signed_any, const station_set *known)
{
    static const int fatal[] = { VP_DAMAGED, VP_CHANGED, VP_DROPPED, VP_DUPLICATED, VP_REORDERED,
                                 VP_INSERTED, VP_HEADER_CHANGED, VP_CHAIN, VP_BAD_SIGNATURE };
    int failed = 0;
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        failed |= has_problem(v, fatal[i]);
    if (!signed_any) {
        v->status = VERIFY_UNSIGNED;
        return;
    }
    if (failed) {
        v->status = VERIFY_FAILED;
        return;
    }
    if (!v->complete) {
        v->status = VERIFY_UNSIGNED_TAIL;
        return;
    }
    const station_public *st = known ? station_set_find(known, v->header.station_key) : NULL;
    if (st) {
        snprintf(v->station_name, sizeof v->station_name, "%s", st->name);
        v->status = VERIFY_OK;
    } else {
        v->status = VERIFY_UNKNOWN_KEY;
        add_finding(v, VP_UNKNOWN_KEY, -1, 0, 0,
                    "signed by station %s, whose key is not registered here (register the file that "
                    "`stipple station --export` writes on that station)", v->header.station_id);
    }
}

void session_verify_mem(const uint8_t *buf, size_t len, const station_set *known, session_verification *out)
{
    memset(out, 0, sizeof *out);
    out->file_bytes = len;
    out->verified_t_us = -1;
    session_data hd;
    memset(&hd, 0, sizeof hd);
    size_t pos;
    if (!buf || session_read_header(buf, len, &hd, &pos, out->error, sizeof out->error) != 0) {
        if (!buf)
            snprintf(out->error, sizeof out->error, "not a session file: empty");
        out->status = VERIFY_NOT_SESSION;
        return;
    }
    out->header = hd.header;
    out->format_version = (int)hd.header.format_version;
    vstate s = { buf, len, out, NULL, 0, 0, NULL, 0, 0 };
    int oom = push_rec(&s, sizeof session_magic, pos - sizeof session_magic, CHUNK_HEADER) != 0;
    int seen_end = 0;
    char why[160];
    /* 1. Every chunk, with damaged regions between them. */
    while (pos < len && !oom) {
        uint8_t type;
        const uint8_t *payload;
        size_t plen;
        if (session_read_frame(buf, len, pos, &type, &payload, &plen, why, sizeof why) == 0) {
            oom = push_rec(&s, pos, CHUNK_FRAME + plen, type) != 0;
            seen_end |= type == CHUNK_END;
            pos += CHUNK_FRAME + plen;
            continue;
        }
        size_t next = session_resync(buf, len, pos);
        int at_end = next == len && (len - pos < CHUNK_FRAME ||
                                     (uint64_t)read_le32(buf + pos + 1) > (uint64_t)(len - pos - CHUNK_FRAME));
        if (at_end)
            add_finding(out, VP_TRUNCATED, (long)s.n, pos, len,
                        "the file ends inside a chunk at byte %zu (%zu bytes of it): truncated", pos, len - pos);
        else
            add_finding(out, VP_DAMAGED, (long)s.n, pos, next,
                        "chunk %zu at byte %zu is damaged (%s); %zu bytes skipped to %s", s.n, pos, why,
                        next - pos, next < len ? "the next good chunk" : "the end of the file");
        oom = push_rec(&s, pos, next - pos, 0) != 0;
        pos = next;
    }
    size_t good = 0;
    for (size_t i = 0; i < s.n; i++)
        good += s.recs[i].type != 0;
    out->chunks = good;

    int signed_any = out->format_version >= 2 && out->header.station_id[0] != 0;
    if (oom) {
        snprintf(out->error, sizeof out->error, "out of memory verifying (%zu chunks)", s.n);
        out->status = VERIFY_NOT_SESSION;
        goto done;
    }
    if (!signed_any) {
        add_finding(out, VP_UNSIGNED, -1, 0, len, out->format_version < 2
                    ? "unsigned: a format 1 session (written before sessions were signed)"
                    : "unsigned: written without a station key");
        finish_status(out, 0, known);
        goto done;
    }

    /* 2. The checkpoints: each follows the one before and names the chunks before it. */
    uint8_t expect_link[CP_LINK];
    session_chunk_link(buf + s.recs[0].at, s.recs[0].len, expect_link);
    size_t seg_start = 1;
    uint32_t seq_expected = 0;
    int clean = 1;
    for (size_t j = 1; j < s.n; j++) {
        if (!s.recs[j].type) {
            clean = 0;
            continue;
        }
        if (s.recs[j].type != CHUNK_CHECKPOINT)
            continue;
        session_checkpoint cp;
        if (session_checkpoint_parse(buf + s.recs[j].at + 5, s.recs[j].len - CHUNK_FRAME, &cp) != 0) {
            add_finding(out, VP_DAMAGED, (long)j, s.recs[j].at, s.recs[j].at + s.recs[j].len,
                        "chunk %zu at byte %zu is a malformed checkpoint", j, s.recs[j].at);
            clean = 0;
            continue;
        }
        out->checkpoints++;
        int ok = 1;
        if (cp.seq != seq_expected) {
            add_finding(out, VP_CHAIN, (long)j, s.recs[j].at, s.recs[j].at + s.recs[j].len,
                        "checkpoint at byte %zu is number %lu where number %lu was due: a checkpoint was "
                        "dropped, duplicated or moved", s.recs[j].at, (unsigned long)cp.seq,
                        (unsigned long)seq_expected);
            ok = 0;
        }
        if (memcmp(cp.link, expect_link, CP_LINK) != 0) {
            if (seq_expected == 0 && cp.seq == 0)
                add_finding(out, VP_HEADER_CHANGED, 0, s.recs[0].at, s.recs[0].at + s.recs[0].len,
                            "the header (bytes %zu..%zu) was changed after signing: it differs from what "
                            "checkpoint 0 signed (calibration, trainee, origin or another field)",
                            s.recs[0].at, s.recs[0].at + s.recs[0].len);
            else if (ok)
                add_finding(out, VP_CHAIN, (long)j, s.recs[j].at, s.recs[j].at + s.recs[j].len,
                            "checkpoint %lu at byte %zu does not follow the checkpoint before it (that one "
                            "was changed, dropped or moved)", (unsigned long)cp.seq, s.recs[j].at);
            ok = 0;
        }
        if (!compare_segment(&s, seg_start, j, &cp, cp.seq))
            ok = 0;
        clean = clean && ok;
        if (s.ncp == s.cpcap) {
            size_t ncap = s.cpcap ? s.cpcap * 2 : 64;
            cp_info *grown = realloc(s.cps, ncap * sizeof *grown);
            if (!grown) {
                snprintf(out->error, sizeof out->error, "out of memory verifying");
                out->status = VERIFY_NOT_SESSION;
                goto done;
            }
            s.cps = grown;
            s.cpcap = ncap;
        }
        s.cps[s.ncp++] = (cp_info){ j, cp, ok, clean };
        session_chunk_link(buf + s.recs[j].at, s.recs[j].len, expect_link);
        seg_start = j + 1;
        seq_expected = cp.seq + 1;
    }

    /* 3. Signatures: when all is in order the last one vouches for everything before it. */
    long verified = -1;
    if (s.ncp > 0 && s.cps[s.ncp - 1].clean_before && checkpoint_signature_ok(&s, &s.cps[s.ncp - 1])) {
        verified = (long)s.ncp - 1;
    } else {
        for (size_t c = 0; c < s.ncp; c++) {
            if (checkpoint_signature_ok(&s, &s.cps[c])) {
                if (s.cps[c].clean_before)
                    verified = (long)c;
                continue;
            }
            const rec *r = &s.recs[s.cps[c].rec];
            add_finding(out, VP_BAD_SIGNATURE, (long)s.cps[c].rec, r->at, r->at + r->len,
                        "checkpoint %lu (bytes %zu..%zu) has a bad signature: the header's station key did "
                        "not make it (replaced, or signed with another key)", (unsigned long)s.cps[c].cp.seq,
                        r->at, r->at + r->len);
        }
    }
    if (verified >= 0) {
        const cp_info *c = &s.cps[verified];
        out->verified_chunks = c->rec + 1;
        out->verified_bytes = s.recs[c->rec].at + s.recs[c->rec].len;
        out->verified_t_us = (int64_t)c->cp.t_us;
    }

    /* 4. The end: an end marker, signed by the last checkpoint, with nothing after it. */
    size_t last_cp_rec = s.ncp ? s.cps[s.ncp - 1].rec : 0;
    int end_signed = 0;
    for (size_t j = 1; j <= last_cp_rec && s.ncp; j++)
        end_signed |= s.recs[j].type == CHUNK_END;
    size_t tail_from = s.ncp ? last_cp_rec + 1 : 1;
    if (tail_from < s.n) {
        size_t tail_good = 0;
        for (size_t j = tail_from; j < s.n; j++)
            tail_good += s.recs[j].type != 0;
        if (tail_good > 0) {
            char d[128];
            describe(&s, tail_from, d, sizeof d);
            add_finding(out, VP_UNSIGNED_TAIL, (long)tail_from, s.recs[tail_from].at, len,
                        "%zu chunk%s from %s to the end (byte %zu) %s not signed: %s", tail_good,
                        tail_good == 1 ? "" : "s", d, len, tail_good == 1 ? "is" : "are",
                        seen_end ? "the end marker has no checkpoint after it" : "the session stopped before its next checkpoint");
        }
    }
    if (!seen_end)
        add_finding(out, VP_NO_END, -1, len, len,
                    "no end marker: the session was not closed (the program stopped or the file was cut); "
                    "verified up to %s", verified >= 0 ? "the last checkpoint" : "nothing (no checkpoint)");
    else if (!end_signed)
        add_finding(out, VP_END_UNSIGNED, -1, len, len, "the end marker is not signed (the last checkpoint is missing)");
    out->complete = seen_end && end_signed && verified == (long)s.ncp - 1 && tail_from >= s.n;
    if (s.ncp == 0 && !has_problem(out, VP_NO_END))
        add_finding(out, VP_UNSIGNED_TAIL, -1, 0, len, "no checkpoint: nothing in the file is signed");
    finish_status(out, 1, known);
done:
    free(s.recs);
    free(s.cps);
}

int session_verify_file(const char *path, const station_set *known, session_verification *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(out->error, sizeof out->error, "cannot open: %s", strerror(errno));
        out->status = VERIFY_NOT_SESSION;
        return -1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= SESSION_FILE_MAX) {
                snprintf(out->error, sizeof out->error, "larger than a session file may be (%zu MB)",
                         SESSION_FILE_MAX >> 20);
                goto fail;
            }
            size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
            uint8_t *grown = realloc(buf, ncap);
            if (!grown) {
                snprintf(out->error, sizeof out->error, "out of memory reading %zu bytes", ncap);
                goto fail;
            }
            buf = grown;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(out->error, sizeof out->error, "read error");
        goto fail;
    }
    fclose(f);
    session_verify_mem(buf, len, known, out);
    free(buf);
    return 0;
fail:
    out->status = VERIFY_NOT_SESSION;
    free(buf);
    fclose(f);
    return -1;
}

const char *verify_status_name(int status)
{
    switch (status) {
    case VERIFY_OK:            return "verified";
    case VERIFY_UNKNOWN_KEY:   return "unknown key";
    case VERIFY_UNSIGNED_TAIL: return "verified up to the last checkpoint, unsigned tail";
    case VERIFY_UNSIGNED:      return "unsigned";
    case VERIFY_FAILED:        return "FAILED";
    default:                   return "not a session";
    }
}

const char *verify_problem_name(int problem)
{
    static const char *names[] = { "", "damaged", "changed", "dropped", "duplicated", "reordered",
                                   "inserted", "header_changed", "chain_broken", "bad_signature",
                                   "truncated", "no_end", "end_unsigned", "unsigned_tail", "unknown_key",
                                   "unsigned" };
    return problem > 0 && problem <= VP_UNSIGNED ? names[problem] : "unknown";
}
