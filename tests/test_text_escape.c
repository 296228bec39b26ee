/* text_escape: control characters and broken UTF-8 from files never reach the terminal. */
#include "check.h"
#include "text_escape.h"

#include <string.h>

static int has_raw_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F) return 1;
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) return 1; /* a C1 control */
    }
    return 0;
}

static void expect(const char *in, const char *want)
{
    char out[256];
    size_t need = text_escape(out, sizeof out, in);
    CHECK(strcmp(out, want) == 0, "escape of %zu-byte input: got \"%s\", want \"%s\"", strlen(in), out, want);
    CHECK(need == strlen(want), "needed length %zu, want %zu", need, strlen(want));
    CHECK(!has_raw_control(out), "a raw control character survived in \"%s\"", out);
}

int main(void)
{
    expect("Soft hairline", "Soft hairline");
    expect("\x1b]0;pwned\x07title", "\\e]0;pwned\\x07title");
    expect("a\nb\tc\rd", "a\\nb\\tc\\rd");
    expect("back\\slash", "back\\\\slash");
    expect("caf\xc3\xa9 \xe2\x80\x94 ok", "caf\xc3\xa9 \xe2\x80\x94 ok");  /* é and an em dash stay */
    expect("csi\xc2\x9b" "31m", "csi\\u{9b}31m");                          /* C1 CSI */
    expect("bad\xff\xfe", "bad\\xff\\xfe");
    expect("overlong\xc0\xaf", "overlong\\xc0\\xaf");
    expect("cut\xe2\x80", "cut\\xe2\\x80");
    expect("del\x7f", "del\\x7f");

    /* A small buffer cuts at a whole escape and reports the full length. */
    char small[6];
    size_t need = text_escape(small, sizeof small, "ab\x1b" "cd");
    CHECK(need == strlen("ab\\ecd"), "full length %zu", need);
    CHECK(strcmp(small, "ab\\ec") == 0, "cut output \"%s\"", small);
    need = text_escape(small, sizeof small, "abcd\x1b");
    CHECK(strcmp(small, "abcd") == 0, "an escape is never split: \"%s\"", small);

    /* Every single byte value, alone and after text: never a raw control out. */
    for (int b = 1; b < 256; b++) {
        char in[4] = {'x', (char)b, 'y', 0};
        char out[32];
        text_escape(out, sizeof out, in);
        CHECK(!has_raw_control(out), "byte 0x%02x left a control: %s", b, out);
    }
    /* text_escaped on long input ends in "..." and stays in its buffer. */
    char longer[3000];
    memset(longer, '\x1b', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    const char *e = text_escaped(longer);
    CHECK(strlen(e) < 1024 && strcmp(e + strlen(e) - 3, "...") == 0, "long input cut with ...");
    CHECK(strcmp(text_escaped(NULL), "") == 0, "NULL is empty");
    return check_summary("test_text_escape");
}
