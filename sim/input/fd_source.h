/* fd_source.h: raw `struct input_event` records read from a non-blocking file descriptor (a
 * pipe or socketpair) as an input source, through the same evdev_pen handler a live device
 * and a recording use. For benches and tests where there is no /dev/uinput: a writer thread
 * plays the kernel's part. Timestamps in the records are CLOCK_MONOTONIC, as a live device's
 * (libevdev_set_clock_id); session time is that minus the source's opening time, plus
 * start_us, exactly as evdev_source does. End of file (the writer closed its end) is
 * INPUT_END. */
#ifndef STIPPLE_FD_SOURCE_H
#define STIPPLE_FD_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "evdev_pen.h"
#include "input_source.h"

/* Takes ownership of fd (closed by close). desc: the device it pretends to be. NULL on
 * allocation failure. */
input_source *fd_source_open(int fd, const device_desc *desc, int64_t start_us);
/* The fd to poll(2) on, -1 after end of file or for other sources. */
int fd_source_fd(const input_source *s);
const evdev_pen *fd_source_pen(const input_source *s);

#endif
