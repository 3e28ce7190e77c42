/*
 * jpeg.c: the decode module's scan of a JPEG's markers, before stb_image
 * touches the pixels (see decode.h).
 *
 * It walks every marker segment and every scan's entropy-coded data
 * without decoding it, and fails a file that:
 *   - is truncated: a segment longer than the file, or no EOI (libjpeg
 *     only warns and pads; Go's decoder fails, and so do we);
 *   - leaves a component without a scan (its pixels would be undefined);
 *   - declares more pixels than its scans could code. Every block of a
 *     sequential scan codes at least a DC difference and an end of block,
 *     each a Huffman code of at least 1 bit: 2 bits per block. A
 *     progressive file needs a first DC scan of every component, 1 bit per
 *     block (its AC scans can skip up to 32767 blocks with one end-of-band
 *     run, so they justify nothing). A 200-byte baseline file can thus
 *     code at most 800 blocks, about 51000 pixels of grayscale;
 *   - has more than LB_JPEG_MAX_SCANS scans, or scans that visit more than
 *     LB_JPEG_MAX_PASSES times the frame's blocks (the decoder's work).
 */
#include "decode.h"
#include "lb.h"

#include <string.h>

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* comp_blocks returns the blocks of component i in a non-interleaved scan. */
static uint64_t comp_blocks(const lb_jpeg *j, uint32_t i) {
  uint32_t w = ceil_div(j->width * j->h[i], j->hmax);
  uint32_t h = ceil_div(j->height * j->v[i], j->vmax);
  return (uint64_t)ceil_div(w, 8) * ceil_div(h, 8);
}

static const char *sof_name(uint32_t m) {
  switch (m) {
  case 0xc3: return "lossless";
  case 0xc5: return "differential sequential";
  case 0xc6: return "differential progressive";
  case 0xc7: return "differential lossless";
  case 0xc9: return "arithmetic sequential";
  case 0xca: return "arithmetic progressive";
  case 0xcb: return "arithmetic lossless";
  case 0xcd: return "arithmetic differential sequential";
  case 0xce: return "arithmetic differential progressive";
  case 0xcf: return "arithmetic differential lossless";
  }
  return "unknown";
}

static int32_t parse_sof(const uint8_t *d, uint32_t n, uint32_t at, uint64_t max_pixels, lb_jpeg *j) {
  if (n < 6) {
    return lb_fail(LB_ECORRUPT, "jpeg: frame header at offset %u has %u bytes, too few", at, n);
  }
  if (d[0] != 8) {
    return lb_fail(LB_ECORRUPT, "jpeg: %u-bit samples are not supported (8 only)", d[0]);
  }
  j->height = be16(d + 1);
  j->width = be16(d + 3);
  j->ncomp = d[5];
  if (j->height == 0) {
    return lb_fail(LB_ECORRUPT, "jpeg: frame header declares height 0 (a DNL marker's height is not supported)");
  }
  if (j->width == 0) {
    return lb_fail(LB_ECORRUPT, "jpeg: frame header declares width 0");
  }
  if (j->ncomp != 1 && j->ncomp != 3 && j->ncomp != 4) {
    return lb_fail(LB_ECORRUPT, "jpeg: %u components, want 1, 3 or 4", j->ncomp);
  }
  if (n != 6 + 3 * j->ncomp) {
    return lb_fail(LB_ECORRUPT, "jpeg: frame header has %u bytes, want %u for %u components", n,
                   6 + 3 * j->ncomp, j->ncomp);
  }
  j->hmax = j->vmax = 1;
  for (uint32_t i = 0; i < j->ncomp; i++) {
    j->h[i] = d[7 + 3 * i] >> 4;
    j->v[i] = d[7 + 3 * i] & 15;
    if (j->h[i] < 1 || j->h[i] > 4 || j->v[i] < 1 || j->v[i] > 4) {
      return lb_fail(LB_ECORRUPT, "jpeg: component %u has sampling factors %ux%u, want 1 to 4", i, j->h[i], j->v[i]);
    }
    if (d[8 + 3 * i] > 3) {
      return lb_fail(LB_ECORRUPT, "jpeg: component %u uses quantization table %u, want 0 to 3", i, d[8 + 3 * i]);
    }
    j->hmax = j->h[i] > j->hmax ? j->h[i] : j->hmax;
    j->vmax = j->v[i] > j->vmax ? j->v[i] : j->vmax;
  }
  for (uint32_t i = 0; i < j->ncomp; i++) {
    if (j->hmax % j->h[i] != 0 || j->vmax % j->v[i] != 0) {
      return lb_fail(LB_ECORRUPT, "jpeg: component %u's sampling factors %ux%u don't divide the largest, %ux%u",
                     i, j->h[i], j->v[i], j->hmax, j->vmax);
    }
  }
  uint64_t px = (uint64_t)j->width * j->height;
  if (px > max_pixels) {
    return lb_fail(LB_ELIMIT, "jpeg: header declares %ux%u = %llu pixels, over the limit of %llu pixels",
                   j->width, j->height, (unsigned long long)px, (unsigned long long)max_pixels);
  }
  j->mcux = ceil_div(j->width, 8 * j->hmax);
  j->mcuy = ceil_div(j->height, 8 * j->vmax);
  for (uint32_t i = 0; i < j->ncomp; i++) {
    j->frame_blocks += comp_blocks(j, i);
  }
  (void)at;
  return LB_OK;
}

