/* review.h: the review screen's entry points and its kinds of flag (screen_review.c). */
#ifndef STIPPLE_REVIEW_H
#define STIPPLE_REVIEW_H

/* The kinds of flag the review steps through and shows (the score's flags grouped). */
enum review_kind {
    REVIEW_KIND_ALL = 0,
    REVIEW_KIND_DEPTH,     /* blow-out, shed, out of the band */
    REVIEW_KIND_SPACING,   /* too close */
    REVIEW_KIND_PLACE,     /* outside the zone, in front of the hairline, off the scalp */
    REVIEW_KIND_COLOUR,    /* wrong colour or needle */
    REVIEW_KIND_DRAG,      /* dragged, size outlier */
    REVIEW_KIND_COUNT
};

/* "all", "depth", ... -> the kind; -1 when unknown. */
int review_kind_from_name(const char *name);

#endif
