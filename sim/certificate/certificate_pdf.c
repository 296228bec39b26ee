/* certificate_pdf.c: laying out a certificate from its payload, with cairo. */
#include "certificate_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <jansson.h>
#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_escape.h"

#define PAGE_W 595.0   /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 56.0
#define KEYWORD_TAG "stipple-certificate:"
#define MAX_PDF_BYTES (16u << 20)

typedef struct page {
    cairo_t *cr;
    double   y;
} page;

static void font(cairo_t *cr, int mono, int bold, double size)
{
    cairo_select_font_face(cr, mono ? "DejaVu Sans Mono" : "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Text from the payload drawn escaped: names may hold anything. */
static void text_at(cairo_t *cr, double x, double y, const char *s)
{
    char buf[1024];
    text_escape(buf, sizeof buf, s);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, buf);
}

static void centred(cairo_t *cr, double y, const char *s)
{
    char buf[1024];
    text_escape(buf, sizeof buf, s);
    cairo_text_extents_t e;
    cairo_text_extents(cr, buf, &e);
    cairo_move_to(cr, (PAGE_W - e.x_advance) / 2, y);
    cairo_show_text(cr, buf);
}

static void need(page *p, double h)
{
    if (p->y + h <= PAGE_H - MARGIN)
        return;
    cairo_show_page(p->cr);
    p->y = MARGIN + 12;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int base64_of(const char *s, char **out)
{
    size_t n = strlen(s);
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    *out = malloc(cap);
    if (!*out)
        return -1;
    sodium_bin2base64(*out, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

int certificate_pdf_write(const char *path, const char *payload, const char *signature_hex, const char *code,
                          char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loads(payload, 0, &je);
    if (!root) {
        snprintf(err, errlen, "the certificate payload is not JSON: %s", je.text);
        return -1;
    }
    char *b64 = NULL;
    if (base64_of(payload, &b64) != 0) {
        json_decref(root);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t kwlen = strlen(KEYWORD_TAG) + strlen(b64) + 1 + strlen(signature_hex) + 1;
    char *kw = malloc(kwlen);
    cairo_surface_t *sf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (!kw || cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s: cannot write it", path);
        free(kw);
        free(b64);
        cairo_surface_destroy(sf);
        json_decref(root);
        return -1;
    }
    snprintf(kw, kwlen, "%s%s:%s", KEYWORD_TAG, b64, signature_hex);
    json_t *trainee = json_object_get(root, "trainee"), *cur = json_object_get(root, "curriculum"),
           *rule = json_object_get(root, "rule"), *ev = json_object_get(root, "evidence");
    const char *issued = jstr(root, "issued_at");
    char date[32];
    snprintf(date, sizeof date, "%.19sZ", issued);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, "Stipple training certificate");
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "stipple certify");
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_MOD_DATE, date);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_KEYWORDS, kw);

    page p = { .cr = cairo_create(sf), .y = MARGIN + 40 };
    cairo_t *cr = p.cr;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 2);
    cairo_rectangle(cr, MARGIN / 2, MARGIN / 2, PAGE_W - MARGIN, PAGE_H - MARGIN);
    cairo_stroke(cr);
    font(cr, 0, 1, 26);
    centred(cr, p.y, "Certificate of training");
    p.y += 34;
    font(cr, 0, 0, 15);
    centred(cr, p.y, jstr(cur, "title"));
    p.y += 40;
    font(cr, 0, 0, 12);
    centred(cr, p.y, "awarded to");
    p.y += 30;
    font(cr, 0, 1, 22);
    centred(cr, p.y, jstr(trainee, "name"));
    p.y += 20;
    font(cr, 0, 0, 11);
    char line[1024];
    snprintf(line, sizeof line, "trainee id %s", jstr(trainee, "id"));
    centred(cr, p.y, line);
    p.y += 30;
    snprintf(line, sizeof line, "Issued %.10s at %.8s UTC under curriculum %s", issued, issued + 11, jstr(cur, "id"));
    centred(cr, p.y, line);
    p.y += 16;
    snprintf(line, sizeof line, "Rule: each exam's last %lld attempts passed, their average at least %.1f, no never event",
             (long long)json_integer_value(json_object_get(rule, "attempts")),
             json_number_value(json_object_get(rule, "average_min")));
    centred(cr, p.y, line);
    p.y += 34;

    font(cr, 0, 1, 12);
    text_at(cr, MARGIN, p.y, "Evidence");
    p.y += 16;
    font(cr, 0, 1, 9);
    text_at(cr, MARGIN, p.y, "lesson");
    text_at(cr, MARGIN + 130, p.y, "date (UTC)");
    text_at(cr, MARGIN + 200, p.y, "station");
    text_at(cr, MARGIN + 300, p.y, "score");
    text_at(cr, MARGIN + 345, p.y, "result");
    p.y += 4;
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        need(&p, 30);
        p.y += 13;
        font(cr, 0, 0, 9);
        text_at(cr, MARGIN, p.y, jstr(e, "lesson"));
        snprintf(line, sizeof line, "%.10s", jstr(e, "attempt_at"));
        text_at(cr, MARGIN + 130, p.y, line);
        text_at(cr, MARGIN + 200, p.y, jstr(e, "station"));
        snprintf(line, sizeof line, "%.1f", json_number_value(json_object_get(e, "total")));
        text_at(cr, MARGIN + 300, p.y, line);
        text_at(cr, MARGIN + 345, p.y, json_is_true(json_object_get(e, "passed")) ? "passed" : "failed");
        p.y += 10;
        font(cr, 1, 0, 6.5);
        snprintf(line, sizeof line, "session %s", jstr(e, "session"));
        text_at(cr, MARGIN + 10, p.y, line);
    }
    need(&p, 120);
    p.y += 40;
    font(cr, 0, 0, 11);
    text_at(cr, MARGIN, p.y, "Verification code");
    p.y += 26;
    font(cr, 1, 1, 24);
    text_at(cr, MARGIN, p.y, code);
    p.y += 20;
    font(cr, 0, 0, 9);
    text_at(cr, MARGIN, p.y, "Check it with:  stipple certify --verify CODE   (or --verify this-file.pdf)");
    p.y += 14;
    font(cr, 1, 0, 6.5);
    snprintf(line, sizeof line, "signed by the clinic's Ed25519 key %s", jstr(root, "clinic_key"));
    text_at(cr, MARGIN, p.y, line);
    p.y += 10;
    snprintf(line, sizeof line, "curriculum file hash %s", jstr(cur, "content_hash"));
    text_at(cr, MARGIN, p.y, line);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    cairo_status_t st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    free(kw);
    free(b64);
    json_decref(root);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(st));
        return -1;
    }
    return 0;
}

