/* test_gradebook_pg.c: the gradebook suite on the PostgreSQL engine, against a real server
 * this test starts itself (tests/pg_cluster.sh: a throwaway cluster in a temporary folder,
 * unix socket only, run as an unprivileged user) and stops at the end. Skipped (77) only
 * when PostgreSQL's server programs are not installed. */
#include "gradebook_suite.h"

static char dir[] = "/tmp/stipple-pg-XXXXXX";
static char base_host[4200];

static int run_helper(const char *args)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "bash '%s/tests/pg_cluster.sh' %s", STIPPLE_SOURCE_DIR, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static const char *fresh_db(const char *name)
{
    static char uri[4400];
    char args[4400];
    snprintf(args, sizeof args, "createdb '%s' '%s'", dir, name);
    CHECK(run_helper(args) == 0, "createdb %s", name);
    snprintf(uri, sizeof uri, "postgresql://postgres@/%s?host=%s", name, base_host);
    return uri;
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char args[4400];
    snprintf(args, sizeof args, "start '%s' >/dev/null", dir);
    int rc = run_helper(args);
    if (rc == 77) {
        rmdir(dir);
        printf("test_gradebook_pg: skipped (no PostgreSQL server programs)\n");
        return 77;
    }
    if (rc != 0) {
        fprintf(stderr, "could not start a PostgreSQL cluster in %s\n", dir);
        snprintf(args, sizeof args, "stop '%s'", dir);
        run_helper(args);
        return 1;
    }
    snprintf(base_host, sizeof base_host, "%s/sock", dir);
    run_suite(fresh_db);
    /* a wrong server: a clear error, no password or URI echoed */
    gradebook *g;
    char err[1024];
    CHECK(gradebook_open("postgresql://postgres:secret@/nope?host=/nonexistent", &g, err, sizeof err) != 0
          && !strstr(err, "secret"), "unreachable server: %s", err);
    snprintf(args, sizeof args, "stop '%s'", dir);
    run_helper(args);
    return check_summary("test_gradebook_pg");
}
