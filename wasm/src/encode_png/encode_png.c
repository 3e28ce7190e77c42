/*
 * encode_png: RGBA8 to PNG (colour type 6, 8 bits) with stb_image_write
 * (Debian's libstb-dev), written to memory through stbi_write_png_to_func.
 *
 * level is the zlib-style level 0-9 and sets stbi_write_png_compression_level
 * for the call. stb's deflate has no stored mode and clamps levels below 5
 * to 5, so levels 0-5 give the same output; higher levels search longer
 * hash chains.
 */
#include "lb.h"

#include <stdlib.h>

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

LB_EXPORT int32_t lb_encode_png(const uint8_t *rgba, int32_t w, int32_t h,
                                int32_t level);

int32_t lb_encode_png(const uint8_t *rgba, int32_t w, int32_t h,
                      int32_t level) {
  lb_begin();
  uint32_t size = 0;
  int32_t st = lb_check_image("encode_png: source", rgba, w, h, &size);
  if (st != LB_OK) {
    return st;
  }
  if (level < 0 || level > 9) {
    return lb_fail(LB_EBADARG, "encode_png: level %d: must be 0-9", (int)level);
  }
  stbi_write_png_compression_level = level;
  lb_buf out = {0};
  int ok = stbi_write_png_to_func(lb_buf_write, &out, w, h, 4, rgba, w * 4);
  if (!ok || out.failed || out.len == 0) {
    free(out.data);
    /* stb_image_write fails only when an allocation fails. */
    return lb_fail(LB_ENOMEM, "encode_png: out of memory (%dx%d)", w, h);
  }
  return lb_set_result(out.data, out.len, 0, 0);
}
