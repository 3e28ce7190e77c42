/*
 * bench_native: times one codec operation natively, built with gcc from
 * the very sources of the wasm modules, so that the Go benchmark in
 * internal/codecs can report wasm/native time ratios.
 *
 * Usage:
 *   bench_native OP INPUT_FILE ITERATIONS [ARG]
 *
 *   OP      decode | resize | rotate | encode_png | encode_jpeg | encode_webp
 *   INPUT   for decode, the PNG or JPEG to decode; for every other op, an
 *           image (PNG or JPEG) that is first decoded, untimed, by the same
 *           decode code, and whose pixels are the op's input
 *   ARG     resize: target width (default: half the width; the height keeps
 *           the aspect ratio, rounded, at least 1); rotate: degrees
 *           (default 90); encode_png: level (default 6); encode_jpeg and
 *           encode_webp: quality (default 75)
 *
 * One untimed warm-up call, then ITERATIONS timed calls; each call frees
 * the previous result first, exactly like the wasm modules. Prints one line:
 *   op=<op> mpix=<megapixels of the op's input> seconds_per_op=<float>
 * and exits 0, or prints an error to stderr and exits 1 (2 for usage).
 * encode_webp exists only when built with -DHAVE_WEBP.
 *
 * Build: wasm/src/native/build.sh OUT_DIR (what the Go benchmark calls)
 * writes OUT_DIR/bench_native by running, from wasm/src/native/:
 *
 *   gcc -std=gnu11 -O3 -march=x86-64-v2 -DNDEBUG -I../common -o OUT_DIR/bench_native \
 *       ../common/lb.c ../decode/*.c ../resize/resize.c ../rotate/rotate.c \
 *       ../encode_png/encode_png.c ../encode_jpeg/encode_jpeg.c bench_native.c -lm
 *
 * and, when ../encode_webp/exports.txt exists, adding -DHAVE_WEBP
 * ../encode_webp/*.c.
 * -march=x86-64-v2 (SSE4.2, no AVX) is roughly what wasm SIMD128 can use;
 * stb_image's own SSE2 paths (JPEG IDCT and colour conversion) are active
 * natively and absent in wasm, which is part of what the ratio measures.
 */
#define _POSIX_C_SOURCE 199309L
#include "lb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int32_t lb_decode(const uint8_t *src, uint32_t src_len, uint32_t max_pixels,
                  uint32_t max_bytes);

/* The decode limits: the Go package's defaults (100 MP, 2 GiB). */
#define MAX_PIXELS 100000000u
#define MAX_BYTES 0x80000000u
int32_t lb_resize(const uint8_t *rgba, int32_t w, int32_t h, int32_t dst_w,
                  int32_t dst_h);
int32_t lb_rotate(const uint8_t *rgba, int32_t w, int32_t h, int32_t degrees);
int32_t lb_encode_png(const uint8_t *rgba, int32_t w, int32_t h, int32_t level);
int32_t lb_encode_jpeg(const uint8_t *rgba, int32_t w, int32_t h,
                       int32_t quality);
#ifdef HAVE_WEBP
int32_t lb_encode_webp(const uint8_t *rgba, int32_t w, int32_t h,
                       int32_t quality);
#endif

enum op { OP_DECODE, OP_RESIZE, OP_ROTATE, OP_PNG, OP_JPEG, OP_WEBP };

static const char *const op_names[] = {"decode", "resize", "rotate",
                                       "encode_png", "encode_jpeg",
                                       "encode_webp"};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int die(const char *what) {
  fprintf(stderr, "bench_native: %s\n", what);
  return 1;
}

static uint8_t *read_file(const char *path, uint32_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return NULL;
  }
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 1 << 20;
      uint8_t *p = realloc(buf, cap);
      if (p == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = p;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0) {
      break;
    }
  }
  int bad = ferror(f) || n > 0x7fffffffu;
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *len = (uint32_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: bench_native OP INPUT_FILE ITERATIONS [ARG]\n"
                    "  OP: decode resize rotate encode_png encode_jpeg"
#ifdef HAVE_WEBP
                    " encode_webp"
#endif
                    "\n");
    return 2;
  }
  int op = -1;
  for (int i = 0; i < (int)(sizeof op_names / sizeof op_names[0]); i++) {
    if (strcmp(argv[1], op_names[i]) == 0) {
      op = i;
    }
  }
