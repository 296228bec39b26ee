/* certificate_pdf.h: the certificate as a PDF (cairo). Everything on the page comes from
 * the signed payload, and the payload and its signature travel inside the PDF (its
 * Keywords entry), so `stipple certify --verify FILE` checks the file itself. The same
 * payload gives the same bytes (dates in the metadata come from the payload). */
#ifndef STIPPLE_CERTIFICATE_PDF_H
#define STIPPLE_CERTIFICATE_PDF_H

#include <stddef.h>

/* 0, or -1 with err. */
int certificate_pdf_write(const char *path, const char *payload, const char *signature_hex, const char *code,
                          char *err, size_t errlen);
/* Reads the payload (malloc'd) and signature back from a certificate PDF written above.
 * Bounded: at most 16 MiB of file. 0, or -1 with err. */
int certificate_pdf_read(const char *path, char **payload, char signature_hex[129], char *err, size_t errlen);

/* Frees cairo's and fontconfig's process-wide font caches (they are kept until exit
 * otherwise, which leak checkers report). Call once, when no more certificates are made. */
void certificate_pdf_release_fonts(void);

#endif
