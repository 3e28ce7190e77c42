/*
 * resize: RGBA8 resampling, own separable SIMD code.
 *
 * Filter: Mitchell-Netravali (B = C = 1/3) along an axis that shrinks and
 * Catmull-Rom (B = 0, C = 1/2) along one that grows or keeps its size
 * (where Catmull-Rom is the identity). Of the classic cubics these are the
 * best for each direction, and they are what stb_image_resize uses by
 * default: Catmull-Rom is the sharpest interpolating cubic, right for
 * enlarging, but rings and aliases more when shrinking, where Mitchell is
 * the standard balance of sharpness, ringing and aliasing. When shrinking by
 * a factor s the kernel is stretched by 1/s (area-correct), and weights are
 * normalised to sum to 1. Edges clamp (the border pixel repeats).
 *
 * Resampling happens in linear light: sRGB codes are converted to linear,
 * premultiplied by alpha (channel 3) so transparent pixels do not bleed
 * colour, filtered, unpremultiplied and converted back with exact rounding
 * (the output code is the one whose sRGB interval contains the value).
 * This matches stb_image_resize v0.97's STBIR_COLORSPACE_SRGB with an alpha
 * channel and the same filters (which this module used first) to within 1
 * code value. stb's inner loops are scalar: under wazero it took 680 ms for
 * 4000x3000 -> 1200x900; these loops keep one pixel in one 4 x float vector
 * (GCC/Clang vector extensions: SSE natively, SIMD128 in wasm) and take
 * about 150 ms.
 *
 * Work: the input is read once, row by row; each row is converted and
 * resampled horizontally into a ring of rows as tall as the vertical
 * kernel, from which each output row is resampled vertically.
 */
#include "lb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

LB_EXPORT int32_t lb_resize(const uint8_t *rgba, int32_t w, int32_t h,
                            int32_t dst_w, int32_t dst_h);

typedef float v4sf __attribute__((vector_size(16)));

static inline v4sf splat(float f) { return (v4sf){f, f, f, f}; }

/* The kernels, support 2 (in output pixels when shrinking). */
static float mitchell(float x) {
  x = fabsf(x);
  if (x < 1.0f) {
    return (16.0f + x * x * (21.0f * x - 36.0f)) / 18.0f;
  }
  if (x < 2.0f) {
    return (32.0f + x * (-60.0f + x * (36.0f - 7.0f * x))) / 18.0f;
  }
  return 0.0f;
}

static float catmull_rom(float x) {
  x = fabsf(x);
  if (x < 1.0f) {
    return 1.0f - x * x * (2.5f - 1.5f * x);
  }
  if (x < 2.0f) {
    return 2.0f - x * (4.0f + x * (0.5f * x - 2.5f));
  }
  return 0.0f;
}

/*
 * taps: for each output index i, the source window [start[i], start[i] +
 * count[i]) and its weights at weight[i * stride ...], each weight already
 * broadcast to all four lanes (a plain vector load in the inner loop
 * measured 15% faster under wazero than a scalar load and splat). All
 * three live in one allocation, the weights first: one table per axis, as
 * squoosh's resizer has one coefficient vector per axis (resize 0.5.5's
 * Scale::coeffs_w and coeffs_h), which keeps resize_original's small
 * allocations as few as the original's.
 */
typedef struct {
  int32_t *start;
  int32_t *count;
  v4sf *weight;
  int32_t stride; /* the most taps any output index has */
} taps;

/*
 * vec_alloc allocates n 16-byte aligned vectors; vec_free frees them.
 *
 * Under LB_ORIGINAL_ALLOCATION the request is word-aligned, as squoosh's
 * f32 vectors were (Vec<f32>, align 4), 16 bytes longer, and the vectors
 * start at the first 16-byte boundary past a word that keeps the
 * pointer to free. wee_alloc takes an alignment above a word only by
 * splitting a cell at an aligned address: from a refill whose rest is too
 * small to split off, it cannot (lib.rs FreeCell::try_alloc needs the
 * whole cell's data aligned then, and a refill's data is 8 bytes past a
 * page), and the allocation fails (wee_malloc.c does the same).
 */
