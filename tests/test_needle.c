/* test_needle.c: the fresh dot the needle makes (model-defaults.md, "Needles and dots"). */
#include "check.h"
#include "needle.h"

int main(void)
{
    skin_layers layers;
    skin_default_layers(REGION_FRONTAL, &layers);
    for (double d = 0.18; d <= 0.30 + 1e-9; d += 0.01) {
        needle one = { NEEDLE_1RL, (float)d }, three = { NEEDLE_3RL, (float)d };
        CHECK_NEAR(needle_footprint_mm(&one), (double)one.diameter_mm, 1e-12, "1RL footprint = needle diameter");
        CHECK_NEAR(needle_footprint_mm(&three), 2.15 * (double)three.diameter_mm, 1e-12, "3RL footprint = 2.15 d");
        /* a clean stipple inside the band is the footprint */
        CHECK_NEAR(needle_fresh_diameter_mm(&three, 100000, 0.3, &layers), needle_footprint_mm(&three), 1e-12,
                   "clean 3RL stipple at 0.3 mm");
        /* longer dwell and deeper both widen the dot, monotonically */
        double prev = 0.0;
        for (int64_t dwell = 50000; dwell <= 2000000; dwell += 50000) {
            double w = needle_fresh_diameter_mm(&one, dwell, 0.3, &layers);
            CHECK(w >= prev, "dwell %lld us: %.4f mm not below %.4f", (long long)dwell, w, prev);
            prev = w;
        }
        CHECK(needle_fresh_diameter_mm(&one, 1000000, 0.3, &layers) > needle_footprint_mm(&one),
              "a one-second dwell widens the dot");
        prev = 0.0;
        for (double depth = 0.05; depth <= 1.5; depth += 0.05) {
            double w = needle_fresh_diameter_mm(&one, 100000, depth, &layers);
            CHECK(w >= prev, "depth %.2f mm: %.4f mm not below %.4f", depth, w, prev);
            prev = w;
        }
        CHECK(needle_fresh_diameter_mm(&one, 100000, 1.0, &layers) > needle_fresh_diameter_mm(&one, 100000, 0.4, &layers),
              "past the papillary dermis the fresh dot is wider");
    }
    CHECK(needle_config_from_name("1RL") == NEEDLE_1RL && needle_config_from_name("3RL") == NEEDLE_3RL
              && needle_config_from_name("5RL") == 0 && needle_config_from_name(NULL) == 0,
          "needle names");
    return check_summary("test_needle");
}
