/*
 * lb.h: the shared C ABI of the leakbench codec modules (see wasm/ABI.md).
 *
 * Every module links lb.c, which owns one result (pointer, length, width,
 * height) and one error text. An operation calls lb_begin() first, which
 * frees the previous result and clears the error, then finishes with either
 * lb_set_result() or lb_fail().
 *
 * The same sources build natively with gcc (wasm/src/native/), so nothing
 * here is wasm specific except LB_EXPORT, which only names the symbols.
 */
#ifndef LB_H
#define LB_H

#include <stddef.h>
#include <stdint.h>

#define LB_ABI_VERSION 2

/* Status codes of every operation. */
#define LB_OK 0
#define LB_EBADARG (-1)
#define LB_ENOMEM (-2)
#define LB_ECORRUPT (-3)
/* Valid input that asks for more than the caller's limits allow. */
#define LB_ELIMIT (-4)

/*
 * Largest image buffer a module accepts: w * h * 4 must stay below 2^31,
 * because stb's internals compute sizes in int.
 */
#define LB_MAX_IMAGE_BYTES 0x7fffffffu

/* Exported functions are listed in exports.txt and exported by the linker. */
#if defined(__GNUC__)
#define LB_EXPORT __attribute__((visibility("default"), used))
#else
#define LB_EXPORT
#endif

/* The ABI, exported by every module. */
LB_EXPORT int32_t lb_abi_version(void);
LB_EXPORT void *lb_alloc(uint32_t size);
LB_EXPORT void lb_free(void *ptr);
LB_EXPORT void *lb_result_ptr(void);
LB_EXPORT uint32_t lb_result_len(void);
LB_EXPORT int32_t lb_result_width(void);
LB_EXPORT int32_t lb_result_height(void);
LB_EXPORT void lb_result_free(void);
LB_EXPORT const char *lb_error(void);
LB_EXPORT uint32_t lb_error_len(void);
LB_EXPORT void lb_trap(void);

/* Helpers for the modules. */

/* lb_begin frees the previous result and clears the error. */
void lb_begin(void);

/*
 * lb_set_result stores a malloc'd buffer as the result; it takes ownership.
 * width and height are 0 for non-image results. Returns LB_OK.
 */
int32_t lb_set_result(void *ptr, uint32_t len, int32_t width, int32_t height);

/* lb_fail records a printf-style error text and returns status. */
int32_t lb_fail(int32_t status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * lb_check_image validates an RGBA8 image argument: non-NULL pixels,
 * w > 0, h > 0 and w * h * 4 <= LB_MAX_IMAGE_BYTES. On success it stores
 * the byte size in *size and returns LB_OK, else it records an error
 * naming what (e.g. "source") and returns LB_EBADARG.
 */
int32_t lb_check_image(const char *what, const void *rgba, int32_t w, int32_t h,
                       uint32_t *size);

/* A growable output buffer for the encoders' write callbacks. */
typedef struct {
  uint8_t *data;
  uint32_t len;
  uint32_t cap;
  int failed; /* set once an allocation failed or the size overflowed */
} lb_buf;

/* lb_buf_write is an stbi_write_func: it appends size bytes to ctx. */
void lb_buf_write(void *ctx, void *data, int size);

#endif /* LB_H */
