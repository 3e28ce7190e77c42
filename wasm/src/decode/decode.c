/*
 * decode: PNG and JPEG to RGBA8 with stb_image (from Debian's libstb-dev).
 *
 * PNG: every colour type, bit depths 1-16 (16-bit is reduced to 8), Adam7
 * interlacing, tRNS. JPEG: baseline and progressive. Other formats are
 * compiled out.
 */
#include "lb.h"

#include <stdlib.h>
#include <string.h>

#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_FAILURE_USERMSG
/* One thread per instance; wasm32-wasi without threads has no TLS anyway. */
#define STBI_NO_THREAD_LOCALS
/*
 * JPEG cannot exceed 65535 per side; PNG can, but the host caps images at
 * 100 megapixels, so 1 << 17 per side admits every image the host admits
 * with a width or height up to 131072 while refusing absurd headers before
 * any allocation.
 */
#define STBI_MAX_DIMENSIONS (1 << 17)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

LB_EXPORT int32_t lb_decode(const uint8_t *src, uint32_t src_len);

int32_t lb_decode(const uint8_t *src, uint32_t src_len) {
  lb_begin();
  if (src == NULL || src_len == 0) {
    return lb_fail(LB_EBADARG, "decode: empty input");
  }
  if (src_len > 0x7fffffffu) {
    return lb_fail(LB_EBADARG, "decode: input of %u bytes exceeds 2^31-1",
                   src_len);
  }
  int w = 0, h = 0, comp = 0;
  stbi_uc *pix = stbi_load_from_memory(src, (int)src_len, &w, &h, &comp, 4);
  if (pix == NULL) {
    const char *why = stbi_failure_reason();
    if (why == NULL) {
      why = "unknown error";
    }
    if (strcmp(why, "Out of memory") == 0) {
      return lb_fail(LB_ENOMEM, "decode: out of memory");
    }
    return lb_fail(LB_ECORRUPT, "decode: %s", why);
  }
  uint64_t n = (uint64_t)w * (uint64_t)h * 4u;
  if (w <= 0 || h <= 0 || n > LB_MAX_IMAGE_BYTES) {
    stbi_image_free(pix);
    return lb_fail(LB_ECORRUPT, "decode: image size %dx%d out of range", w, h);
  }
  return lb_set_result(pix, (uint32_t)n, w, h);
}
