/* sign.c: BLAKE2b digests and Ed25519 signatures through libsodium. */
#include "sign.h"

#include <sodium.h>
#include <string.h>

int sign_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void sign_digest(const uint8_t *p, size_t n, uint8_t *out, size_t outlen)
{
    crypto_generichash(out, outlen, p, n, NULL, 0);
}

void sign_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15u];
    }
    out[2 * n] = '\0';
}

void sign_station_id(const uint8_t public_key[SIGN_PUBLIC_BYTES], char out[SIGN_STATION_ID_LEN + 1])
{
    uint8_t d[SIGN_DIGEST_BYTES];
    sign_digest(public_key, SIGN_PUBLIC_BYTES, d, sizeof d);
    sign_hex(d, SIGN_STATION_ID_LEN / 2, out);
}

int sign_keypair_new(station_key *k)
{
    if (sign_init() != 0)
        return -1;
    memset(k, 0, sizeof *k);
    crypto_sign_keypair(k->public_key, k->secret_key);
    sign_station_id(k->public_key, k->station_id);
    return 0;
}

void sign_detached(const station_key *k, const uint8_t *msg, size_t n, uint8_t sig[SIGN_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, n, k->secret_key);
}

int sign_check(const uint8_t public_key[SIGN_PUBLIC_BYTES], const uint8_t *msg, size_t n,
               const uint8_t sig[SIGN_BYTES])
{
    if (sign_init() != 0)
        return 0;
    return crypto_sign_verify_detached(sig, msg, n, public_key) == 0;
}