int certificate_pdf_read(const char *path, char **payload, char signature_hex[129], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(MAX_PDF_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_PDF_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n > MAX_PDF_BYTES) {
        free(buf);
        snprintf(err, errlen, "%s: %s", path, buf ? "too large for a certificate" : "out of memory");
        return -1;
    }
    buf[n] = '\0';
    /* the Keywords string: "(stipple-certificate:BASE64:HEX)" */
    const char *tag = NULL;
    for (size_t i = 0; i + strlen(KEYWORD_TAG) < n; i++)
        if (buf[i] == '(' && memcmp(buf + i + 1, KEYWORD_TAG, strlen(KEYWORD_TAG)) == 0) {
            tag = buf + i + 1 + strlen(KEYWORD_TAG);
            break;
        }
    const char *end = tag ? memchr(tag, ')', n - (size_t)(tag - buf)) : NULL;
    const char *colon = end ? memchr(tag, ':', (size_t)(end - tag)) : NULL;
    if (!colon || end - colon - 1 != 128) {
        free(buf);
        snprintf(err, errlen, "%s: not a Stipple certificate (no signed payload inside)", path);
        return -1;
    }
    size_t b64len = (size_t)(colon - tag);
    unsigned char *bin = malloc(b64len + 1);
    size_t binlen = 0;
    if (!bin || sodium_base642bin(bin, b64len, tag, b64len, NULL, &binlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(bin);
        free(buf);
        snprintf(err, errlen, "%s: the certificate's payload is damaged", path);
        return -1;
    }
    bin[binlen] = '\0';
    if (strlen((char *)bin) != binlen) {
        free(bin);
        free(buf);
        snprintf(err, errlen, "%s: the certificate's payload is damaged", path);
        return -1;
    }
    memcpy(signature_hex, colon + 1, 128);
    signature_hex[128] = '\0';
    *payload = (char *)bin;
    free(buf);
    return 0;
}

void certificate_pdf_release_fonts(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
