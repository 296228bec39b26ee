/* session_sign.c: checkpoint chunks (layout in session_codec.c): parsing, digests and the
 * signature check shared by the writer and session_verify. */
#include "session_wire.h"

#include <stdlib.h>

#include "sign.h"

int session_checkpoint_parse(const uint8_t *p, size_t n, session_checkpoint *cp)
{
    memset(cp, 0, sizeof *cp);
    if (n < CP_FIXED + SIGN_BYTES)
        return -1;
    bin b = { p, n, 0, 0 };
    cp->seq = get_u32(&b);
    cp->t_us = get_u64(&b);
    cp->link = p + b.pos;
    b.pos += CP_LINK;
    cp->count = get_u16(&b);
    if (b.bad || cp->count > CP_MAX_CHUNKS || cp->t_us > (uint64_t)T_MAX)
        return -1;
    if (n != CP_FIXED + (size_t)cp->count * CP_DIGEST + SIGN_BYTES)
        return -1;
    cp->digests = p + b.pos;
    cp->signed_len = n - SIGN_BYTES;
    cp->signature = p + cp->signed_len;
    return 0;
}

void session_chunk_digest(const uint8_t *chunk, size_t n, uint8_t out[CP_DIGEST])
{
    sign_digest(chunk, n, out, CP_DIGEST);
}

void session_chunk_link(const uint8_t *chunk, size_t n, uint8_t out[CP_LINK])
{
    sign_digest(chunk, n, out, CP_LINK);
}

int session_checkpoint_signed(const uint8_t *payload, const session_checkpoint *cp, const uint8_t *public_key)
{
    /* The message is the domain followed by the signed payload bytes. */
    uint8_t stackbuf[2048];
    size_t mlen = sizeof CP_SIG_DOMAIN - 1 + cp->signed_len;
    uint8_t *m = mlen <= sizeof stackbuf ? stackbuf : malloc(mlen);
    if (!m)
        return 0;
    memcpy(m, CP_SIG_DOMAIN, sizeof CP_SIG_DOMAIN - 1);
    memcpy(m + sizeof CP_SIG_DOMAIN - 1, payload, cp->signed_len);
    int ok = sign_check(public_key, m, mlen, cp->signature);
    if (m != stackbuf)
        free(m);
    return ok;
}