/*
 * check_tables checks that a DHT or DQT segment's tables fill it exactly
 * (stb_image fails such a segment without saying why).
 */
static int32_t check_tables(uint32_t m, const uint8_t *d, uint32_t n, uint32_t at) {
  uint32_t p = 0;
  while (p < n) {
    uint32_t size;
    if (m == 0xc4) {
      if (n - p < 17) {
        return lb_fail(LB_ECORRUPT, "jpeg: DHT segment at offset %u: a table header at byte %u needs 17 bytes, %u remain", at, p, n - p);
      }
      if ((d[p] >> 4) > 1 || (d[p] & 15) > 3) {
        return lb_fail(LB_ECORRUPT, "jpeg: DHT segment at offset %u: table class %u id %u, want class 0-1 and id 0-3", at, d[p] >> 4, d[p] & 15);
      }
      uint32_t codes = 0;
      for (int i = 1; i <= 16; i++) {
        codes += d[p + i];
      }
      if (codes > 256) {
        return lb_fail(LB_ECORRUPT, "jpeg: DHT segment at offset %u: a table of %u codes, over 256", at, codes);
      }
      size = 17 + codes;
    } else {
      if ((d[p] >> 4) > 1 || (d[p] & 15) > 3) {
        return lb_fail(LB_ECORRUPT, "jpeg: DQT segment at offset %u: precision %u id %u, want 0-1 and 0-3", at, d[p] >> 4, d[p] & 15);
      }
      size = 1 + ((d[p] >> 4) ? 128 : 64);
    }
    if (size > n - p) {
      return lb_fail(LB_ECORRUPT, "jpeg: %s segment at offset %u: a table at byte %u takes %u bytes, but the segment has %u left",
                     m == 0xc4 ? "DHT" : "DQT", at, p, size, n - p);
    }
    p += size;
  }
  return LB_OK;
}

/*
 * entropy_end returns the offset of the marker that ends the entropy-coded
 * data starting at pos (its 0xff), or len when the file ends first; *bytes
 * gets the data bytes, restart markers excluded.
 */
static uint32_t entropy_end(const uint8_t *src, uint32_t len, uint32_t pos, uint64_t *bytes) {
  uint64_t n = 0;
  while (pos < len) {
    const uint8_t *ff = memchr(src + pos, 0xff, len - pos);
    if (ff == NULL) {
      n += len - pos;
      pos = len;
      break;
    }
    uint32_t at = (uint32_t)(ff - src);
    n += at - pos;
    uint32_t q = at + 1;
    while (q < len && src[q] == 0xff) {
      q++; /* fill bytes before a marker */
    }
    if (q >= len) {
      pos = len;
      break;
    }
    if (src[q] == 0) { /* a stuffed 0xff data byte */
      n += 1;
      pos = q + 1;
    } else if (src[q] >= 0xd0 && src[q] <= 0xd7) { /* RSTn */
      pos = q + 1;
    } else {
      *bytes = n;
      return q - 1;
    }
  }
  *bytes = n;
  return len;
}