#ifndef HAVE_WEBP
  if (op == OP_WEBP) {
    fprintf(stderr, "bench_native: encode_webp: not built in (no -DHAVE_WEBP)\n");
    return 2;
  }
#endif
  if (op < 0) {
    fprintf(stderr, "bench_native: unknown op %s\n", argv[1]);
    return 2;
  }
  char *end;
  long iters = strtol(argv[3], &end, 10);
  if (*end != 0 || iters < 1) {
    fprintf(stderr, "bench_native: ITERATIONS %s: want an integer >= 1\n",
            argv[3]);
    return 2;
  }
  long arg = -1;
  if (argc == 5) {
    arg = strtol(argv[4], &end, 10);
    if (*end != 0) {
      fprintf(stderr, "bench_native: ARG %s: want an integer\n", argv[4]);
      return 2;
    }
  }

  uint32_t src_len = 0;
  uint8_t *src = read_file(argv[2], &src_len);
  if (src == NULL) {
    perror(argv[2]);
    return 1;
  }
  if (lb_decode(src, src_len, MAX_PIXELS, MAX_BYTES) != LB_OK) {
    fprintf(stderr, "bench_native: %s: %s\n", argv[2], lb_error());
    return 1;
  }
  int32_t w = lb_result_width(), h = lb_result_height();
  uint32_t n = lb_result_len();
  uint8_t *pix = malloc(n);
  if (pix == NULL) {
    return die("out of memory");
  }
  memcpy(pix, lb_result_ptr(), n);
  lb_result_free();

  int32_t dst_w = 0, dst_h = 0;
  switch (op) {
  case OP_RESIZE:
    dst_w = arg > 0 ? (int32_t)arg : (w / 2 > 0 ? w / 2 : 1);
    dst_h = (int32_t)(((int64_t)h * dst_w + w / 2) / w);
    if (dst_h < 1) {
      dst_h = 1;
    }
    break;
  case OP_ROTATE:
    if (arg < 0) {
      arg = 90;
    }
    break;
  case OP_PNG:
    if (arg < 0) {
      arg = 6;
    }
    break;
  case OP_JPEG:
  case OP_WEBP:
    if (arg < 0) {
      arg = 75;
    }
    break;
  }

  double t0 = 0;
  for (long i = 0; i <= iters; i++) {
    if (i == 1) {
      t0 = now(); /* call 0 is the warm-up */
    }
    int32_t st = LB_OK;
    switch (op) {
    case OP_DECODE:
      st = lb_decode(src, src_len, MAX_PIXELS, MAX_BYTES);
      break;
    case OP_RESIZE:
      st = lb_resize(pix, w, h, dst_w, dst_h);
      break;
    case OP_ROTATE:
      st = lb_rotate(pix, w, h, (int32_t)arg);
      break;
    case OP_PNG:
      st = lb_encode_png(pix, w, h, (int32_t)arg);
      break;
    case OP_JPEG:
      st = lb_encode_jpeg(pix, w, h, (int32_t)arg);
      break;
#ifdef HAVE_WEBP
    case OP_WEBP:
      st = lb_encode_webp(pix, w, h, (int32_t)arg);
      break;
#endif
    }
    if (st != LB_OK) {
      fprintf(stderr, "bench_native: %s: status %d: %s\n", op_names[op],
              (int)st, lb_error());
      return 1;
    }
  }
  double per = (now() - t0) / (double)iters;
  printf("op=%s mpix=%.6f seconds_per_op=%.9f\n", op_names[op],
         (double)w * (double)h / 1e6, per);
  lb_result_free();
  free(pix);
  free(src);
  return 0;
}
