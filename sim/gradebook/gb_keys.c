/* gb_keys.c: clinic and instructor key files. */
#include "gb_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdg.h"

int gb_key_path(const char *name, char *buf, size_t len)
{
    char rel[512];
    int n = snprintf(rel, sizeof rel, "keys/%s.key", name);
    if (n < 0 || (size_t)n >= sizeof rel)
        return -1;
    return xdg_stipple_path(XDG_CONFIG, rel, buf, len) == 0 ? 0 : -1;
}

static int mkdirs_private(const char *file, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: cannot make the folder: %s", dir, strerror(errno));
                return -1;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return 0;
}

static int make_key(const char *path, gb_keypair *out, char *err, size_t errlen)
{
    if (mkdirs_private(path, err, errlen) != 0)
        return -1;
    crypto_sign_keypair(out->pk, out->sk);
    char hex[2 * crypto_sign_SECRETKEYBYTES + 1];
    sodium_bin2hex(hex, sizeof hex, out->sk, sizeof out->sk);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot make the key: %s", path, strerror(errno));
        return -1;
    }
    size_t n = strlen(hex);
    hex[n] = '\n';
    int ok = write(fd, hex, n + 1) == (ssize_t)(n + 1) && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        unlink(path);
        snprintf(err, errlen, "%s: cannot write the key", path);
        return -1;
    }
    return 0;
}

int gb_key_load(const char *path, int make, gb_keypair *out, int *made, char *err, size_t errlen)
{
    if (made)
        *made = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && make) {
        if (make_key(path, out, err, errlen) != 0)
            return -1;
        if (made)
            *made = 1;
        return 0;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: not a key file", path);
        return -1;
    }
    if (st.st_mode & 077) {
        close(fd);
        snprintf(err, errlen, "%s: the private key is readable by others (mode %04o); refused. "
                 "Run chmod 600 on it if it has not been copied, otherwise make a new key",
                 path, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    char hex[2 * crypto_sign_SECRETKEYBYTES + 8];
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    if (n < 0)
        n = 0;
    hex[n] = '\0';
    while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
        hex[--n] = '\0';
    size_t got = 0;
    if ((size_t)n != 2 * crypto_sign_SECRETKEYBYTES
        || sodium_hex2bin(out->sk, sizeof out->sk, hex, (size_t)n, NULL, &got, NULL) != 0 || got != sizeof out->sk) {
        sodium_memzero(hex, sizeof hex);
        snprintf(err, errlen, "%s: not a key file (expected %d hex digits)", path, 2 * crypto_sign_SECRETKEYBYTES);
        return -1;
    }
    sodium_memzero(hex, sizeof hex);
    crypto_sign_ed25519_sk_to_pk(out->pk, out->sk);
    return 0;
}

void gb_key_public_hex(const gb_keypair *k, char hex[65])
{
    sodium_bin2hex(hex, 65, k->pk, sizeof k->pk);
}

void gb_key_sign_hex(const gb_keypair *k, const void *msg, size_t len, char hex[129])
{
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, len, k->sk);
    sodium_bin2hex(hex, 129, sig, sizeof sig);
}

int gb_key_verify_hex(const char *pk_hex, const void *msg, size_t len, const char *sig_hex)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    size_t a = 0, b = 0;
    if (!pk_hex || !sig_hex || strlen(pk_hex) != 64 || strlen(sig_hex) != 128
        || sodium_hex2bin(pk, sizeof pk, pk_hex, 64, NULL, &a, NULL) != 0 || a != sizeof pk
        || sodium_hex2bin(sig, sizeof sig, sig_hex, 128, NULL, &b, NULL) != 0 || b != sizeof sig)
        return -1;
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : -1;
}
