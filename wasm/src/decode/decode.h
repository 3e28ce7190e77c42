/*
 * decode.h: what the decode module's own C (around stb_image) shares.
 *
 * lb_decode (decode.c) first scans the input with png.c or jpeg.c, which
 * read every chunk or marker without decoding pixels: they check what
 * libpng and libjpeg check (chunk CRCs, lengths, order, truncation), bound
 * the work a file may ask for, and make its header justify its pixel count
 * by its size. Only then does decode.c hand the pixels to stb_image, with
 * every allocation charged to a budget derived from the scanned header.
 */
#ifndef LB_DECODE_H
#define LB_DECODE_H

#include <stdint.h>

/*
 * LB_DEFLATE_MAX_RATIO: no deflate stream inflates to more than 1032 times
 * its size. The densest code is a length-258 match (symbol 285, no extra
 * bits) at distance 1 or 2 (code 0 or 1, no extra bits) with both
 * Huffman codes 1 bit long: 258 bytes per 2 bits, 1032 per byte.
 */
#define LB_DEFLATE_MAX_RATIO 1032u

/*
 * LB_JPEG_MAX_SCANS bounds the scans of a JPEG. libjpeg's own scripts use
 * 6 (grayscale) to 10 (YCbCr) scans, 2 + 4n for other n-component images
 * and at most 6n = 60; mozjpeg's searched scripts stay far below 100.
 */
#define LB_JPEG_MAX_SCANS 256u

/*
 * LB_JPEG_MAX_PASSES bounds the decoding work of a JPEG: the blocks its
 * scans visit, summed over scans, may be at most this many times the
 * blocks of the frame. Each scan visits every block of its components,
 * even when it codes nothing but end-of-band runs, so a progressive file
 * of a few kilobytes could otherwise make the decoder walk a 100 MP frame
 * thousands of times. libjpeg's 10-scan script visits a luma block 6 times
 * and a chroma block 4 times.
 */
#define LB_JPEG_MAX_PASSES 64u

/*
 * LB_DECODE_MAX_SIDE bounds a PNG's width and height, as STBI_MAX_DIMENSIONS
 * bounds a JPEG's (which can't exceed 65535 anyway): the host's default of
 * 100 megapixels admits e.g. 100000 x 1000.
 */
#define LB_DECODE_MAX_SIDE (1u << 17)

/* What png.c learns from a PNG's chunks. */
typedef struct {
  uint32_t width, height;
  uint8_t depth;     /* bits per sample: 1, 2, 4, 8, 16 */
  uint8_t color;     /* 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
  uint8_t interlace; /* 0 none, 1 Adam7 */
  uint8_t cgbi;      /* an Apple CgBI chunk: raw deflate, no zlib header */
  uint8_t samples;   /* samples per pixel in the image data: 1-4 */
  /* PLTE entries as RGBA (alpha from tRNS, else 255); entries the file
   * doesn't define are opaque black, as libpng leaves them. */
  uint8_t palette[256 * 4];
  uint32_t palette_len;
  uint8_t has_trns;  /* tRNS for gray or RGB: a transparent colour */
  uint16_t trns[3];  /* that colour, as stored (0..2^depth-1) */
  uint32_t idat_off; /* offset of the first IDAT chunk */
  uint32_t idat_chunks;
  uint64_t idat_len; /* IDAT payload bytes, all chunks */
  uint64_t raw_len;  /* inflated size the header implies (filter bytes
                      * and packed rows, per Adam7 pass) */
} lb_png;

/*
 * lb_png_scan checks src (len bytes, starting with the PNG signature) and
 * fills *png. It returns LB_OK, or records an error and returns
 * LB_ECORRUPT (a file no valid PNG can be) or LB_ELIMIT (more than
 * max_pixels pixels).
 */
int32_t lb_png_scan(const uint8_t *src, uint32_t len, uint64_t max_pixels,
                    lb_png *png);

/*
 * lb_png_gather copies the payloads of the png's IDAT chunks, in order,
 * to dst (png->idat_len bytes).
 */
void lb_png_gather(const uint8_t *src, const lb_png *png, uint8_t *dst);

/* lb_png_idat returns the payload of a PNG with one IDAT chunk. */
const uint8_t *lb_png_idat(const uint8_t *src, const lb_png *png);

/* lb_adler32 is zlib's Adler-32 of n bytes. */
uint32_t lb_adler32(const uint8_t *p, uint64_t n);

/* What jpeg.c learns from a JPEG's markers. */
typedef struct {
  uint32_t width, height;
  uint32_t ncomp;       /* 1, 3 or 4 */
  uint8_t progressive;  /* SOF2 */
  uint8_t ids[4];       /* component identifiers */
  uint8_t h[4], v[4];   /* sampling factors, 1-4 */
  uint32_t hmax, vmax;
  uint32_t mcux, mcuy;  /* interleaved MCUs per row and column */
  uint32_t scans;
  uint64_t frame_blocks; /* 8x8 blocks of all components */
  uint64_t work_blocks;  /* blocks visited, summed over scans */
  uint64_t entropy_len;  /* entropy-coded bytes, all scans */
} lb_jpeg;

/*
 * lb_jpeg_scan checks src (len bytes, starting with SOI) and fills *jpeg.
 * It returns LB_OK, or records an error and returns LB_ECORRUPT or
 * LB_ELIMIT (more than max_pixels pixels, LB_JPEG_MAX_SCANS scans or
 * LB_JPEG_MAX_PASSES passes).
 */
int32_t lb_jpeg_scan(const uint8_t *src, uint32_t len, uint64_t max_pixels,
                     lb_jpeg *jpeg);

#endif /* LB_DECODE_H */
