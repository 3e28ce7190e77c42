/*
 * decode: PNG and JPEG to RGBA8 with stb_image (from Debian's libstb-dev).
 *
 * PNG: every colour type, bit depths 1-16 (16-bit is reduced to 8), Adam7
 * interlacing, tRNS, Apple's CgBI (raw deflate; pixels as stored, as
 * stb_image returns them by default). JPEG: baseline, extended and
 * progressive Huffman. Other formats are compiled out.
 *
 * Hostile input is stopped where the work happens, in three layers:
 *   1. png.c / jpeg.c scan the whole file first (no pixels decoded): CRCs,
 *      lengths, truncation, the pixel floor a file's size must justify,
 *      the caller's pixel limit, and for JPEG bounds on scans and work.
 *   2. Every stb_image allocation goes through a bounded allocator whose
 *      budget is what the scanned header needs (computed below from the
 *      same sizes stb_image allocates), checked against the caller's
 *      memory limit before anything is allocated. An allocation over the
 *      budget fails as "over a limit", a failed malloc as "out of memory".
 *      Every allocation is zeroed, so no uninitialised buffer (a component
 *      no scan writes, a table a file doesn't define) can show bytes of an
 *      earlier request, and any allocation stb_image leaves behind on an
 *      error path is freed before lb_decode returns.
 *   3. PNG image data is inflated here, into one buffer of exactly the
 *      size the header implies (stb_image's own PNG path grows its buffer
 *      without bound), with the zlib header and Adler-32 checked; then
 *      stb_image's own unfiltering, de-interlacing, palette and format
 *      conversion run on it. The palette is png.c's, fully initialised.
 */
#include "decode.h"
#include "lb.h"

#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

LB_EXPORT int32_t lb_decode(const uint8_t *src, uint32_t src_len, uint32_t max_pixels, uint32_t max_bytes);

/* The bounded allocator. One decode at a time per instance. */
#define MAX_LIVE 64

static struct {
  uint64_t budget;  /* bytes the current decode may hold at once */
  uint64_t used;    /* bytes it holds (malloc_usable_size) */
  uint64_t want;    /* the request that failed */
  int refused;      /* a request would have exceeded the budget */
  int failed;       /* malloc itself failed: linear memory is full */
  void *live[MAX_LIVE];
} heap;

static int track(void *p) {
  for (int i = 0; i < MAX_LIVE; i++) {
    if (heap.live[i] == NULL) {
      heap.live[i] = p;
      return 1;
    }
  }
  return 0;
}

static void untrack(void *p) {
  for (int i = 0; i < MAX_LIVE; i++) {
    if (heap.live[i] == p) {
      heap.live[i] = NULL;
      return;
    }
  }
}

static void *dec_malloc(size_t n) {
  if (heap.used + n > heap.budget) {
    heap.refused = 1;
    heap.want = n;
    return NULL;
  }
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    heap.failed = 1;
    heap.want = n;
    return NULL;
  }
  if (!track(p)) {
    free(p);
    heap.refused = 1;
    heap.want = n;
    return NULL;
  }
  size_t u = malloc_usable_size(p);
  heap.used += u;
  memset(p, 0, u);
  return p;
}

static void dec_free(void *p) {
  if (p == NULL) {
    return;
  }
  untrack(p);
  heap.used -= malloc_usable_size(p);
  free(p);
}

static void *dec_realloc(void *p, size_t n) {
  if (p == NULL) {
    return dec_malloc(n);
  }
  size_t old = malloc_usable_size(p);
  if (n > old && heap.used - old + n > heap.budget) {
    heap.refused = 1;
    heap.want = n;
    return NULL;
  }
  void *q = realloc(p, n ? n : 1);
  if (q == NULL) {
    heap.failed = 1;
    heap.want = n;
    return NULL;
  }
  untrack(p);
  track(q); /* cannot fail: p's slot was just freed */
  size_t u = malloc_usable_size(q);
  heap.used = heap.used - old + u;
  if (u > old) {
    memset((uint8_t *)q + old, 0, u - old);
  }
  return q;
}

/* heap_begin starts a decode with the given budget. */
static void heap_begin(uint64_t budget) {
  memset(&heap, 0, sizeof heap);
  heap.budget = budget;
}

/* heap_end frees whatever the decode left allocated, except keep. */
static void heap_end(void *keep) {
  for (int i = 0; i < MAX_LIVE; i++) {
    if (heap.live[i] != NULL && heap.live[i] != keep) {
      free(heap.live[i]);
    }
    heap.live[i] = NULL;
  }
}