#ifdef LB_ORIGINAL_ALLOCATION
static v4sf *vec_alloc(size_t n) {
  uint8_t *p = malloc((n ? n : 1) * sizeof(v4sf) + 16 + sizeof p);
  if (p == NULL) {
    return NULL;
  }
  uintptr_t q = ((uintptr_t)p + sizeof p + 15) & ~(uintptr_t)15;
  memcpy((void *)(q - sizeof p), &p, sizeof p);
  return (v4sf *)q;
}

static void vec_free(v4sf *v) {
  if (v != NULL) {
    void *p;
    memcpy(&p, (uint8_t *)v - sizeof p, sizeof p);
    free(p);
  }
}
#else
static v4sf *vec_alloc(size_t n) {
  return aligned_alloc(16, (n ? n : 1) * sizeof(v4sf));
}

static void vec_free(v4sf *v) { free(v); }
#endif

static void taps_free(taps *t) { vec_free(t->weight); }

/* taps_make computes the weights mapping src samples to dst samples. */
static int taps_make(taps *t, int32_t src, int32_t dst) {
  float scale = (float)dst / (float)src;
  int shrink = dst < src;
  float (*kernel)(float) = shrink ? mitchell : catmull_rom;
  float fscale = shrink ? scale : 1.0f;
  float support = 2.0f / fscale; /* in source pixels */
  int32_t stride = (int32_t)ceilf(2.0f * support) + 2;
  if (stride > src + 2) {
    stride = src + 2; /* clamping merges everything beyond the edges */
  }
  memset(t, 0, sizeof *t);
  t->stride = stride;
  size_t weights = (size_t)dst * (size_t)stride;
  size_t ints = (2 * sizeof(int32_t) * (size_t)dst + sizeof(v4sf) - 1) / sizeof(v4sf);
  t->weight = vec_alloc(weights + ints);
  if (t->weight == NULL) {
    return 0;
  }
  t->start = (int32_t *)(t->weight + weights);
  t->count = t->start + dst;
  for (int32_t i = 0; i < dst; i++) {
    /* Centre of output sample i, in source sample coordinates. */
    float center = ((float)i + 0.5f) / scale - 0.5f;
    int32_t left = (int32_t)ceilf(center - support);
    int32_t right = (int32_t)floorf(center + support);
    int32_t lo = left < 0 ? 0 : left;
    int32_t hi = right > src - 1 ? src - 1 : right;
    if (lo > hi) { /* cannot happen with support 2, but stay safe */
      lo = hi = center < 0 ? 0 : src - 1;
    }
    /* Scalar weights first, in lane 0 of each slot's memory... */
    float *wt = (float *)(t->weight + (size_t)i * (size_t)stride);
    int32_t n = hi - lo + 1;
    for (int32_t k = 0; k < n; k++) {
      wt[k] = 0.0f;
    }
    float sum = 0.0f;
    for (int32_t j = left; j <= right; j++) {
      float v = kernel(((float)j - center) * fscale);
      int32_t c = j < lo ? lo : j > hi ? hi : j;
      wt[c - lo] += v;
      sum += v;
    }
    if (sum != 0.0f) {
      for (int32_t k = 0; k < n; k++) {
        wt[k] /= sum;
      }
    }
    /* Drop zero weights at both ends (kernel zeros at integer offsets). */
    while (n > 1 && wt[0] == 0.0f) {
      memmove(wt, wt + 1, sizeof(float) * (size_t)(n - 1));
      lo++;
      n--;
    }
    while (n > 1 && wt[n - 1] == 0.0f) {
      n--;
    }
    t->start[i] = lo;
    t->count[i] = n;
    /* ...then broadcast in place, last first so nothing is overwritten. */
    v4sf *wv = t->weight + (size_t)i * (size_t)stride;
    for (int32_t k = n - 1; k >= 0; k--) {
      wv[k] = splat(wt[k]);
    }
  }
  return 1;
}

/* Colour tables, built once per instance. */
static float srgb_to_linear[256];
/* threshold[c]: the smallest linear value that rounds to code c + 1. */
static float threshold[255];
/* coarse[i]: the code of linear value i / COARSE, a lower bound. */
#define COARSE 4096
static uint8_t coarse[COARSE + 1];
static int tables_ready;

