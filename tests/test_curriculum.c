/* test_curriculum.c: the curriculum reader. The shipped curriculum loads and names only
 * shipped lessons; good files give every field as written; each bad file fails with the
 * line and column of the offending word, computed here from the text, and leaves the
 * output untouched. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "curriculum.h"
#include "lesson_dir.h"

static const char good[] =
    "# a comment\n"
    "curriculum stipple-curriculum/1\n"
    "id clinic-a.level_1\n"
    "title Level 1: the basics  \n"
    "\n"
    "lesson spacing-drill\n"
    "\tlesson depth-control after spacing-drill\n"
    "exam soft-hairline after spacing-drill depth-control\n"
    "rule attempts 4\n"
    "rule average 80.5\n"
    "rule each-passed no\n"
    "rule never-events wrong-pigment\n";

static void test_good(void)
{
    curriculum c;
    char err[512] = "";
    int rc = curriculum_load_mem(good, strlen(good), "good.curriculum", &c, err, sizeof err);
    CHECK(rc == 0, "good: %s", err);
    if (rc != 0)
        return;
    CHECK(strcmp(c.id, "clinic-a.level_1") == 0, "id %s", c.id);
    CHECK(strcmp(c.title, "Level 1: the basics  ") == 0, "title '%s' (the rest of the line)", c.title);
    CHECK(c.lesson_count == 3, "three lessons");
    CHECK(!c.lessons[0].exam && !c.lessons[1].exam && c.lessons[2].exam, "exam flags");
    CHECK(c.lessons[1].prereq_count == 1 && c.lessons[1].prereq[0] == 0, "depth-control after spacing-drill");
    CHECK(c.lessons[2].prereq_count == 2 && c.lessons[2].prereq[1] == 1, "soft-hairline after both");
    CHECK(c.lessons[1].line == 7 && c.lessons[1].column == 9, "position of depth-control: %zu:%zu",
          c.lessons[1].line, c.lessons[1].column);
    CHECK(c.attempts == 4 && c.average_min == 80.5 && !c.each_passed && c.never_events == NEVER_WRONG_PIGMENT,
          "rule as written");
    CHECK(curriculum_find(&c, "depth-control") == 1 && curriculum_find(&c, "nope") == -1, "find");
    curriculum_free(&c);

    const char defaults[] = "curriculum stipple-curriculum/1\nid d\nexam x\n";
    CHECK(curriculum_load_mem(defaults, strlen(defaults), "d", &c, err, sizeof err) == 0, "defaults: %s", err);
    CHECK(c.attempts == 3 && c.average_min == 75 && c.each_passed
          && c.never_events == (NEVER_OUTSIDE_ZONE | NEVER_WRONG_PIGMENT) && strcmp(c.title, "d") == 0,
          "defaults: last 3, average 75, each passed, both never events, title = id");
    curriculum_free(&c);
}

/* Each bad case: the text, the word the error must point at (its first occurrence on
 * the named line, 1-based), and a fragment of the message. */
typedef struct bad_case {
    const char *text;
    int line;
    const char *at;     /* NULL: column 1 */
    const char *says;
} bad_case;

