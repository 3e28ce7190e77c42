/*
 * encode_jpeg: RGBA8 to baseline JPEG (YCbCr 4:2:0 up to quality 90, 4:4:4
 * above) with stb_image_write (Debian's libstb-dev), written to memory
 * through stbi_write_jpg_to_func. Alpha is dropped.
 */
#include "lb.h"

#include <stdlib.h>

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

LB_EXPORT int32_t lb_encode_jpeg(const uint8_t *rgba, int32_t w, int32_t h,
                                 int32_t quality);

int32_t lb_encode_jpeg(const uint8_t *rgba, int32_t w, int32_t h,
                       int32_t quality) {
  lb_begin();
  uint32_t size = 0;
  int32_t st = lb_check_image("encode_jpeg: source", rgba, w, h, &size);
  if (st != LB_OK) {
    return st;
  }
  if (w > 65535 || h > 65535) {
    return lb_fail(LB_EBADARG,
                   "encode_jpeg: size %dx%d: JPEG allows at most 65535 per side",
                   (int)w, (int)h);
  }
  if (quality < 1 || quality > 100) {
    return lb_fail(LB_EBADARG, "encode_jpeg: quality %d: must be 1-100",
                   (int)quality);
  }
  lb_buf out = {0};
  int ok = stbi_write_jpg_to_func(lb_buf_write, &out, w, h, 4, rgba, quality);
  if (!ok || out.failed || out.len == 0) {
    free(out.data);
    return lb_fail(LB_ENOMEM, "encode_jpeg: out of memory (%dx%d)", w, h);
  }
  return lb_set_result(out.data, out.len, 0, 0);
}