static int32_t parse_sos(const uint8_t *src, uint32_t len, uint32_t at, const uint8_t *d, uint32_t n,
                         uint32_t data, lb_jpeg *j, uint8_t *covered, uint32_t *next) {
  if (n < 1 || d[0] < 1 || d[0] > 4 || n != 4 + 2u * d[0]) {
    return lb_fail(LB_ECORRUPT, "jpeg: scan header at offset %u has %u bytes for %u components", at, n,
                   n ? d[0] : 0);
  }
  uint32_t ns = d[0];
  uint32_t ss = d[1 + 2 * ns], se = d[2 + 2 * ns], ah = d[3 + 2 * ns] >> 4;
  uint8_t idx[4];
  for (uint32_t k = 0; k < ns; k++) {
    uint32_t id = d[1 + 2 * k], found = 4;
    for (uint32_t i = 0; i < j->ncomp; i++) {
      if (j->ids[i] == id) {
        found = i;
      }
    }
    if (found == 4) {
      return lb_fail(LB_ECORRUPT, "jpeg: scan %u at offset %u names component id %u, which the frame lacks",
                     j->scans + 1, at, id);
    }
    idx[k] = (uint8_t)found;
  }
  if (j->progressive) {
    if ((ss == 0) != (se == 0) || se > 63 || ss > se || (ss > 0 && ns != 1)) {
      return lb_fail(LB_ECORRUPT, "jpeg: progressive scan %u at offset %u has spectral selection %u-%u for %u components",
                     j->scans + 1, at, ss, se, ns);
    }
  }
  j->scans++;
  if (j->scans > LB_JPEG_MAX_SCANS) {
    return lb_fail(LB_ELIMIT, "jpeg: more than %u scans (the decoder's limit)", LB_JPEG_MAX_SCANS);
  }
  uint64_t blocks = 0;
  if (ns == 1) {
    blocks = comp_blocks(j, idx[0]);
  } else {
    for (uint32_t k = 0; k < ns; k++) {
      blocks += (uint64_t)j->mcux * j->mcuy * j->h[idx[k]] * j->v[idx[k]];
    }
  }
  j->work_blocks += blocks;
  if (j->work_blocks > (uint64_t)LB_JPEG_MAX_PASSES * j->frame_blocks) {
    return lb_fail(LB_ELIMIT, "jpeg: %u scans visit %llu blocks, over %u passes over the frame's %llu blocks (the decoder's limit)",
                   j->scans, (unsigned long long)j->work_blocks, LB_JPEG_MAX_PASSES,
                   (unsigned long long)j->frame_blocks);
  }
  uint64_t bytes = 0;
  uint32_t end = entropy_end(src, len, data, &bytes);
  if (end >= len) {
    return lb_fail(LB_ECORRUPT, "jpeg: truncated: the file ends in the entropy-coded data of scan %u (no EOI)", j->scans);
  }
  j->entropy_len += bytes;
  /* Bits the scan needs at the least: 2 per block of a sequential scan, 1
   * per block of a progressive first DC scan, nothing for the others. */
  uint64_t need = 0;
  if (!j->progressive) {
    need = 2 * blocks;
  } else if (ss == 0 && ah == 0) {
    need = blocks;
  }
  if (need > 8 * bytes) {
    return lb_fail(LB_ECORRUPT,
                   "jpeg: header declares %ux%u, but scan %u codes its %llu blocks in %llu bytes; %s scan needs at least %s per block (%llu bytes)",
                   j->width, j->height, j->scans, (unsigned long long)blocks, (unsigned long long)bytes,
                   j->progressive ? "a first DC" : "a sequential", j->progressive ? "1 bit" : "2 bits",
                   (unsigned long long)((need + 7) / 8));
  }
  if (!j->progressive || (ss == 0 && ah == 0)) {
    for (uint32_t k = 0; k < ns; k++) {
      covered[idx[k]] = 1;
    }
  }
  *next = end;
  return LB_OK;
}

