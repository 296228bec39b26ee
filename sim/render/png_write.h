/* png_write.h: screenshots. */
#ifndef STIPPLE_PNG_WRITE_H
#define STIPPLE_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

/* Writes 8-bit RGB rows (top row first) as a PNG. 0, or -1 with err set. */
int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, char *err, size_t errlen);

/* Reads the back buffer (after glFinish) into rgb (w * h * 3, top row first). */
void gl_read_back_rgb(int w, int h, uint8_t *rgb);

#endif
