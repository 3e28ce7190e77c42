/*
 * lb.c: the shared C ABI of the leakbench codec modules (see wasm/ABI.md).
 *
 * The state below is per instance: each wasm instance has its own copy of
 * the data segment, and instances are never shared between threads.
 */
#include "lb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
  void *ptr;
  uint32_t len;
  int32_t width;
  int32_t height;
} result;

static char error_text[256];
static uint32_t error_len;

int32_t lb_abi_version(void) { return LB_ABI_VERSION; }

void *lb_alloc(uint32_t size) { return malloc(size ? size : 1); }

void lb_free(void *ptr) { free(ptr); }

void *lb_result_ptr(void) { return result.ptr; }
uint32_t lb_result_len(void) { return result.len; }
int32_t lb_result_width(void) { return result.width; }
int32_t lb_result_height(void) { return result.height; }

void lb_result_free(void) {
  free(result.ptr);
  memset(&result, 0, sizeof result);
}

const char *lb_error(void) { return error_text; }
uint32_t lb_error_len(void) { return error_len; }

void lb_trap(void) { __builtin_trap(); }

void lb_begin(void) {
  lb_result_free();
  error_text[0] = 0;
  error_len = 0;
}

int32_t lb_set_result(void *ptr, uint32_t len, int32_t width, int32_t height) {
  free(result.ptr);
  result.ptr = ptr;
  result.len = len;
  result.width = width;
  result.height = height;
  return LB_OK;
}

int32_t lb_fail(int32_t status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(error_text, sizeof error_text, fmt, ap);
  va_end(ap);
  if (n < 0) {
    n = 0;
    error_text[0] = 0;
  } else if ((size_t)n >= sizeof error_text) {
    n = (int)sizeof error_text - 1;
  }
  error_len = (uint32_t)n;
  return status;
}

int32_t lb_check_image(const char *what, const void *rgba, int32_t w, int32_t h,
                       uint32_t *size) {
  if (w <= 0 || h <= 0) {
    return lb_fail(LB_EBADARG, "%s size %dx%d: width and height must be > 0",
                   what, (int)w, (int)h);
  }
  uint64_t n = (uint64_t)w * (uint64_t)h * 4u;
  if (n > LB_MAX_IMAGE_BYTES) {
    return lb_fail(LB_EBADARG,
                   "%s size %dx%d: %llu bytes of RGBA exceed the limit of %u",
                   what, (int)w, (int)h, (unsigned long long)n,
                   LB_MAX_IMAGE_BYTES);
  }
  if (rgba == NULL) {
    return lb_fail(LB_EBADARG, "%s pixels: null pointer", what);
  }
  *size = (uint32_t)n;
  return LB_OK;
}

void lb_buf_write(void *ctx, void *data, int size) {
  lb_buf *b = ctx;
  if (b->failed || size <= 0) {
    return;
  }
  uint64_t need = (uint64_t)b->len + (uint64_t)size;
  if (need > LB_MAX_IMAGE_BYTES) {
    b->failed = 1;
    return;
  }
  if (need > b->cap) {
    uint64_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
      cap *= 2;
    }
    if (cap > LB_MAX_IMAGE_BYTES) {
      cap = need;
    }
    uint8_t *p = realloc(b->data, (size_t)cap);
    if (p == NULL) {
      b->failed = 1;
      return;
    }
    b->data = p;
    b->cap = (uint32_t)cap;
  }
  memcpy(b->data + b->len, data, (size_t)size);
  b->len = (uint32_t)need;
}
