/* json_locate.c: where the value at a JSON path lies in a text that jansson has already
 * parsed (it knows positions only for syntax errors), so that a validator's error can name
 * file:line:column. A small scanner over the (known valid) text; it never allocates. */
#include "json_locate.h"

#include <string.h>

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* i at the opening quote; returns the index after the closing quote. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
    i++;
    while (i < n && t[i] != '"') {
        if (t[i] == '\\')
            i++;
        i++;
    }
    return i < n ? i + 1 : n;
}

static size_t skip_value(const char *t, size_t n, size_t i)
{
    if (i >= n)
        return n;
    if (t[i] == '"')
        return skip_string(t, n, i);
    if (t[i] == '{' || t[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            char ch = t[i];
            if (ch == '"') {
                i = skip_string(t, n, i);
                continue;
            }
            if (ch == '{' || ch == '[')
                depth++;
            else if (ch == '}' || ch == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            i++;
        }
        return n;
    }
    while (i < n && t[i] != ',' && t[i] != ']' && t[i] != '}' && t[i] != ' ' && t[i] != '\t'
           && t[i] != '\n' && t[i] != '\r')
        i++;
    return i;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static unsigned read_hex4(const char *t, size_t n, size_t i)
{
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = i + k < n ? hexval(t[i + k]) : -1;
        if (h < 0)
            return 0xFFFFFFFFu;
        v = v * 16u + (unsigned)h;
    }
    return v;
}

/* Does the JSON string starting at t[i] (the quote) decode to exactly key? */
static int string_equals(const char *t, size_t n, size_t i, const char *key)
{
    size_t k = 0, klen = strlen(key);
    i++;
    while (i < n && t[i] != '"') {
        unsigned char buf[4];
        size_t blen = 0;
        if (t[i] != '\\') {
            buf[blen++] = (unsigned char)t[i++];
        } else {
            if (i + 1 >= n)
                return 0;
            char e = t[i + 1];
            i += 2;
            switch (e) {
            case 'b': buf[blen++] = '\b'; break;
            case 'f': buf[blen++] = '\f'; break;
            case 'n': buf[blen++] = '\n'; break;
            case 'r': buf[blen++] = '\r'; break;
            case 't': buf[blen++] = '\t'; break;
            case 'u': {
                unsigned cp = read_hex4(t, n, i);
                if (cp == 0xFFFFFFFFu)
                    return 0;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && t[i] == '\\' && t[i + 1] == 'u') {
                    unsigned lo = read_hex4(t, n, i + 2);
                    if (lo != 0xFFFFFFFFu && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000u + ((cp - 0xD800u) << 10) + (lo - 0xDC00u);
                        i += 6;
                    }
                }
                if (cp < 0x80) {
                    buf[blen++] = (unsigned char)cp;
                } else if (cp < 0x800) {
                    buf[blen++] = (unsigned char)(0xC0 | (cp >> 6));
                    buf[blen++] = (unsigned char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    buf[blen++] = (unsigned char)(0xE0 | (cp >> 12));
                    buf[blen++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[blen++] = (unsigned char)(0x80 | (cp & 0x3F));
                } else {
                    buf[blen++] = (unsigned char)(0xF0 | (cp >> 18));
                    buf[blen++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    buf[blen++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[blen++] = (unsigned char)(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: buf[blen++] = (unsigned char)e; break;   /* " \ / */
            }
        }
        if (k + blen > klen || memcmp(key + k, buf, blen) != 0)
            return 0;
        k += blen;
    }
    return k == klen;
}

/* Byte offset of the value at path (or of its key when at_key and the last component is a
 * key). Stops at the deepest component it can find, so it always returns something. */
size_t json_locate(const char *t, size_t n, const json_path_step *path, int depth, int at_key)
{
    size_t i = skip_ws(t, n, 0);
    for (int d = 0; d < depth; d++) {
        size_t here = i;
        int found = 0;
        if (path[d].key) {
            if (i >= n || t[i] != '{')
                return here;
            i++;
            for (;;) {
                i = skip_ws(t, n, i);
                if (i >= n || t[i] != '"')
                    return here;
                size_t key_at = i;
                int match = string_equals(t, n, i, path[d].key);
                i = skip_ws(t, n, skip_string(t, n, i));
                if (i >= n || t[i] != ':')
                    return here;
                i = skip_ws(t, n, i + 1);
                if (match) {
                    if (at_key && d == depth - 1)
                        return key_at;
                    found = 1;
                    break;
                }
                i = skip_ws(t, n, skip_value(t, n, i));
                if (i >= n || t[i] != ',')
                    return here;
                i++;
            }
        } else {
            if (i >= n || t[i] != '[')
                return here;
            i++;
            for (size_t j = 0;; j++) {
                i = skip_ws(t, n, i);
                if (i >= n || t[i] == ']')
                    return here;
                if (j == path[d].index) {
                    found = 1;
                    break;
                }
                i = skip_ws(t, n, skip_value(t, n, i));
                if (i >= n || t[i] != ',')
                    return here;
                i++;
            }
        }
        if (!found)
            return here;
    }
    return i;
}
