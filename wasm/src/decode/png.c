/*
 * png.c: the decode module's scan of a PNG's chunks, before stb_image
 * touches the pixels (see decode.h).
 *
 * It checks what libpng checks by default and stb_image does not: the CRC
 * of every critical chunk (IHDR, PLTE, IDAT, IEND, CgBI; a bad CRC in an
 * ancillary chunk drops the chunk, as libpng does, which here only matters
 * for tRNS), chunk lengths against the file, chunk order, a closing IEND,
 * the colour type and bit depth pairs of the PNG spec. And it makes the
 * header justify itself: the IDAT bytes must be able to inflate to the
 * image data the header declares (at most 1032:1, LB_DEFLATE_MAX_RATIO).
 */
#include "decode.h"
#include "lb.h"

#include <string.h>

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* CRC-32 (ISO 3309, as PNG uses it), four bytes at a time. */
static uint32_t crc_table[4][256];
static int crc_ready;

static void crc_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    crc_table[0][n] = c;
  }
  for (uint32_t n = 0; n < 256; n++) {
    for (int t = 1; t < 4; t++) {
      uint32_t c = crc_table[t - 1][n];
      crc_table[t][n] = crc_table[0][c & 0xff] ^ (c >> 8);
    }
  }
  crc_ready = 1;
}

static uint32_t crc32(const uint8_t *p, uint32_t n) {
  if (!crc_ready) {
    crc_init();
  }
  uint32_t c = 0xffffffffu;
  for (; n >= 4; n -= 4, p += 4) {
    c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
    c = crc_table[3][c & 0xff] ^ crc_table[2][(c >> 8) & 0xff] ^
        crc_table[1][(c >> 16) & 0xff] ^ crc_table[0][c >> 24];
  }
  while (n--) {
    c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  }
  return c ^ 0xffffffffu;
}

