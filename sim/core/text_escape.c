/* text_escape: see text_escape.h. */
#include "text_escape.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s does not start one. */
static size_t utf8_sequence_len(const unsigned char *s, unsigned *code_out)
{
    unsigned c = s[0], code, need;
    if (c < 0x80) { *code_out = c; return 1; }
    if (c >= 0xC2 && c <= 0xDF) { code = c & 0x1Fu; need = 1; }
    else if (c >= 0xE0 && c <= 0xEF) { code = c & 0x0Fu; need = 2; }
    else if (c >= 0xF0 && c <= 0xF4) { code = c & 0x07u; need = 3; }
    else return 0;
    for (unsigned i = 1; i <= need; i++) {
        if ((s[i] & 0xC0u) != 0x80u) return 0; /* also stops at the NUL */
        code = (code << 6) | (s[i] & 0x3Fu);
    }
    /* overlong forms, surrogates and past U+10FFFF are not text */
    if ((need == 2 && code < 0x800) || (need == 3 && code < 0x10000) || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    *code_out = code;
    return need + 1;
}

/* The escape for one piece of src: writes it into out (at most 12 bytes) and returns
 * its length; *used says how many source bytes it covers. */
static size_t escape_piece(const unsigned char *s, size_t *used, char out[12])
{
    unsigned code = 0;
    size_t n = utf8_sequence_len(s, &code);
    static const char hex[] = "0123456789abcdef";
    if (n == 0) { /* a byte that is not UTF-8 */
        *used = 1;
        out[0] = '\\'; out[1] = 'x'; out[2] = hex[s[0] >> 4]; out[3] = hex[s[0] & 15];
        return 4;
    }
    *used = n;
    if (code == '\\') { out[0] = '\\'; out[1] = '\\'; return 2; }
    if (code < 0x20 || code == 0x7F) {
        char named = 0;
        switch (code) {
        case '\n': named = 'n'; break;
        case '\t': named = 't'; break;
        case '\r': named = 'r'; break;
        case 0x1B: named = 'e'; break;
        default: break;
        }
        if (named) { out[0] = '\\'; out[1] = named; return 2; }
        out[0] = '\\'; out[1] = 'x'; out[2] = hex[code >> 4]; out[3] = hex[code & 15];
        return 4;
    }
    if (code >= 0x80 && code <= 0x9F) { /* C1 controls (CSI is U+009B) */
        memcpy(out, "\\u{", 3);
        out[3] = hex[code >> 4]; out[4] = hex[code & 15]; out[5] = '}';
        return 6;
    }
    memcpy(out, s, n);
    return n;
}

size_t text_escape(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t need = 0, written = 0;
    int cut = 0;
    while (*s) {
        char piece[12];
        size_t used = 0, len = escape_piece(s, &used, piece);
        if (!cut && dst && written + len < cap) {
            memcpy(dst + written, piece, len);
            written += len;
        } else {
            cut = 1;
        }
        need += len;
        s += used;
    }
    if (dst && cap > 0) dst[written] = '\0';
    return need;
}

void text_escape_fputs(FILE *f, const char *src)
{
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    while (*s) {
        char piece[12];
        size_t used = 0, len = escape_piece(s, &used, piece);
        fwrite(piece, 1, len, f);
        s += used;
    }
}

const char *text_escaped(const char *src)
{
    enum { SLOTS = 4, CAP = 1024 };
    static _Thread_local char slots[SLOTS][CAP];   /* per thread: batch grading prints from workers */
    static _Thread_local unsigned next;
    char *out = slots[next++ % SLOTS];
    if (text_escape(out, CAP, src) >= CAP) {
        size_t len = strlen(out);
        while (len > CAP - 4) len--;
        memcpy(out + len, "...", 4);
    }
    return out;
}
