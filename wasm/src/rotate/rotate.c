/*
 * rotate: RGBA8 rotation by 0, 90, 180 or 270 degrees clockwise.
 *
 * 90 and 270 are transposes with a flip; they walk the image in square
 * tiles of ROT_TILE x ROT_TILE pixels (16 KiB each at 64), so both the
 * source rows read and the destination rows written stay in cache.
 * Pixels move as 32-bit words through memcpy, which compiles to single
 * unaligned loads and stores and keeps the code free of alignment UB.
 */
#include "lb.h"

#include <stdlib.h>
#include <string.h>

#define ROT_TILE 64

LB_EXPORT int32_t lb_rotate(const uint8_t *rgba, int32_t w, int32_t h,
                            int32_t degrees);

static inline uint32_t ld(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline void st(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/*
 * rotate90 turns clockwise: source (x, y) lands at destination
 * (h - 1 - y, x) in a dst of width h and height w.
 */
static void rotate90(const uint8_t *src, uint8_t *dst, size_t w, size_t h) {
  for (size_t y0 = 0; y0 < h; y0 += ROT_TILE) {
    size_t y1 = y0 + ROT_TILE < h ? y0 + ROT_TILE : h;
    for (size_t x0 = 0; x0 < w; x0 += ROT_TILE) {
      size_t x1 = x0 + ROT_TILE < w ? x0 + ROT_TILE : w;
      for (size_t x = x0; x < x1; x++) {
        uint8_t *d = dst + (x * h + (h - 1 - y0)) * 4;
        const uint8_t *s = src + (y0 * w + x) * 4;
        for (size_t y = y0; y < y1; y++) {
          st(d, ld(s));
          d -= 4;
          s += w * 4;
        }
      }
    }
  }
}

/*
 * rotate270 turns counter-clockwise by 90: source (x, y) lands at
 * destination (y, w - 1 - x).
 */
static void rotate270(const uint8_t *src, uint8_t *dst, size_t w, size_t h) {
  for (size_t y0 = 0; y0 < h; y0 += ROT_TILE) {
    size_t y1 = y0 + ROT_TILE < h ? y0 + ROT_TILE : h;
    for (size_t x0 = 0; x0 < w; x0 += ROT_TILE) {
      size_t x1 = x0 + ROT_TILE < w ? x0 + ROT_TILE : w;
      for (size_t x = x0; x < x1; x++) {
        uint8_t *d = dst + ((w - 1 - x) * h + y0) * 4;
        const uint8_t *s = src + (y0 * w + x) * 4;
        for (size_t y = y0; y < y1; y++) {
          st(d, ld(s));
          d += 4;
          s += w * 4;
        }
      }
    }
  }
}

/* rotate180 reverses the pixel order: row y becomes row h-1-y, mirrored. */
static void rotate180(const uint8_t *src, uint8_t *dst, size_t w, size_t h) {
  size_t n = w * h;
  const uint8_t *s = src;
  uint8_t *d = dst + (n - 1) * 4;
  for (size_t i = 0; i < n; i++) {
    st(d, ld(s));
    s += 4;
    d -= 4;
  }
}

int32_t lb_rotate(const uint8_t *rgba, int32_t w, int32_t h, int32_t degrees) {
  lb_begin();
  uint32_t size = 0;
  int32_t st_ = lb_check_image("rotate: source", rgba, w, h, &size);
  if (st_ != LB_OK) {
    return st_;
  }
  if (degrees != 0 && degrees != 90 && degrees != 180 && degrees != 270) {
    return lb_fail(LB_EBADARG,
                   "rotate: %d degrees: must be 0, 90, 180 or 270", (int)degrees);
  }
  uint8_t *dst = malloc(size);
  if (dst == NULL) {
    return lb_fail(LB_ENOMEM, "rotate: out of memory allocating %u bytes", size);
  }
  switch (degrees) {
  case 0:
    memcpy(dst, rgba, size);
    return lb_set_result(dst, size, w, h);
  case 90:
    rotate90(rgba, dst, (size_t)w, (size_t)h);
    return lb_set_result(dst, size, h, w);
  case 180:
    rotate180(rgba, dst, (size_t)w, (size_t)h);
    return lb_set_result(dst, size, w, h);
  default:
    rotate270(rgba, dst, (size_t)w, (size_t)h);
    return lb_set_result(dst, size, h, w);
  }
}