static void test_bad(void)
{
    static const bad_case cases[] = {
        { "", 1, NULL, "empty" },
        { "id x\n", 1, "id", "first line" },
        { "curriculum stipple-curriculum/2\n", 1, "stipple-curriculum/2", "unknown format" },
        { "curriculum stipple-curriculum/1\nexam a\n", 1, NULL, "missing 'id'" },
        { "curriculum stipple-curriculum/1\nid x\nlesson a\n", 1, NULL, "no 'exam'" },
        { "curriculum stipple-curriculum/1\nid x\nlesson a after b\n", 3, "b", "not listed above" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nexam a\n", 4, "a\n", "twice" },
        { "curriculum stipple-curriculum/1\nid x\nexam a after a\n", 3, "a\n", "itself" },
        { "curriculum stipple-curriculum/1\nid x\nlesson a\nexam b before a\n", 4, "before", "'after'" },
        { "curriculum stipple-curriculum/1\nid x\nlesson a\nexam b after a a\n", 4, "a\n", "named twice" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule attempts 0\n", 4, "0", "out of range" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule attempts 2.5\n", 4, "2.5", "whole number" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule average 101\n", 4, "101", "out of range" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule average nan\n", 4, "nan", "number" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule avrage 70\n", 4, "avrage", "unknown rule" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule average 70\nrule average 71\n", 5, "average", "twice" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule never-events bleeding\n", 4, "bleeding", "never-event" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\nrule each-passed maybe\n", 4, "maybe", "yes or no" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\ncertify now\n", 4, "certify", "unknown keyword" },
        { "curriculum stipple-curriculum/1\nid bad/id\nexam a\n", 2, "/", "letters" },
        { "curriculum stipple-curriculum/1\nid x y\nexam a\n", 2, "y", "one word" },
        { "curriculum stipple-curriculum/1\nid x\nexam a\x01\n", 3, "\x01", "control" },
        { "curriculum stipple-curriculum/1\nid x\nexam \xc3\x28\n", 3, "\xc3", "UTF-8" },
        { "curriculum stipple-curriculum/1\nid x\nexam \xe0\x80\xaf\n", 3, "\xe0", "UTF-8" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *b = &cases[i];
        /* the expected column: where `at` first appears on that line */
        size_t col = 1;
        if (b->at) {
            const char *ln = b->text;
            for (int k = 1; k < b->line; k++)
                ln = strchr(ln, '\n') + 1;
            col = (size_t)(strstr(ln, b->at) - ln) + 1;
        }
        char want[64];
        snprintf(want, sizeof want, "bad.curriculum:%d:%zu: ", b->line, col);
        curriculum c;
        memset(&c, 0x5a, sizeof c);
        char err[512] = "";
        int rc = curriculum_load_mem(b->text, strlen(b->text), "bad.curriculum", &c, err, sizeof err);
        CHECK(rc != 0, "case %zu loads", i);
        CHECK(strncmp(err, want, strlen(want)) == 0, "case %zu: want '%s...', got '%s'", i, want, err);
        CHECK(strstr(err, b->says) != NULL, "case %zu: '%s' should say '%s'", i, err, b->says);
        CHECK(((unsigned char *)&c)[0] == 0x5a && ((unsigned char *)&c)[sizeof c - 1] == 0x5a, "case %zu: output untouched", i);
    }
    /* bounded: too many lessons, too long a line, too large a file */
    char big[CURRICULUM_MAX_BYTES + 64];
    size_t n = (size_t)snprintf(big, sizeof big, "curriculum stipple-curriculum/1\nid x\n");
    for (int i = 0; i <= CURRICULUM_MAX_LESSONS; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "exam l%d\n", i);
    curriculum c;
    char err[512];
    CHECK(curriculum_load_mem(big, n, "big", &c, err, sizeof err) != 0 && strstr(err, "at most"), "lesson limit: %s", err);
    memset(big, 'a', sizeof big);
    CHECK(curriculum_load_mem(big, CURRICULUM_MAX_BYTES + 1, "big", &c, err, sizeof err) != 0 && strstr(err, "over"),
          "size limit: %s", err);
    n = (size_t)snprintf(big, sizeof big, "curriculum stipple-curriculum/1\nid ");
    memset(big + n, 'x', CURRICULUM_MAX_LINE + 10);
    CHECK(curriculum_load_mem(big, n + CURRICULUM_MAX_LINE + 10, "long", &c, err, sizeof err) != 0
          && strncmp(err, "long:2:", 7) == 0, "line limit: %s", err);
}

/* The shipped curriculum loads, and every lesson it names is a shipped lesson. */
static void test_shipped(void)
{
    const char *path = STIPPLE_SOURCE_DIR "/lessons/smp-technician-1.curriculum";
    curriculum c;
    char err[512] = "";
    int rc = curriculum_load_file(path, &c, err, sizeof err);
    CHECK(rc == 0, "shipped: %s", err);
    if (rc != 0)
        return;
    CHECK(curriculum_is_path(path) && !curriculum_is_path("x.json"), "named as a curriculum");
    lesson_dir_entry *e = NULL;
    size_t n = 0;
    CHECK(lesson_dir_scan(STIPPLE_SOURCE_DIR "/lessons", &e, &n) == 0 && n > 0, "lessons folder");
    for (size_t i = 0; i < c.lesson_count; i++)
        CHECK(lesson_dir_find(e, n, c.lessons[i].id, NULL, NULL) != NULL, "'%s' is a shipped lesson", c.lessons[i].id);
    free(e);
    curriculum_free(&c);
}

int main(void)
{
    test_good();
    test_bad();
    test_shipped();
    return check_summary("test_curriculum");
}
