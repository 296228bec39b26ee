/* gb_keys.h: Ed25519 key files for the clinic (signs certificates) and for instructors
 * (sign overrides), under $XDG_CONFIG_HOME/stipple/keys/ (~/.config/stipple/keys/).
 * A key file is the 64-byte libsodium secret key in hex on one line, mode 0600; a secret
 * key readable by anyone else is refused, not used. */
#ifndef STIPPLE_GB_KEYS_H
#define STIPPLE_GB_KEYS_H

#include <sodium.h>
#include <stddef.h>

typedef struct gb_keypair {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
} gb_keypair;

/* "$XDG_CONFIG_HOME/stipple/keys/NAME.key". 0 or -1 (no home). */
int gb_key_path(const char *name, char *buf, size_t len);
/* Loads the key at path; when it does not exist and make is set, makes a new pair there
 * (folders 0700, file 0600). *made says which. 0 or -1 with err ("PATH: reason"). */
int gb_key_load(const char *path, int make, gb_keypair *out, int *made, char *err, size_t errlen);
/* hex of the public key (65 bytes with the NUL). */
void gb_key_public_hex(const gb_keypair *k, char hex[65]);
/* Signs msg; hex of the detached signature (129 bytes with the NUL). */
void gb_key_sign_hex(const gb_keypair *k, const void *msg, size_t len, char hex[129]);
/* 0 when sig_hex is a valid signature of msg by pk_hex, else -1. */
int gb_key_verify_hex(const char *pk_hex, const void *msg, size_t len, const char *sig_hex);

#endif