static double srgb_decode(double v) {
  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static void tables_init(void) {
  if (tables_ready) {
    return;
  }
  for (int c = 0; c < 256; c++) {
    srgb_to_linear[c] = (float)srgb_decode(c / 255.0);
  }
  for (int c = 0; c < 255; c++) {
    threshold[c] = (float)srgb_decode((c + 0.5) / 255.0);
  }
  int code = 0;
  for (int i = 0; i <= COARSE; i++) {
    float v = (float)i / COARSE;
    while (code < 255 && v >= threshold[code]) {
      code++;
    }
    coarse[i] = (uint8_t)code;
  }
  tables_ready = 1;
}

/* linear_to_srgb returns the sRGB code of linear v, exactly rounded. */
static inline uint8_t linear_to_srgb(float v) {
  if (!(v > 0.0f)) { /* also NaN */
    return 0;
  }
  if (v >= 1.0f) {
    return 255;
  }
  int code = coarse[(int)(v * COARSE)];
  while (code < 255 && v >= threshold[code]) {
    code++;
  }
  return (uint8_t)code;
}

#define ALPHA_EPSILON 0x1p-40f

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "convert_row reads RGBA8 pixels as little-endian 32-bit words"
#endif

/*
 * convert_row turns one RGBA8 row into premultiplied linear vectors. One
 * 32-bit load per pixel instead of four byte loads measured 7% faster for
 * the whole resize under wazero.
 */
static void convert_row(const uint8_t *src, v4sf *dst, int32_t w) {
  const float k = 1.0f / 255.0f;
  for (int32_t x = 0; x < w; x++) {
    uint32_t px;
    memcpy(&px, src + (size_t)x * 4, 4);
    /*
     * The tiny epsilon keeps the colour of fully transparent pixels
     * through premultiplication (as stb_image_resize does); it is far
     * below what rounds to an alpha code of 1.
     */
    float a = (float)(px >> 24) * k + ALPHA_EPSILON;
    v4sf v = {srgb_to_linear[px & 255], srgb_to_linear[(px >> 8) & 255],
              srgb_to_linear[(px >> 16) & 255], 1.0f};
    dst[x] = v * splat(a);
  }
}

/* horizontal resamples one converted row into dst_w vectors. */
static void horizontal(const v4sf *row, v4sf *out, const taps *t,
                       int32_t dst_w) {
  for (int32_t x = 0; x < dst_w; x++) {
    const v4sf *s = row + t->start[x];
    const v4sf *wt = t->weight + (size_t)x * (size_t)t->stride;
    int32_t n = t->count[x];
    v4sf acc0 = splat(0.0f), acc1 = splat(0.0f);
    int32_t k = 0;
    for (; k + 1 < n; k += 2) {
      acc0 += s[k] * wt[k];
      acc1 += s[k + 1] * wt[k + 1];
    }
    if (k < n) {
      acc0 += s[k] * wt[k];
    }
    out[x] = acc0 + acc1;
  }
}

/* vertical_sum sums n rows with weights wt into acc. */
static void vertical_sum(v4sf *const *rows, const v4sf *wt, int32_t n,
                         v4sf *acc, int32_t dst_w) {
  int32_t k = 0;
  /* The first group initialises acc; groups of 4 keep loads per tap low. */
  for (; k + 3 < n; k += 4) {
    const v4sf *r0 = rows[k], *r1 = rows[k + 1], *r2 = rows[k + 2],
               *r3 = rows[k + 3];
    v4sf w0 = wt[k], w1 = wt[k + 1], w2 = wt[k + 2], w3 = wt[k + 3];
    if (k == 0) {
      for (int32_t x = 0; x < dst_w; x++) {
        acc[x] = (r0[x] * w0 + r1[x] * w1) + (r2[x] * w2 + r3[x] * w3);
      }
    } else {
      for (int32_t x = 0; x < dst_w; x++) {
        acc[x] += (r0[x] * w0 + r1[x] * w1) + (r2[x] * w2 + r3[x] * w3);
      }
    }
  }
  for (; k < n; k++) {
    const v4sf *r0 = rows[k];
    v4sf w0 = wt[k];
    if (k == 0) {
      for (int32_t x = 0; x < dst_w; x++) {
        acc[x] = r0[x] * w0;
      }
    } else {
      for (int32_t x = 0; x < dst_w; x++) {
        acc[x] += r0[x] * w0;
      }
    }
  }
}

/* write_row turns dst_w premultiplied linear vectors into RGBA8. */
static void write_row(const v4sf *acc, uint8_t *dst, int32_t dst_w) {
  for (int32_t x = 0; x < dst_w; x++) {
    v4sf v = acc[x];
    float a = v[3];
    uint8_t *p = dst + (size_t)x * 4;
    /*
     * Negative lobes can make a negative; dividing by it anyway keeps the
     * colour's sign right (as stb_image_resize does). Colours and alpha
     * are then clamped to [0, 1].
     */
    float inv = a != 0.0f ? 1.0f / a : 0.0f;
    p[0] = linear_to_srgb(v[0] * inv);
    p[1] = linear_to_srgb(v[1] * inv);
    p[2] = linear_to_srgb(v[2] * inv);
    a = a < 0.0f ? 0.0f : a > 1.0f ? 1.0f : a;
    p[3] = (uint8_t)(a * 255.0f + 0.5f);
  }
}


/*
 * resize_streaming resamples with a ring of rows: besides the result it
 * holds one converted source row and as many resampled rows as the
 * vertical kernel is tall.
 */
static int32_t resize_streaming(const uint8_t *rgba, int32_t w, int32_t h,
                                int32_t dst_w, int32_t dst_h,
                                uint32_t dst_size) {
  taps ht, vt;
  int have_h = taps_make(&ht, w, dst_w);
  int have_v = have_h && taps_make(&vt, h, dst_h);
  int32_t ring_n = have_v ? vt.stride : 0;
  uint8_t *dst = malloc(dst_size);
  v4sf *row = vec_alloc((size_t)w);
  v4sf *ring = vec_alloc((size_t)ring_n * (size_t)dst_w);
  v4sf *acc = vec_alloc((size_t)dst_w);
  v4sf **rows = malloc(sizeof(v4sf *) * (size_t)(ring_n ? ring_n : 1));
  if (!have_v || dst == NULL || row == NULL || ring == NULL || acc == NULL ||
      rows == NULL) {
    if (have_h) {
      taps_free(&ht);
    }
    if (have_v) {
      taps_free(&vt);
    }
    free(dst);
    vec_free(row);
    vec_free(ring);
    vec_free(acc);
    free(rows);
    return lb_fail(LB_ENOMEM, "resize: out of memory (%dx%d to %dx%d)",
                   (int)w, (int)h, (int)dst_w, (int)dst_h);
  }
  int32_t next = 0; /* next source row to resample horizontally */
  for (int32_t y = 0; y < dst_h; y++) {
    int32_t lo = vt.start[y], n = vt.count[y];
    if (next < lo) {
      next = lo;
    }
    for (; next < lo + n; next++) {
      convert_row(rgba + (size_t)next * (size_t)w * 4, row, w);
      horizontal(row, ring + (size_t)(next % ring_n) * (size_t)dst_w, &ht,
                 dst_w);
    }
    for (int32_t k = 0; k < n; k++) {
      rows[k] = ring + (size_t)((lo + k) % ring_n) * (size_t)dst_w;
    }
    vertical_sum(rows, vt.weight + (size_t)y * (size_t)vt.stride, n, acc,
                 dst_w);
    write_row(acc, dst + (size_t)y * (size_t)dst_w * 4, dst_w);
  }
  taps_free(&ht);
  taps_free(&vt);
  vec_free(row);
  vec_free(ring);
  vec_free(acc);
  free(rows);
  return lb_set_result(dst, dst_size, dst_w, dst_h);
}

/*
 * resize_whole_image computes the same pixels as resize_streaming, with
 * the buffers squoosh's resize held, allocated and freed in its order
 * (codecs/resize/src/lib.rs resize, with premultiply or linear RGB, as the
 * Next.js optimizer called it; crate resize 0.5.5, src/lib.rs
 * Resizer::new and resample_both_axes):
 *
 *   output_image              u8 RGBA, dst_w x dst_h (vec![0u8; ...])
 *   preprocessed_input_image  f32 RGBA, w x h, premultiplied linear
 *   unprocessed_output_image  f32 RGBA, dst_w x dst_h (vec![0.0f32; ...])
 *   coefficients              Scale::new's coeffs_w and coeffs_h
 *   tmp                       f32 RGBA, dst_w x h (tmp.reserve(w2 * h1))
 *
 * then frees the coefficients, tmp, the f32 output and the f32 input, and
 * returns output_image. With a first-fit allocator that drops what it
 * walks past (wasm/src/alloc_wee/wee_malloc.c), each of these is fresh
 * memory at every call, except what the next call's first allocations
 * (its input, then output_image) find room for in tmp's pages, freed last
 * and whole.
 */
static int32_t resize_whole_image(const uint8_t *rgba, int32_t w, int32_t h,
                                  int32_t dst_w, int32_t dst_h,
                                  uint32_t dst_size) {
  size_t in_px = (size_t)w * (size_t)h, out_px = (size_t)dst_w * (size_t)dst_h;
  uint8_t *dst = calloc(dst_size, 1);
  v4sf *lin = dst ? vec_alloc(in_px) : NULL;
  v4sf *fout = NULL;
  if (lin != NULL) {
    for (int32_t y = 0; y < h; y++) {
      convert_row(rgba + (size_t)y * (size_t)w * 4, lin + (size_t)y * (size_t)w,
                  w);
    }
    fout = vec_alloc(out_px);
    if (fout != NULL) {
      memset(fout, 0, (out_px ? out_px : 1) * sizeof(v4sf));
    }
  }
  taps ht, vt;
  int have_h = fout != NULL && taps_make(&ht, w, dst_w);
  int have_v = have_h && taps_make(&vt, h, dst_h);
  /*
   * rows comes before tmp: squoosh allocated nothing between tmp and its
   * free, so tmp's pages are whole again at the end of the call (merged
   * into the rest of their refill), at the head of the free list, where
   * the next call's input may fit.
   */
  v4sf **rows = have_v ? malloc(sizeof(v4sf *) * (size_t)vt.stride) : NULL;
  v4sf *tmp = rows ? vec_alloc((size_t)dst_w * (size_t)h) : NULL;
  if (tmp != NULL) {
    for (int32_t y = 0; y < h; y++) {
      horizontal(lin + (size_t)y * (size_t)w, tmp + (size_t)y * (size_t)dst_w,
                 &ht, dst_w);
    }
    for (int32_t y = 0; y < dst_h; y++) {
      int32_t lo = vt.start[y], n = vt.count[y];
      for (int32_t k = 0; k < n; k++) {
        rows[k] = tmp + (size_t)(lo + k) * (size_t)dst_w;
      }
      vertical_sum(rows, vt.weight + (size_t)y * (size_t)vt.stride, n,
                   fout + (size_t)y * (size_t)dst_w, dst_w);
    }
    for (int32_t y = 0; y < dst_h; y++) {
      write_row(fout + (size_t)y * (size_t)dst_w,
                dst + (size_t)y * (size_t)dst_w * 4, dst_w);
    }
  }
  free(rows);
  if (have_h) {
    taps_free(&ht);
  }
  if (have_v) {
    taps_free(&vt);
  }
  vec_free(tmp);
  vec_free(fout);
  vec_free(lin);
  if (tmp == NULL) {
    free(dst);
    return lb_fail(LB_ENOMEM, "resize: out of memory (%dx%d to %dx%d)",
                   (int)w, (int)h, (int)dst_w, (int)dst_h);
  }
  return lb_set_result(dst, dst_size, dst_w, dst_h);
}

int32_t lb_resize(const uint8_t *rgba, int32_t w, int32_t h, int32_t dst_w,
                  int32_t dst_h) {
  lb_begin();
  uint32_t size = 0, dst_size = 0;
  int32_t st = lb_check_image("resize: source", rgba, w, h, &size);
  if (st != LB_OK) {
    return st;
  }
  /* The check only needs a non-NULL pointer for the destination. */
  st = lb_check_image("resize: target", rgba, dst_w, dst_h, &dst_size);
  if (st != LB_OK) {
    return st;
  }
  tables_init();
#ifdef LB_ORIGINAL_ALLOCATION
  return resize_whole_image(rgba, w, h, dst_w, dst_h, dst_size);
#else
  return resize_streaming(rgba, w, h, dst_w, dst_h, dst_size);
#endif
}