#define STBI_MALLOC(sz) dec_malloc(sz)
#define STBI_REALLOC(p, sz) dec_realloc(p, sz)
#define STBI_FREE(p) dec_free(p)
#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
/* One thread per instance; wasm32-wasi without threads has no TLS anyway. */
#define STBI_NO_THREAD_LOCALS
/*
 * JPEG cannot exceed 65535 per side anyway; PNG goes through png.c, which
 * applies the same bound.
 */
#define STBI_MAX_DIMENSIONS LB_DECODE_MAX_SIDE
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

/* Slack for allocator rounding in every budget. */
#define BUDGET_SLACK (64u << 10)

static uint64_t memory_bytes(void) {
#if defined(__wasm__)
  return (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
#else
  return 0;
#endif
}

/* alloc_fail reports why an allocation by the decoder failed. */
static int32_t alloc_fail(const char *fmt) {
  if (heap.refused) {
    return lb_fail(LB_ELIMIT,
                   "%s: the decoder asked for %llu more bytes with %llu in use, over the %llu-byte working-memory budget of this image's header",
                   fmt, (unsigned long long)heap.want, (unsigned long long)heap.used,
                   (unsigned long long)heap.budget);
  }
  return lb_fail(LB_ENOMEM, "%s: out of memory: malloc(%llu) failed with %llu bytes of linear memory",
                 fmt, (unsigned long long)heap.want, (unsigned long long)memory_bytes());
}

/* stb_fail reports a failure of stb_image, in its words when it has some. */
static int32_t stb_fail(const char *fmt) {
  const char *why = stbi__g_failure_reason;
  if (heap.refused || heap.failed || (why != NULL && strcmp(why, "outofmem") == 0)) {
    return alloc_fail(fmt);
  }
  if (why == NULL || why[0] == 0) {
    return lb_fail(LB_ECORRUPT, "%s: corrupt data (stb_image gave no reason)", fmt);
  }
  return lb_fail(LB_ECORRUPT, "%s: corrupt data: %s (stb_image)", fmt, why);
}

/* check_budget fails when the working memory can't fit the caller's limit. */
static int32_t check_budget(const char *fmt, uint32_t w, uint32_t h, uint64_t biggest, uint64_t budget,
                            uint32_t src_len, uint32_t max_bytes) {
  if (biggest > INT_MAX) {
    return lb_fail(LB_ELIMIT, "%s: a %ux%u image needs a buffer of %llu bytes, over the decoder's limit of 2^31-1",
                   fmt, w, h, (unsigned long long)biggest);
  }
  if ((uint64_t)src_len + budget > max_bytes) {
    return lb_fail(LB_ELIMIT,
                   "%s: decoding %ux%u needs %llu bytes of working memory besides the %u-byte input, over the limit of %u bytes of linear memory",
                   fmt, w, h, (unsigned long long)budget, src_len, max_bytes);
  }
  return LB_OK;
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/*
 * png_budget returns the most bytes the PNG path holds at once, stage by
 * stage, and in *biggest its largest single buffer.
 */
static uint64_t png_budget(const lb_png *png, int out_n, uint64_t *biggest) {
  uint64_t px = (uint64_t)png->width * png->height;
  uint64_t bytes = png->depth == 16 ? 2 : 1;
  uint64_t ob = (uint64_t)out_n * bytes;
  uint64_t gather = png->idat_chunks > 1 ? png->idat_len : 0;
  uint64_t inflate = gather + png->raw_len;
  /* de-interlacing holds the final image and one pass's unfiltered rows */
  uint64_t unfilter = png->raw_len + px * ob * (png->interlace ? 2 : 1);
  uint64_t after = 0;
  if (png->color == 3) {
    after = px + 4 * px;
  } else if (out_n != 4) {
    after = px * ob + 4 * px * bytes;
  }
  if (bytes == 2) {
    after = max64(after, 8 * px + 4 * px);
  }
  *biggest = max64(max64(png->raw_len, px * ob), 4 * px * bytes);
  return max64(max64(inflate, unfilter), after) + BUDGET_SLACK;
}

/* inflate_fail names why the image data didn't inflate. */
static int32_t inflate_fail(const lb_png *png) {
  const char *why = stbi__g_failure_reason;
  if (why == NULL) {
    /* stb_image's inflate fails without a reason only at block type 3 */
    return lb_fail(LB_ECORRUPT, "png: image data: deflate block of the reserved type 3");
  }
  if (strcmp(why, "output buffer limit") == 0) {
    return lb_fail(LB_ECORRUPT,
                   "png: image data inflates past the %llu bytes its %ux%u header declares (a decompression bomb, or damaged data)",
                   (unsigned long long)png->raw_len, png->width, png->height);
  }
  return lb_fail(LB_ECORRUPT, "png: image data: invalid deflate stream: %s (stb_image)", why);
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* check_zlib checks a zlib header (RFC 1950) as zlib's inflate does. */
static int32_t check_zlib(const uint8_t *z, uint64_t n) {
  if (n < 6) {
    return lb_fail(LB_ECORRUPT, "png: image data: a zlib stream of %llu bytes is too short", (unsigned long long)n);
  }
  uint32_t cmf = z[0], flg = z[1];
  if ((cmf & 15) != 8) {
    return lb_fail(LB_ECORRUPT, "png: image data: zlib compression method %u, want 8 (deflate)", cmf & 15);
  }
  if ((cmf >> 4) > 7) {
    return lb_fail(LB_ECORRUPT, "png: image data: zlib window size 2^%u, over the 32 KiB maximum", (cmf >> 4) + 8);
  }
  if ((cmf * 256 + flg) % 31 != 0) {
    return lb_fail(LB_ECORRUPT, "png: image data: bad zlib header check bits (%02x %02x)", cmf, flg);
  }
  if (flg & 32) {
    return lb_fail(LB_ECORRUPT, "png: image data: zlib preset dictionary, which PNG forbids");
  }
  return LB_OK;
}

static int32_t decode_png(const uint8_t *src, uint32_t len, uint32_t max_pixels, uint32_t max_bytes) {
  lb_png png;
  int32_t st = lb_png_scan(src, len, max_pixels, &png);
  if (st != LB_OK) {
    return st;
  }
  uint32_t w = png.width, h = png.height;
  /* The channels stb_image unfilters into, asked for RGBA: it adds alpha
   * itself for RGB and for tRNS, and expands a palette afterwards. */
  int out_n = png.samples;
  if ((png.samples == 3 && png.color != 3) || png.has_trns) {
    out_n = png.samples + 1;
  }
  uint64_t biggest;
  uint64_t budget = png_budget(&png, out_n, &biggest);
  if ((st = check_budget("png", w, h, max64(biggest, png.raw_len), budget, len, max_bytes)) != LB_OK) {
    return st;
  }
  heap_begin(budget);

  const uint8_t *z = lb_png_idat(src, &png);
  uint8_t *gathered = NULL;
  if (png.idat_chunks > 1) {
    if ((gathered = dec_malloc(png.idat_len)) == NULL) {
      return alloc_fail("png");
    }
    lb_png_gather(src, &png, gathered);
    z = gathered;
  }
  if (!png.cgbi && (st = check_zlib(z, png.idat_len)) != LB_OK) {
    return st;
  }
  uint8_t *raw = dec_malloc(png.raw_len);
  if (raw == NULL) {
    return alloc_fail("png");
  }
  stbi__g_failure_reason = NULL;
  int got = png.cgbi ? stbi_zlib_decode_noheader_buffer((char *)raw, (int)png.raw_len, (const char *)z, (int)png.idat_len)
                     : stbi_zlib_decode_buffer((char *)raw, (int)png.raw_len, (const char *)z, (int)png.idat_len);
  if (got < 0) {
    return inflate_fail(&png);
  }
  if ((uint64_t)got < png.raw_len) {
    return lb_fail(LB_ECORRUPT, "png: truncated: the image data inflates to %d bytes, but %ux%u needs %llu",
                   got, w, h, (unsigned long long)png.raw_len);
  }
  if (!png.cgbi) {
    uint32_t want = be32(z + png.idat_len - 4), sum = lb_adler32(raw, png.raw_len);
    if (want != sum) {
      return lb_fail(LB_ECORRUPT, "png: Adler-32 mismatch in the image data: stored %08x, computed %08x", want, sum);
    }
  }
  dec_free(gathered);

  stbi__context s;
  stbi__start_mem(&s, src, (int)len);
  s.img_x = w;
  s.img_y = h;
  s.img_n = png.samples;
  s.img_out_n = out_n;
  stbi__png p;
  memset(&p, 0, sizeof p);
  p.s = &s;
  p.depth = png.depth;
  stbi__g_failure_reason = NULL;
  if (!stbi__create_png_image(&p, raw, (stbi__uint32)png.raw_len, out_n, png.depth, png.color, png.interlace)) {
    return stb_fail("png");
  }
  dec_free(raw);
  if (png.has_trns) {
    if (png.depth == 16) {
      stbi__uint16 tc16[3] = {png.trns[0], png.trns[1], png.trns[2]};
      stbi__compute_transparency16(&p, tc16, out_n);
    } else {
      stbi_uc tc[3];
      for (int k = 0; k < 3; k++) {
        tc[k] = (stbi_uc)((stbi_uc)(png.trns[k] & 255) * stbi__depth_scale_table[png.depth]);
      }
      stbi__compute_transparency(&p, tc, out_n);
    }
  }
  void *pix;
  if (png.color == 3) {
    if (!stbi__expand_png_palette(&p, png.palette, (int)png.palette_len, 4)) {
      return stb_fail("png");
    }
    pix = p.out;
  } else if (png.depth == 16) {
    stbi__uint16 *wide = (stbi__uint16 *)p.out;
    if (out_n != 4 && (wide = stbi__convert_format16(wide, out_n, 4, w, h)) == NULL) {
      return stb_fail("png");
    }
    if ((pix = stbi__convert_16_to_8(wide, (int)w, (int)h, 4)) == NULL) {
      return stb_fail("png");
    }
  } else {
    if ((pix = stbi__convert_format(p.out, out_n, 4, w, h)) == NULL) {
      return stb_fail("png");
    }
  }
  heap_end(pix);
  return lb_set_result(pix, 4u * w * h, (int32_t)w, (int32_t)h);
}

/*
 * jpeg_budget returns what stb_image allocates for a JPEG: its decoder
 * state, per component the sample plane of whole MCUs (and for
 * progressive files a 16-bit coefficient plane) and a line buffer, and the
 * RGBA output; in *biggest the largest single buffer.
 */
static uint64_t jpeg_budget(const lb_jpeg *j, uint64_t *biggest) {
  uint64_t n = sizeof(stbi__jpeg) + 4ull * j->width * j->height;
  *biggest = 4ull * j->width * j->height;
  for (uint32_t i = 0; i < j->ncomp; i++) {
    uint64_t plane = (uint64_t)j->mcux * j->h[i] * 8 * j->mcuy * j->v[i] * 8;
    n += plane + 15 + j->width + 3;
    if (j->progressive) {
      n += 2 * plane + 15;
      *biggest = max64(*biggest, 2 * plane + 15);
    }
    *biggest = max64(*biggest, plane + 15);
  }
  return n + BUDGET_SLACK;
}

static int32_t decode_jpeg(const uint8_t *src, uint32_t len, uint32_t max_pixels, uint32_t max_bytes) {
  lb_jpeg j;
  int32_t st = lb_jpeg_scan(src, len, max_pixels, &j);
  if (st != LB_OK) {
    return st;
  }
  uint64_t biggest;
  uint64_t budget = jpeg_budget(&j, &biggest);
  if ((st = check_budget("jpeg", j.width, j.height, biggest, budget, len, max_bytes)) != LB_OK) {
    return st;
  }
  heap_begin(budget);
  stbi__context s;
  stbi__start_mem(&s, src, (int)len);
  stbi__result_info ri;
  memset(&ri, 0, sizeof ri);
  ri.bits_per_channel = 8;
  ri.channel_order = STBI_ORDER_RGB;
  int w = 0, h = 0, comp = 0;
  stbi__g_failure_reason = NULL;
  stbi_uc *pix = stbi__jpeg_load(&s, &w, &h, &comp, 4, &ri);
  if (pix == NULL) {
    return stb_fail("jpeg");
  }
  if ((uint32_t)w != j.width || (uint32_t)h != j.height) {
    return lb_fail(LB_ECORRUPT, "jpeg: decoded %dx%d, but the frame header declares %ux%u", w, h, j.width,
                   j.height);
  }
  heap_end(pix);
  return lb_set_result(pix, 4u * j.width * j.height, w, h);
}

int32_t lb_decode(const uint8_t *src, uint32_t src_len, uint32_t max_pixels, uint32_t max_bytes) {
  lb_begin();
  if (src == NULL || src_len == 0) {
    return lb_fail(LB_EBADARG, "empty input");
  }
  if (src_len > 0x7fffffffu) {
    return lb_fail(LB_EBADARG, "input of %u bytes exceeds 2^31-1", src_len);
  }
  if (max_pixels == 0 || max_bytes == 0) {
    return lb_fail(LB_EBADARG, "limits of %u pixels and %u bytes: both must be > 0", max_pixels, max_bytes);
  }
  int32_t st;
  if (src_len >= 8 && src[0] == 0x89 && memcmp(src + 1, "PNG", 3) == 0) {
    st = decode_png(src, src_len, max_pixels, max_bytes);
  } else if (src_len >= 3 && src[0] == 0xff && src[1] == 0xd8 && src[2] == 0xff) {
    st = decode_jpeg(src, src_len, max_pixels, max_bytes);
  } else {
    st = lb_fail(LB_ECORRUPT, "not a PNG or JPEG (first bytes %02x %02x %02x)", src[0],
                 src_len > 1 ? src[1] : 0, src_len > 2 ? src[2] : 0);
  }
  if (st != LB_OK) {
    heap_end(NULL);
  }
  return st;
}
