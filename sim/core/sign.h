/* sign.h: the cryptography behind signed sessions (libsodium): BLAKE2b digests, Ed25519
 * signatures, and the station's key pair kept under $XDG_CONFIG_HOME/stipple/keys/.
 *
 * A station is one computer that records sessions. Its id is the first 8 bytes of the
 * BLAKE2b-256 digest of its public key, as 16 lowercase hex digits, so an id cannot be
 * claimed without the key.
 *
 * Files (all text, one "name value" pair a line, '#' starts a comment):
 *   keys/station.key   mode 0600, never shared:
 *                        stipple-station-secret 1
 *                        secret-key <128 hex digits: the Ed25519 secret key, seed + public>
 *   keys/station.pub   and what `stipple station --export FILE` writes, for a gradebook:
 *                        stipple-station 1
 *                        id <16 hex digits>
 *                        public-key <64 hex digits>
 *                        name <free text, optional, for people: the host name>
 * A private key file that its group or others may read is refused. */
#ifndef STIPPLE_SIGN_H
#define STIPPLE_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIGN_PUBLIC_BYTES  32
#define SIGN_SECRET_BYTES  64
#define SIGN_BYTES         64
#define SIGN_DIGEST_BYTES  32
#define SIGN_STATION_ID_LEN 16            /* hex digits */

typedef struct station_key {
    uint8_t public_key[SIGN_PUBLIC_BYTES];
    uint8_t secret_key[SIGN_SECRET_BYTES];
    char    station_id[SIGN_STATION_ID_LEN + 1];
} station_key;

/* A station as a gradebook knows it: id, public key, a name for people. */
typedef struct station_public {
    char    station_id[SIGN_STATION_ID_LEN + 1];
    uint8_t public_key[SIGN_PUBLIC_BYTES];
    char    name[64];
} station_public;

/* 0, or -1 when libsodium cannot start (no usable random source). Safe to call often. */
int  sign_init(void);
/* BLAKE2b of p[0..n) with an output of outlen bytes (16..64). */
void sign_digest(const uint8_t *p, size_t n, uint8_t *out, size_t outlen);
/* The station id of a public key. */
void sign_station_id(const uint8_t public_key[SIGN_PUBLIC_BYTES], char out[SIGN_STATION_ID_LEN + 1]);
/* A new random key pair. 0 or -1. */
int  sign_keypair_new(station_key *k);
void sign_detached(const station_key *k, const uint8_t *msg, size_t n, uint8_t sig[SIGN_BYTES]);
/* 1 when sig is a valid signature of msg by public_key, else 0. */
int  sign_check(const uint8_t public_key[SIGN_PUBLIC_BYTES], const uint8_t *msg, size_t n,
                const uint8_t sig[SIGN_BYTES]);
void sign_hex(const uint8_t *p, size_t n, char *out);   /* out holds 2n + 1 chars */

/* --- key storage ------------------------------------------------------------------- */

/* $XDG_CONFIG_HOME/stipple/keys, else $HOME/.config/stipple/keys. 0 or -1 (no home). */
int station_keys_dir(char *out, size_t len);
/* $XDG_CONFIG_HOME/stipple/stations: stations registered with this computer (verify reads
 * every *.station file there). 0 or -1. */
int station_registry_dir(char *out, size_t len);
/* Loads this station's key from dir (NULL: station_keys_dir). -1 with err when missing,
 * unreadable, malformed, or readable by others; *missing = 1 when there is no key file. */
int station_key_load(const char *dir, station_key *k, int *missing, char *err, size_t errlen);
/* Loads the key, or makes one (dir created 0700, key file 0600, station.pub 0644) when
 * there is none. *created = 1 when it was made now. 0 or -1 with err. */
int station_key_load_or_create(const char *dir, station_key *k, int *created, char *err, size_t errlen);
/* Writes the public description (format above). 0 or -1. */
int station_public_write(FILE *f, const station_key *k, const char *name);
/* Parses a public description. 0, or -1 with err (no file name in it). */
int station_public_parse(const char *text, size_t len, station_public *out, char *err, size_t errlen);
int station_public_load(const char *path, station_public *out, char *err, size_t errlen);

/* A set of registered stations: every *.station / *.pub file in a folder. */
typedef struct station_set {
    station_public *items;
    size_t n;
} station_set;
/* Adds the stations found in dir (missing dir: nothing added). Files that do not parse are
 * reported through `warn` (may be NULL). 0, or -1 when out of memory. */
int  station_set_add_dir(station_set *s, const char *dir, void (*warn)(const char *msg));
int  station_set_add(station_set *s, const station_public *p);
const station_public *station_set_find(const station_set *s, const uint8_t public_key[SIGN_PUBLIC_BYTES]);
void station_set_free(station_set *s);

#endif
