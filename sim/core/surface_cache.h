/* surface_cache.h: a built surface written to a file and read back bit for bit, so the app
 * need not build the head (~0.4 s of two cores) every time it starts.
 *
 * The file holds the surface's arrays as they are in memory, after a header that names the
 * program that made them (a 32-byte key the caller derives, e.g. from the executable) and
 * ends with a BLAKE2b hash of everything before it. A file is used only when its key,
 * kind and size match, its hash matches, and every index in it is in range (a hand-made
 * file with a right hash still cannot make a ray cast read out of bounds); anything else is
 * refused with a message and the caller builds the surface as usual.
 * Limits: files over SURFACE_CACHE_MAX_BYTES are refused unread; reading costs one pass
 * over the file. Not portable between machines (native byte order; the key differs). */
#ifndef STIPPLE_SURFACE_CACHE_H
#define STIPPLE_SURFACE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "surface.h"

#define SURFACE_CACHE_MAX_BYTES (512ull << 20)
#define SURFACE_CACHE_KEY_BYTES 32

/* Writes s to path (a temporary file beside it, then renamed: a reader never sees half a
 * file). 0, or -1 with err. */
int surface_cache_save(const surface *s, const char *path, const uint8_t key[SURFACE_CACHE_KEY_BYTES], char *err,
                       size_t errlen);

/* The surface in path, made with key for (kind, width, height), or NULL: err is then ""
 * when there is no such file, else why the file was refused. */
surface *surface_cache_load(const char *path, surface_kind kind, double width_mm, double height_mm,
                            const uint8_t key[SURFACE_CACHE_KEY_BYTES], char *err, size_t errlen);

/* The surface for (kind, width, height), as surface_create() makes it. The head comes from
 * the user's cache folder ($XDG_CACHE_HOME/stipple, else ~/.cache/stipple) when a file
 * made by this very executable is there (the key is a hash of /proc/self/exe), else it is
 * built and saved there for next time; the practice skin, built in a millisecond, is
 * always built. STIPPLE_SURFACE_CACHE=0 turns the cache off. A refused file or a folder
 * that cannot be written is a warning on stderr, never an error. The folder keeps the
 * SURFACE_CACHE_KEEP files used last (other builds'); older ones are removed.
 * *from_cache (may be NULL): 1 when the surface was read from the cache. */
#define SURFACE_CACHE_KEEP 3
surface *surface_open(surface_kind kind, double width_mm, double height_mm, int *from_cache);

/* BLAKE2b of the surface's content (every array and count): equal digests, equal surfaces. */
void surface_digest(const surface *s, uint8_t out[32]);

#endif
