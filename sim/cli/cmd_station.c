/* cmd_station.c: `stipple station`: this station's id and public key (made on first use),
 * exported for a gradebook, and other stations registered so that verify knows them. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sign.h"
#include "text_escape.h"

enum { OPT_JSON = CLI_LONG, OPT_EXPORT, OPT_REGISTER };

static const cli_option station_options[] = {
    { OPT_JSON, "json", NULL, "id, public key and key file as JSON, for scripts" },
    { OPT_EXPORT, "export", "FILE", "write this station's public description for a gradebook (- for stdout)" },
    { OPT_REGISTER, "register", "FILE", "register another station's exported file here, so verify knows it" },
    { 0 }
};

static int register_station(const char *path)
{
    station_public p;
    char err[512], dir[4096], dest[4200];
    if (station_public_load(path, &p, err, sizeof err) != 0) {
        cli_file_error(path, err);
        return 1;
    }
    if (station_registry_dir(dir, sizeof dir) != 0) {
        fprintf(stderr, "stipple: no folder for registered stations: set HOME or XDG_CONFIG_HOME\n");
        return 1;
    }
    /* make the folder and its parents */
    for (char *s = dir + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                fprintf(stderr, "stipple: %s: cannot make the folder: %s\n", dir, strerror(errno));
                return 1;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    snprintf(dest, sizeof dest, "%s/%s.station", dir, p.station_id);
    FILE *f = fopen(dest, "w");
    if (!f) {
        fprintf(stderr, "stipple: %s: cannot create: %s\n", dest, strerror(errno));
        return 1;
    }
    station_key k;   /* station_public_write takes a key; only its public half is written */
    memset(&k, 0, sizeof k);
    memcpy(k.public_key, p.public_key, sizeof k.public_key);
    memcpy(k.station_id, p.station_id, sizeof k.station_id);
    int bad = station_public_write(f, &k, p.name);
    bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "stipple: %s: cannot write\n", dest);
        return 1;
    }
    printf("registered station %s%s%s%s: %s\n", p.station_id, p.name[0] ? " \"" : "",
           p.name[0] ? text_escaped(p.name) : "", p.name[0] ? "\"" : "", dest);
    return 0;
}

static int run_station(const cli_command *cmd, int argc, char **argv)
{
    int json = 0;
    const char *export_path = NULL, *register_path = NULL;
    cli_args a;
    cli_args_init(&a, cmd, argc, argv);
    for (int k; (k = cli_args_next(&a)) != CLI_END;) {
        switch (k) {
        case OPT_JSON: json = 1; break;
        case OPT_EXPORT: export_path = a.value; break;
        case OPT_REGISTER: register_path = a.value; break;
        default: return cli_args_exit(k);
        }
    }
    if (a.npos > 0)
        return cli_usage_error(cmd, "unexpected argument '%s'", a.pos[0]);
    if (register_path)
        return register_station(register_path);
    char dir[4096], err[1024];
    if (station_keys_dir(dir, sizeof dir) != 0) {
        fprintf(stderr, "stipple: no folder for the station key: set HOME or XDG_CONFIG_HOME\n");
        return 1;
    }
    station_key key;
    int created = 0;
    if (station_key_load_or_create(dir, &key, &created, err, sizeof err) != 0) {
        fprintf(stderr, "stipple: %s\n", err);
        return 1;
    }
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    char hex[2 * SIGN_PUBLIC_BYTES + 1];
    sign_hex(key.public_key, SIGN_PUBLIC_BYTES, hex);
    int rc = 0;
    if (export_path) {
        FILE *f = cli_open_output(export_path);
        if (!f)
            rc = 1;
        else if (station_public_write(f, &key, host) != 0 || cli_close_output(f, export_path) != 0)
            rc = 1;
        if (rc == 0 && strcmp(export_path, "-") != 0 && !json)
            printf("wrote %s: station %s, for a gradebook to register (stipple station --register FILE "
                   "on the computer that verifies)\n", text_escaped(export_path), key.station_id);
    } else if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", key.station_id, "public_key", hex, "name", host,
                              "key_dir", dir, "created", created);
        char *txt = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (txt)
            printf("%s\n", txt);
        free(txt);
        json_decref(o);
    } else {
        printf("station     %s%s\n", key.station_id, created ? " (key made now)" : "");
        printf("public key  %s\n", hex);
        printf("name        %s\n", text_escaped(host));
        printf("key files   %s/station.key (private, mode 0600) and station.pub\n", text_escaped(dir));
        printf("Export it for a gradebook with: stipple station --export FILE\n");
    }
    memset(&key, 0, sizeof key);
    return rc;
}

const cli_command cli_cmd_station = {
    "station", "", "this station's id and public key (made on first use), exported for a gradebook",
    station_options, run_station,
    "Sessions recorded here are signed with this station's private key; a gradebook or another\n"
    "computer checks them with the public key (stipple verify). The exported file is text:\n"
    "  stipple-station 1\n  id <16 hex digits>\n  public-key <64 hex digits>\n  name <host name>\n"
};
