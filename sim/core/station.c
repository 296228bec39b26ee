/* station.c: this station's key pair on disk and the stations a gradebook registers
 * (file formats in sign.h). */
#include "sign.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdg.h"

#define KEY_FILE "station.key"
#define PUB_FILE "station.pub"
#define TEXT_MAX 4096            /* no key or station file is longer */

static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static int config_subdir(const char *sub, char *out, size_t len)
{
    return xdg_stipple_path(XDG_CONFIG, sub, out, len) == 0 ? 0 : -1;
}

int station_keys_dir(char *out, size_t len) { return config_subdir("keys", out, len); }
int station_registry_dir(char *out, size_t len) { return config_subdir("stations", out, len); }

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Exactly 2n hex digits into out[n]. 0 or -1. */
static int parse_hex(const char *s, size_t slen, uint8_t *out, size_t n)
{
    if (slen != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* Calls fn(name, value) for each "name value" line; stops at the first non-zero. */
typedef int (*line_fn)(void *ctx, const char *name, size_t nlen, const char *value, size_t vlen);
static int each_line(const char *text, size_t len, line_fn fn, void *ctx)
{
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t a = pos, b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (a < b && text[a] != '#') {
            size_t sp = a;
            while (sp < b && text[sp] != ' ' && text[sp] != '\t')
                sp++;
            size_t v = sp;
            while (v < b && (text[v] == ' ' || text[v] == '\t'))
                v++;
            int rc = fn(ctx, text + a, sp - a, text + v, b - v);
            if (rc)
                return rc;
        }
        pos = end + 1;
    }
    return 0;
}

static int is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* Reads a whole small file. Returns its length or -1 with err. */
static long read_small(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_msg(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    int bad = ferror(f);
    int more = !bad && n == cap && fgetc(f) != EOF;
    fclose(f);
    if (bad || more) {
        set_msg(err, errlen, bad ? "%s: read error" : "%s: too long for a station file", path);
        return -1;
    }
    return (long)n;
}

/* --- the public description ----------------------------------------------------------- */

typedef struct pub_parse {
    station_public *out;
    int magic, has_id, has_key;
    const char *problem;
} pub_parse;

static int pub_line(void *ctx, const char *name, size_t nlen, const char *value, size_t vlen)
{
    pub_parse *p = ctx;
    if (!p->magic) {
        if (!is(name, nlen, "stipple-station") || !is(value, vlen, "1")) {
            p->problem = "not a station file (the first line must be \"stipple-station 1\")";
            return 1;
        }
        p->magic = 1;
    } else if (is(name, nlen, "id")) {
        if (vlen != SIGN_STATION_ID_LEN) {
            p->problem = "the id is not 16 hex digits";
            return 1;
        }
        memcpy(p->out->station_id, value, vlen);
        p->out->station_id[vlen] = '\0';
        p->has_id = 1;
    } else if (is(name, nlen, "public-key")) {
        if (parse_hex(value, vlen, p->out->public_key, SIGN_PUBLIC_BYTES) != 0) {
            p->problem = "the public key is not 64 hex digits";
            return 1;
        }
        p->has_key = 1;
    } else if (is(name, nlen, "name")) {
        size_t n = vlen < sizeof p->out->name - 1 ? vlen : sizeof p->out->name - 1;
        memcpy(p->out->name, value, n);
        p->out->name[n] = '\0';
    }   /* other names: later additions, ignored */
    return 0;
}

int station_public_parse(const char *text, size_t len, station_public *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    pub_parse p = { out, 0, 0, 0, NULL };
    each_line(text, len, pub_line, &p);
    if (!p.problem && !p.magic)
        p.problem = "empty";
    if (!p.problem && !p.has_key)
        p.problem = "no public-key line";
    if (!p.problem) {
        char want[SIGN_STATION_ID_LEN + 1];
        sign_station_id(out->public_key, want);
        if (p.has_id && strcmp(want, out->station_id) != 0)
            p.problem = "the id does not belong to the public key";
        memcpy(out->station_id, want, sizeof want);
    }
    if (p.problem) {
        set_msg(err, errlen, "%s", p.problem);
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

int station_public_load(const char *path, station_public *out, char *err, size_t errlen)
{
    char buf[TEXT_MAX];
    long n = read_small(path, buf, sizeof buf, err, errlen);
    if (n < 0)
        return -1;
    char why[160];
    if (station_public_parse(buf, (size_t)n, out, why, sizeof why) != 0) {
        set_msg(err, errlen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

int station_public_write(FILE *f, const station_key *k, const char *name)
{
    char hex[2 * SIGN_PUBLIC_BYTES + 1];
    sign_hex(k->public_key, SIGN_PUBLIC_BYTES, hex);
    fprintf(f, "stipple-station 1\nid %s\npublic-key %s\n", k->station_id, hex);
    if (name && *name) {
        fputs("name ", f);
        for (const char *c = name; *c; c++)   /* one line: no control characters */
            fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, f);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* --- this station's secret key ------------------------------------------------------- */

typedef struct key_parse {
    station_key *k;
    int magic, has_key;
    const char *problem;
} key_parse;

static int key_line(void *ctx, const char *name, size_t nlen, const char *value, size_t vlen)
{
    key_parse *p = ctx;
    if (!p->magic) {
        if (!is(name, nlen, "stipple-station-secret") || !is(value, vlen, "1")) {
            p->problem = "not a station key (the first line must be \"stipple-station-secret 1\")";
            return 1;
        }
        p->magic = 1;
    } else if (is(name, nlen, "secret-key")) {
        if (parse_hex(value, vlen, p->k->secret_key, SIGN_SECRET_BYTES) != 0) {
            p->problem = "the secret key is not 128 hex digits";
            return 1;
        }
        p->has_key = 1;
    }
    return 0;
}

int station_key_load(const char *dir, station_key *k, int *missing, char *err, size_t errlen)
{
    char dbuf[4096], path[4200];
    if (missing)
        *missing = 0;
    memset(k, 0, sizeof *k);
    if (!dir) {
        if (station_keys_dir(dbuf, sizeof dbuf) != 0) {
            set_msg(err, errlen, "no folder for the station key: set HOME or XDG_CONFIG_HOME");
            return -1;
        }
        dir = dbuf;
    }
    snprintf(path, sizeof path, "%s/%s", dir, KEY_FILE);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing)
            *missing = 1;
        set_msg(err, errlen, "%s: cannot open the station key: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        set_msg(err, errlen, "%s: the station key is not a regular file", path);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        set_msg(err, errlen, "%s: the station's private key may be read by others (mode %04o); refusing "
                             "to use it. Make it private with: chmod 600 '%s'", path,
                (unsigned)(st.st_mode & 07777), path);
        return -1;
    }
    char buf[TEXT_MAX];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n < 0 || (size_t)n == sizeof buf) {
        set_msg(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "too long for a station key");
        return -1;
    }
    key_parse p = { k, 0, 0, NULL };
    each_line(buf, (size_t)n, key_line, &p);
    if (!p.problem && !p.has_key)
        p.problem = "no secret-key line";
    if (!p.problem) {
        /* An Ed25519 secret key holds its public key in the last 32 bytes; check they agree. */
        uint8_t pk[SIGN_PUBLIC_BYTES], sig[SIGN_BYTES];
        memcpy(pk, k->secret_key + 32, sizeof pk);
        static const uint8_t probe[] = "stipple station key check";
        sign_detached(k, probe, sizeof probe, sig);
        if (sign_check(pk, probe, sizeof probe, sig) != 1)
            p.problem = "the secret key is damaged (it does not sign for its own public key)";
        memcpy(k->public_key, pk, sizeof pk);
    }
    if (p.problem) {
        set_msg(err, errlen, "%s: %s", path, p.problem);
        memset(k, 0, sizeof *k);
        return -1;
    }
    sign_station_id(k->public_key, k->station_id);
    return 0;
}

static int mkdir_p(const char *dir, mode_t mode)
{
    char tmp[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, mode) != 0 && errno != EEXIST)
                return -1;
            tmp[i] = c;
        }
    }
    return 0;
}

int station_key_load_or_create(const char *dir, station_key *k, int *created, char *err, size_t errlen)
{
    char dbuf[4096], path[4200], tmp[4300];
    if (created)
        *created = 0;
    if (!dir) {
        if (station_keys_dir(dbuf, sizeof dbuf) != 0) {
            set_msg(err, errlen, "no folder for the station key: set HOME or XDG_CONFIG_HOME");
            return -1;
        }
        dir = dbuf;
    }
    int missing = 0;
    if (station_key_load(dir, k, &missing, err, errlen) == 0)
        return 0;
    if (!missing)
        return -1;
    if (mkdir_p(dir, 0700) != 0) {
        set_msg(err, errlen, "%s: cannot make the key folder: %s", dir, strerror(errno));
        return -1;
    }
    if (sign_keypair_new(k) != 0) {
        set_msg(err, errlen, "cannot make a station key: no random source");
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, KEY_FILE);
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld", dir, KEY_FILE, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        set_msg(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
        return -1;
    }
    char hex[2 * SIGN_SECRET_BYTES + 1], text[300];
    sign_hex(k->secret_key, SIGN_SECRET_BYTES, hex);
    int len = snprintf(text, sizeof text, "stipple-station-secret 1\nsecret-key %s\n", hex);
    int ok = fchmod(fd, 0600) == 0 && write(fd, text, (size_t)len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    /* link() fails when another process made the key first: then use theirs. */
    if (ok && link(tmp, path) != 0) {
        unlink(tmp);
        if (errno == EEXIST)
            return station_key_load(dir, k, NULL, err, errlen);
        set_msg(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    unlink(tmp);
    if (!ok) {
        set_msg(err, errlen, "%s: cannot write the station key", path);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, PUB_FILE);
    FILE *f = fopen(path, "w");
    if (f) {
        char host[64] = "";
        gethostname(host, sizeof host - 1);
        station_public_write(f, k, host);
        fclose(f);
    }
    if (created)
        *created = 1;
    return 0;
}

/* --- registered stations ------------------------------------------------------------- */

int station_set_add(station_set *s, const station_public *p)
{
    if (station_set_find(s, p->public_key))
        return 0;
    station_public *grown = realloc(s->items, (s->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    s->items = grown;
    s->items[s->n++] = *p;
    return 0;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a > b && strcmp(s + a - b, suf) == 0;
}

int station_set_add_dir(station_set *s, const char *dir, void (*warn)(const char *msg))
{
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(dp)) != NULL && rc == 0) {
        if (!has_suffix(de->d_name, ".station") && !has_suffix(de->d_name, ".pub"))
            continue;
        char path[4200], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        station_public p;
        if (station_public_load(path, &p, err, sizeof err) != 0) {
            if (warn)
                warn(err);
            continue;
        }
        rc = station_set_add(s, &p);
    }
    closedir(dp);
    return rc;
}

const station_public *station_set_find(const station_set *s, const uint8_t public_key[SIGN_PUBLIC_BYTES])
{
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->items[i].public_key, public_key, SIGN_PUBLIC_BYTES) == 0)
            return &s->items[i];
    return NULL;
}

void station_set_free(station_set *s)
{
    free(s->items);
    s->items = NULL;
    s->n = 0;
}