uint32_t lb_adler32(const uint8_t *p, uint64_t n) {
  /* 5552 is zlib's NMAX: the most bytes before b can overflow 32 bits. */
  uint32_t a = 1, b = 0;
  while (n > 0) {
    uint32_t k = n < 5552 ? (uint32_t)n : 5552;
    n -= k;
    for (; k >= 8; k -= 8, p += 8) {
      a += p[0]; b += a;
      a += p[1]; b += a;
      a += p[2]; b += a;
      a += p[3]; b += a;
      a += p[4]; b += a;
      a += p[5]; b += a;
      a += p[6]; b += a;
      a += p[7]; b += a;
    }
    while (k--) {
      a += *p++;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return b << 16 | a;
}

#define TYPE(a, b, c, d) \
  ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static int is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* rows returns the bytes of w x h packed rows, each with its filter byte. */
static uint64_t rows(uint64_t w, uint64_t h, uint64_t bits) {
  if (w == 0 || h == 0) {
    return 0;
  }
  return h * (1 + (w * bits + 7) / 8);
}

/* raw_len returns the inflated size of a PNG's image data. */
static uint64_t raw_len(const lb_png *png) {
  uint64_t bits = (uint64_t)png->samples * png->depth;
  if (!png->interlace) {
    return rows(png->width, png->height, bits);
  }
  static const uint8_t pass[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8},
                                     {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
                                     {0, 1, 1, 2}};
  uint64_t n = 0;
  for (int i = 0; i < 7; i++) {
    uint64_t w = png->width > pass[i][0] ? (png->width - pass[i][0] + pass[i][2] - 1) / pass[i][2] : 0;
    uint64_t h = png->height > pass[i][1] ? (png->height - pass[i][1] + pass[i][3] - 1) / pass[i][3] : 0;
    n += rows(w, h, bits);
  }
  return n;
}

/* depth_ok reports whether the PNG spec allows depth for colour type. */
static int depth_ok(uint8_t color, uint8_t depth) {
  switch (color) {
  case 0:
    return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
  case 3:
    return depth == 1 || depth == 2 || depth == 4 || depth == 8;
  case 2:
  case 4:
  case 6:
    return depth == 8 || depth == 16;
  }
  return 0;
}

static int32_t parse_ihdr(const uint8_t *d, uint32_t n, uint32_t at,
                          uint64_t max_pixels, lb_png *png) {
  if (n != 13) {
    return lb_fail(LB_ECORRUPT, "png: IHDR at offset %u has %u bytes, want 13", at, n);
  }
  png->width = be32(d);
  png->height = be32(d + 4);
  png->depth = d[8];
  png->color = d[9];
  png->interlace = d[12];
  if (png->width == 0 || png->height == 0 || png->width > 0x7fffffffu ||
      png->height > 0x7fffffffu) {
    return lb_fail(LB_ECORRUPT, "png: header declares %ux%u pixels, want 1 to 2^31-1 per side",
                   png->width, png->height);
  }
  if (!depth_ok(png->color, png->depth)) {
    return lb_fail(LB_ECORRUPT, "png: bit depth %u is invalid for colour type %u",
                   png->depth, png->color);
  }
  if (d[10] != 0) {
    return lb_fail(LB_ECORRUPT, "png: compression method %u, want 0 (deflate)", d[10]);
  }
  if (d[11] != 0) {
    return lb_fail(LB_ECORRUPT, "png: filter method %u, want 0", d[11]);
  }
  if (png->interlace > 1) {
    return lb_fail(LB_ECORRUPT, "png: interlace method %u, want 0 or 1 (Adam7)", png->interlace);
  }
  if (png->width > LB_DECODE_MAX_SIDE || png->height > LB_DECODE_MAX_SIDE) {
    return lb_fail(LB_ELIMIT, "png: header declares %ux%u, over the decoder's limit of %u pixels per side",
                   png->width, png->height, LB_DECODE_MAX_SIDE);
  }
  uint64_t px = (uint64_t)png->width * png->height;
  if (px > max_pixels) {
    return lb_fail(LB_ELIMIT, "png: header declares %ux%u = %llu pixels, over the limit of %llu pixels",
                   png->width, png->height, (unsigned long long)px, (unsigned long long)max_pixels);
  }
  static const uint8_t samples[7] = {1, 0, 3, 1, 2, 0, 4};
  png->samples = samples[png->color];
  return LB_OK;
}

int32_t lb_png_scan(const uint8_t *src, uint32_t len, uint64_t max_pixels,
                    lb_png *png) {
  static const uint8_t sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  memset(png, 0, sizeof *png);
  for (int i = 0; i < 256; i++) {
    png->palette[4 * i + 3] = 255; /* opaque black, as libpng leaves them */
  }
  if (len < 8 || memcmp(src, sig, 8) != 0) {
    return lb_fail(LB_ECORRUPT, "png: no PNG signature");
  }
  int seen_ihdr = 0, seen_plte = 0, seen_trns = 0, seen_iend = 0;
  int idat_run = 0; /* 0 before IDAT, 1 in the IDAT run, 2 after it */
  int32_t st;
  uint32_t pos = 8;
  while (pos < len && !seen_iend) {
    if (len - pos < 12) {
      return lb_fail(LB_ECORRUPT, "png: truncated: %u bytes at offset %u are too few for a chunk, and there was no IEND",
                     len - pos, pos);
    }
    uint32_t n = be32(src + pos);
    const uint8_t *t = src + pos + 4;
    uint32_t type = be32(t);
    if (n > 0x7fffffffu) {
      return lb_fail(LB_ECORRUPT, "png: chunk at offset %u declares length %u (0x%08x), over PNG's limit of 2^31-1",
                     pos, n, n);
    }
    if (!is_letter(t[0]) || !is_letter(t[1]) || !is_letter(t[2]) || !is_letter(t[3])) {
      return lb_fail(LB_ECORRUPT, "png: chunk at offset %u has an invalid type (bytes %02x %02x %02x %02x)",
                     pos, t[0], t[1], t[2], t[3]);
    }
    if ((uint64_t)n + 12 > len - pos) {
      return lb_fail(LB_ECORRUPT, "png: truncated: chunk %.4s at offset %u declares %u bytes of data, but only %u bytes follow its header",
                     (const char *)t, pos, n, len - pos - 8);
    }
    const uint8_t *d = t + 4;
    int critical = !(t[0] & 0x20);
    if (critical || type == TYPE('t', 'R', 'N', 'S')) {
      uint32_t want = be32(d + n), got = crc32(t, n + 4);
      if (want != got) {
        if (!critical) {
          pos += n + 12; /* libpng drops an ancillary chunk with a bad CRC */
          continue;
        }
        return lb_fail(LB_ECORRUPT, "png: CRC mismatch in chunk %.4s at offset %u: stored %08x, computed %08x",
                       (const char *)t, pos, want, got);
      }
    }
    if (!seen_ihdr && type != TYPE('I', 'H', 'D', 'R') && type != TYPE('C', 'g', 'B', 'I')) {
      return lb_fail(LB_ECORRUPT, "png: chunk %.4s at offset %u comes before IHDR", (const char *)t, pos);
    }
    if (idat_run == 1 && type != TYPE('I', 'D', 'A', 'T')) {
      idat_run = 2;
    }
    switch (type) {
    case TYPE('C', 'g', 'B', 'I'):
      if (seen_ihdr) {
        return lb_fail(LB_ECORRUPT, "png: CgBI chunk at offset %u after IHDR", pos);
      }
      png->cgbi = 1;
      break;
    case TYPE('I', 'H', 'D', 'R'):
      if (seen_ihdr) {
        return lb_fail(LB_ECORRUPT, "png: second IHDR chunk at offset %u", pos);
      }
      if ((st = parse_ihdr(d, n, pos, max_pixels, png)) != LB_OK) {
        return st;
      }
      seen_ihdr = 1;
      break;
    case TYPE('P', 'L', 'T', 'E'):
      if (seen_plte) {
        return lb_fail(LB_ECORRUPT, "png: second PLTE chunk at offset %u", pos);
      }
      if (idat_run) {
        return lb_fail(LB_ECORRUPT, "png: PLTE chunk at offset %u after IDAT", pos);
      }
      if (n == 0 || n % 3 != 0 || n > 3 * 256) {
        return lb_fail(LB_ECORRUPT, "png: PLTE at offset %u has %u bytes, want a multiple of 3 from 3 to 768", pos, n);
      }
      if (png->color == 0 || png->color == 4) {
        return lb_fail(LB_ECORRUPT, "png: PLTE chunk in a grayscale image (colour type %u)", png->color);
      }
      seen_plte = 1;
      png->palette_len = n / 3;
      for (uint32_t i = 0; i < png->palette_len; i++) {
        png->palette[4 * i] = d[3 * i];
        png->palette[4 * i + 1] = d[3 * i + 1];
        png->palette[4 * i + 2] = d[3 * i + 2];
      }
      break;
    case TYPE('t', 'R', 'N', 'S'):
      if (seen_trns) {
        return lb_fail(LB_ECORRUPT, "png: second tRNS chunk at offset %u", pos);
      }
      if (idat_run) {
        return lb_fail(LB_ECORRUPT, "png: tRNS chunk at offset %u after IDAT", pos);
      }
      seen_trns = 1;
      if (png->color == 3) {
        if (!seen_plte) {
          return lb_fail(LB_ECORRUPT, "png: tRNS chunk at offset %u before PLTE", pos);
        }
        if (n > png->palette_len) {
          return lb_fail(LB_ECORRUPT, "png: tRNS has %u entries, more than the %u of PLTE", n, png->palette_len);
        }
        for (uint32_t i = 0; i < n; i++) {
          png->palette[4 * i + 3] = d[i];
        }
      } else if (png->color == 0 || png->color == 2) {
        if (n != 2u * png->samples) {
          return lb_fail(LB_ECORRUPT, "png: tRNS has %u bytes, want %u for colour type %u", n,
                         2u * png->samples, png->color);
        }
        png->has_trns = 1;
        for (uint32_t i = 0; i < png->samples; i++) {
          png->trns[i] = (uint16_t)(d[2 * i] << 8 | d[2 * i + 1]);
        }
      } else {
        return lb_fail(LB_ECORRUPT, "png: tRNS chunk in an image with an alpha channel (colour type %u)",
                       png->color);
      }
      break;
    case TYPE('I', 'D', 'A', 'T'):
      if (png->color == 3 && !seen_plte) {
        return lb_fail(LB_ECORRUPT, "png: IDAT before PLTE in a palette image");
      }
      if (idat_run == 2) {
        return lb_fail(LB_ECORRUPT, "png: IDAT chunks are not consecutive (another at offset %u)", pos);
      }
      if (idat_run == 0) {
        idat_run = 1;
        png->idat_off = pos;
      }
      png->idat_chunks++;
      png->idat_len += n;
      break;
    case TYPE('I', 'E', 'N', 'D'):
      if (n != 0) {
        return lb_fail(LB_ECORRUPT, "png: IEND at offset %u has %u bytes, want 0", pos, n);
      }
      seen_iend = 1;
      break;
    default:
      if (critical) {
        return lb_fail(LB_ECORRUPT, "png: unknown critical chunk %.4s at offset %u", (const char *)t, pos);
      }
    }
    pos += n + 12;
  }
  if (!seen_ihdr) {
    return lb_fail(LB_ECORRUPT, "png: no IHDR chunk");
  }
  if (png->idat_chunks == 0) {
    return lb_fail(LB_ECORRUPT, "png: no IDAT chunk");
  }
  if (!seen_iend) {
    return lb_fail(LB_ECORRUPT, "png: truncated: the file ends after %u bytes without an IEND chunk", len);
  }
  png->raw_len = raw_len(png);
  uint64_t most = LB_DEFLATE_MAX_RATIO * png->idat_len;
  if (png->raw_len > most) {
    return lb_fail(LB_ECORRUPT,
                   "png: header declares %ux%u, %llu bytes of image data, but its %llu bytes of IDAT inflate to at most %llu (deflate's limit is %u:1)",
                   png->width, png->height, (unsigned long long)png->raw_len,
                   (unsigned long long)png->idat_len, (unsigned long long)most, LB_DEFLATE_MAX_RATIO);
  }
  return LB_OK;
}

void lb_png_gather(const uint8_t *src, const lb_png *png, uint8_t *dst) {
  uint32_t pos = png->idat_off;
  for (uint32_t i = 0; i < png->idat_chunks; i++) {
    uint32_t n = be32(src + pos);
    memcpy(dst, src + pos + 8, n);
    dst += n;
    pos += n + 12;
  }
}

const uint8_t *lb_png_idat(const uint8_t *src, const lb_png *png) { return src + png->idat_off + 8; }
