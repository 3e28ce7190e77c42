/*
 * module.c: the encode_webp module's ABI entry point (see wasm/ABI.md) and
 * the WebP container.
 *
 * lb_encode_webp(rgba, w, h, quality) encodes RGBA8 as a simple-format lossy
 * WebP file: "RIFF" <size> "WEBP" followed by one "VP8 " chunk holding a
 * single VP8 key frame (vp8enc.c). There is no VP8X/ALPH chunk, so alpha is
 * not kept: every pixel is composited onto opaque white first.
 *
 * quality is 0-100 (75 is the usual default); see vp8enc.c for how it maps
 * to the VP8 quantiser and loop filter.
 */
#include "lb.h"
#include "vp8enc.h"

#include <stdlib.h>
#include <string.h>

LB_EXPORT int32_t lb_encode_webp(const uint8_t *rgba, int32_t w, int32_t h,
                                 int32_t quality);

static void put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

int32_t lb_encode_webp(const uint8_t *rgba, int32_t w, int32_t h,
                       int32_t quality) {
  lb_begin();
  uint32_t size = 0;
  int32_t st = lb_check_image("encode_webp: source", rgba, w, h, &size);
  if (st != LB_OK) {
    return st;
  }
  if (quality < 0 || quality > 100) {
    return lb_fail(LB_EBADARG, "encode_webp: quality %d: must be 0-100",
                   (int)quality);
  }
  uint8_t *frame = NULL;
  size_t frame_len = 0;
  char err[160];
  err[0] = 0;
  int rc = vp8_encode_frame(rgba, w, h, quality, &frame, &frame_len, err,
                            sizeof(err));
  if (rc != 0) {
    return lb_fail(rc == -2 ? LB_ENOMEM : LB_EBADARG, "encode_webp: %s", err);
  }
  /* RIFF sizes are 32-bit and chunks are padded to an even length. */
  size_t pad = frame_len & 1;
  if (frame_len > 0xfffffff0u - 20) {
    free(frame);
    return lb_fail(LB_EBADARG, "encode_webp: %dx%d: output over 4 GiB", w, h);
  }
  size_t total = 20 + frame_len + pad;
  uint8_t *out = (uint8_t *)malloc(total);
  if (out == NULL) {
    free(frame);
    return lb_fail(LB_ENOMEM, "encode_webp: out of memory (%dx%d)", w, h);
  }
  memcpy(out, "RIFF", 4);
  put_le32(out + 4, (uint32_t)(total - 8));
  memcpy(out + 8, "WEBPVP8 ", 8);
  put_le32(out + 16, (uint32_t)frame_len);
  memcpy(out + 20, frame, frame_len);
  if (pad) {
    out[20 + frame_len] = 0;
  }
  free(frame);
  return lb_set_result(out, (uint32_t)total, 0, 0);
}