int32_t lb_jpeg_scan(const uint8_t *src, uint32_t len, uint64_t max_pixels, lb_jpeg *j) {
  memset(j, 0, sizeof *j);
  if (len < 4 || src[0] != 0xff || src[1] != 0xd8) {
    return lb_fail(LB_ECORRUPT, "jpeg: no SOI marker");
  }
  uint8_t covered[4] = {0};
  int seen_sof = 0;
  uint32_t pos = 2;
  int32_t st;
  for (;;) {
    /* Bytes before a marker are skipped, as libjpeg does (with a warning). */
    while (pos < len && src[pos] != 0xff) {
      pos++;
    }
    while (pos < len && src[pos] == 0xff) {
      pos++;
    }
    if (pos >= len) {
      return lb_fail(LB_ECORRUPT, "jpeg: truncated: the file ends after %u bytes without an EOI marker", len);
    }
    uint32_t at = pos - 1, m = src[pos++];
    if (m == 0xd9) {
      break;
    }
    if (m == 0xd8) {
      return lb_fail(LB_ECORRUPT, "jpeg: second SOI marker at offset %u", at);
    }
    if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      continue; /* TEM, or a stray restart marker: no segment */
    }
    if (len - pos < 2) {
      return lb_fail(LB_ECORRUPT, "jpeg: truncated: the file ends in marker 0x%02x at offset %u", m, at);
    }
    uint32_t n = be16(src + pos);
    if (n < 2) {
      return lb_fail(LB_ECORRUPT, "jpeg: marker 0x%02x at offset %u declares length %u, want at least 2", m, at, n);
    }
    if (n > len - pos) {
      return lb_fail(LB_ECORRUPT, "jpeg: truncated: marker 0x%02x at offset %u declares %u bytes, but only %u follow",
                     m, at, n, len - pos);
    }
    const uint8_t *d = src + pos + 2;
    uint32_t dn = n - 2;
    switch (m) {
    case 0xc0:
    case 0xc1:
    case 0xc2:
      if (seen_sof) {
        return lb_fail(LB_ECORRUPT, "jpeg: second frame header at offset %u", at);
      }
      j->progressive = m == 0xc2;
      if ((st = parse_sof(d, dn, at, max_pixels, j)) != LB_OK) {
        return st;
      }
      for (uint32_t i = 0; i < j->ncomp; i++) {
        j->ids[i] = d[6 + 3 * i];
      }
      seen_sof = 1;
      break;
    case 0xc3: case 0xc5: case 0xc6: case 0xc7: case 0xc9: case 0xca:
    case 0xcb: case 0xcd: case 0xce: case 0xcf:
      return lb_fail(LB_ECORRUPT, "jpeg: %s JPEG (SOF%u) is not supported: the decoder reads baseline, extended and progressive Huffman JPEG",
                     sof_name(m), m - 0xc0);
    case 0xc4:
    case 0xdb:
      if ((st = check_tables(m, d, dn, at)) != LB_OK) {
        return st;
      }
      break;
    case 0xda: {
      if (!seen_sof) {
        return lb_fail(LB_ECORRUPT, "jpeg: scan at offset %u before the frame header", at);
      }
      uint32_t next = 0;
      if ((st = parse_sos(src, len, at, d, dn, pos + n, j, covered, &next)) != LB_OK) {
        return st;
      }
      pos = next;
      continue;
    }
    }
    pos += n;
  }
  if (!seen_sof) {
    return lb_fail(LB_ECORRUPT, "jpeg: no frame header before EOI");
  }
  for (uint32_t i = 0; i < j->ncomp; i++) {
    if (!covered[i]) {
      return lb_fail(LB_ECORRUPT, "jpeg: component %u has no %s, so its pixels are undefined", i,
                     j->progressive ? "first DC scan" : "scan");
    }
  }
  return LB_OK;
}
