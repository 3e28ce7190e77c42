/*
 * vp8enc.c: a lossy VP8 key-frame encoder, written from RFC 6386 (no code
 * taken from libwebp/libvpx or elsewhere; the constant tables in
 * vp8_tables.c are the spec's data).
 *
 * Stages, in the order one macroblock row goes through them:
 *
 *  1. Colour conversion (convert_row): RGBA8 -> Y'CbCr 4:2:0 with the BT.601
 *     "studio range" VP8 decoders assume (Y 16..235, Cb/Cr 16..240). Alpha
 *     is flattened onto white first: the simple lossy WebP format written
 *     here has no alpha channel (no VP8X/ALPH chunks). Chroma is the
 *     conversion of the average RGB of each 2x2 block. The picture is padded
 *     to whole 16x16 macroblocks by replicating its last column and row.
 *  2. Prediction (vp8_dsp.c): every macroblock is predicted from the
 *     reconstructed, not loop-filtered, pixels above and to the left, with
 *     the spec's edge rules (127 above the frame, 129 left of it, the
 *     above-right pixels of subblocks 3/7/11/15 taken from the row above the
 *     macroblock and replicated past the right edge). Luma: the 16x16 modes
 *     DC, V, H, TM, or B_PRED with one of the ten subblock modes per 4x4
 *     block. Chroma: DC, V, H, TM.
 *  3. Mode decision (encode_mb): candidates are ranked cheaply by SATD (sum
 *     of absolute Hadamard-transformed residuals) plus mode bits; the best
 *     few (2 of 4 for 16x16 and chroma, 3 of 10 per subblock) are then fully
 *     coded - transform, quantisation, reconstruction - and the one with
 *     the lowest J = SSE + lambda * bits wins. Bits are estimated from the
 *     same default token probabilities and contexts the token coder uses,
 *     plus the mode's tree cost; lambda = 3/256 * (luma AC step)^2. B_PRED
 *     competes with the best 16x16 mode on the same J and gives up as soon
 *     as its running score is worse.
 *  4. Transforms (vp8_dsp.c): a forward 4x4 DCT that inverts the spec's
 *     inverse DCT, and for 16x16-predicted macroblocks a forward WHT of the
 *     16 luma DC coefficients (the Y2 block) that inverts the spec's WHT.
 *     Reconstruction uses the spec's exact integer inverse transforms.
 *  5. Quantisation (quant_block): each coefficient is divided by the spec's
 *     dequantisation factor (section 14.1 tables with the Y2 and chroma
 *     adjustments of the reference decoder) with round-half-up for DC and a
 *     dead zone for AC (rounding offsets 0.30 luma, 0.40 chroma).
 *  6. Token coding (section 13): coefficients in zig-zag order, tree coded
 *     with the default probabilities of section 13.5 (no probability updates
 *     are sent) and the neighbour / previous-token contexts. A macroblock
 *     without any non-zero level sets mb_skip_coeff and codes no tokens.
 *  7. Frame assembly (vp8_encode_frame): the first partition holds the frame
 *     header (section 19.2: no segmentation, normal loop filter, sharpness 0,
 *     one quantiser index, mb_no_skip_coeff with a measured skip
 *     probability) and the per-macroblock modes coded with the fixed
 *     key-frame probabilities; the token partition follows. Both are coded
 *     with the boolean entropy encoder (vp8_bool.c). The 10-byte
 *     uncompressed key-frame header (frame tag, start code, 14-bit
 *     dimensions with scale 0) goes first.
 *
 * Quality -> quantiser: quality q in 0..100 maps linearly to the quantiser
 * index qi = round((100 - q) * 127 / 100): 100 -> 0 (finest, AC step 4),
 * 90 -> 13, 75 -> 32 (step 36), 50 -> 64 (step 72), 10 -> 114, 0 -> 127
 * (step 284). All six factors (Y/Y2/UV, DC/AC) use qi, no deltas. The loop
 * filter level is the luma AC step / 4 (capped at 63); the decoder applies
 * it, the encoder need not because intra prediction reads unfiltered pixels.
 * lambda and the rounding offsets were tuned for PSNR per byte.
 *
 * Limits: width and height 1..16383 (the 14-bit fields of the frame
 * header). The first partition must stay below 2^19 bytes (the 19-bit size
 * in the frame tag): if B_PRED's subblock modes make it larger, the frame is
 * coded again with 16x16 modes only. A token partition must stay below
 * 16 MiB (the 24-bit partition sizes; golang.org/x/image/vp8 also enforces
 * it for the last one): if one token partition is too large, the frame is
 * coded again with 2, 4 or 8 partitions (macroblock rows round robin). Past
 * those limits the encoder fails with -1.
 *
 * Memory: working buffers of one macroblock row (O(width)), 19 bytes of
 * mode information per macroblock and the output; no per-pixel allocation.
 * Time: O(pixels x candidate modes).
 */
#include "vp8enc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VP8ENC_DEBUG
void (*vp8_debug_recon_row)(int mby, const uint8_t *y, int ystride,
                            const uint8_t *u, const uint8_t *v,
                            int uvstride) = NULL;
int vp8_debug_filter_level = -1;
#endif

#define MAX_DIM 16383
#ifndef MAX_PART0 /* overridable for tests only */
#define MAX_PART0 ((1u << 19) - 1)
#endif
#ifndef MAX_PART
#define MAX_PART ((1u << 24) - 1)
#endif
#define MAX_LEVEL 2048

/* Per macroblock mode record kept until the first partition is written. */
enum { MBI_Y = 0, MBI_UV = 1, MBI_SKIP = 2, MBI_B = 3, MBI_SIZE = 19 };

/* Non-zero context slots per macroblock edge: 4 Y, 2 U, 2 V, 1 Y2. */
enum { NZ_Y = 0, NZ_U = 4, NZ_V = 6, NZ_Y2 = 8, NZ_SIZE = 9 };

/* One quantiser: step (the spec's dequantisation factor), reciprocal and
 * rounding offset for DC (index 0) and AC (index 1). */
typedef struct {
  int step[2];
  uint32_t iq[2];   /* 65536 / step, rounded up */
  uint32_t bias[2]; /* rounding offset in coefficient units */
} quant_t;

/* Working buffer of one macroblock's luma: 1 row / column of edge. */
#define WS 32 /* stride; pixel (x, y), x,y in -1..,  at [(y+1)*WS + x+1] */
#define WY(buf, x, y) ((buf)[((y) + 1) * WS + (x) + 1])

typedef struct {
  /* The picture. */
  const uint8_t *rgba;
  int w, h, mbw, mbh;
  int allow_i4;

  /* Quantisers and rate-distortion weights. */
  int qi;
  quant_t qy1, qy2, quv;
  int64_t lambda16, lambda4, lambda_uv;
  int lambda_satd; /* weight of mode bits against SATD when ranking */
  int try_zero;    /* also score each 4x4 candidate with no residual */
  int i4_trials;   /* subblock modes fully coded per 4x4 block (1..10) */
  int i16_trials;  /* 16x16 modes fully coded (1..4) */
  int uv_trials;   /* chroma modes fully coded (1..4) */

  /* Mode costs (1/256 bit) from the fixed key-frame trees. */
  int ymode_cost[5];
  int uvmode_cost[4];
  int bmode_cost[10][10][10]; /* [above][left][mode] */

  /* Source of the current macroblock row (padded). */
  uint8_t *src_y, *src_u, *src_v; /* strides sy, suv */
  int sy, suv;

  /* Reconstruction of the current macroblock row with one row of edge
   * above and a margin left and right: pixel (x, y), y = -1..15 at
   * rec_y[(y + 1) * ry + x + 8]. */
  uint8_t *rec_y, *rec_u, *rec_v;
  int ry, ruv;

  /* Contexts. */
  uint8_t *top_nz;     /* NZ_SIZE per macroblock column */
  uint8_t left_nz[NZ_SIZE];
  uint8_t *top_bmode;  /* 4 per macroblock column */
  uint8_t left_bmode[4];

  /* Output. */
  uint8_t *mbinfo; /* MBI_SIZE per macroblock */
  int nparts;          /* token partitions: 1, 2, 4 or 8 */
  vp8_bool_enc tok[8]; /* macroblock row r goes to tok[r % nparts] */
  int nskip;
} enc_t;

/* ---------------------------------------------------------------------- */
/* Stage 1: colour conversion                                              */
/* ---------------------------------------------------------------------- */

/* flatten composes one channel onto white: c*a + 255*(1-a). */
static inline int flatten(int c, int a) {
  return (c * a + 255 * (255 - a) + 127) / 255;
}

/* BT.601 studio range, 16-bit fixed point (coefficients * 65536). */
static inline uint8_t rgb_to_y(int r, int g, int b) {
  return (uint8_t)((16829 * r + 33039 * g + 6416 * b + (16 << 16) + 32768) >>
                   16);
}

/* Chroma from the sum of four pixels (hence the extra 2 bits of shift). */
static inline uint8_t rgb4_to_u(int r, int g, int b) {
  int v = (-9714 * r - 19070 * g + 28784 * b + (128 << 18) + (1 << 17)) >> 18;
  return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}
static inline uint8_t rgb4_to_v(int r, int g, int b) {
  int v = (28784 * r - 24103 * g - 4681 * b + (128 << 18) + (1 << 17)) >> 18;
  return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* load_rgb reads pixel (x, y) flattened on white. */
static inline void load_rgb(const uint8_t *p, int *r, int *g, int *b) {
  int a = p[3];
  if (a == 255) {
    *r = p[0]; *g = p[1]; *b = p[2];
  } else {
    *r = flatten(p[0], a); *g = flatten(p[1], a); *b = flatten(p[2], a);
  }
}

/*
 * convert_row fills the source buffers for macroblock row mby: 16 luma rows
 * and 8 chroma rows, replicating the last real column and row into the
 * padding.
 */
static void convert_row(enc_t *e, int mby) {
  const int w = e->w, h = e->h, cw = (w + 1) / 2;
  for (int cy = 0; cy < 8; cy++) {
    int y0 = mby * 16 + cy * 2, y1 = y0 + 1;
    if (y0 > h - 1) y0 = h - 1;
    if (y1 > h - 1) y1 = h - 1;
    const uint8_t *r0 = e->rgba + (size_t)y0 * w * 4;
    const uint8_t *r1 = e->rgba + (size_t)y1 * w * 4;
    uint8_t *dy0 = e->src_y + (cy * 2) * e->sy;
    uint8_t *dy1 = dy0 + e->sy;
    uint8_t *du = e->src_u + cy * e->suv, *dv = e->src_v + cy * e->suv;
    for (int cx = 0; cx < cw; cx++) {
      int x0 = cx * 2, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
      int ra, ga, ba, rb, gb, bb, rc, gc, bc, rd, gd, bd;
      load_rgb(r0 + x0 * 4, &ra, &ga, &ba);
      load_rgb(r0 + x1 * 4, &rb, &gb, &bb);
      load_rgb(r1 + x0 * 4, &rc, &gc, &bc);
      load_rgb(r1 + x1 * 4, &rd, &gd, &bd);
      dy0[x0] = rgb_to_y(ra, ga, ba);
      dy1[x0] = rgb_to_y(rc, gc, bc);
      if (x0 + 1 < w) {
        dy0[x0 + 1] = rgb_to_y(rb, gb, bb);
        dy1[x0 + 1] = rgb_to_y(rd, gd, bd);
      }
      du[cx] = rgb4_to_u(ra + rb + rc + rd, ga + gb + gc + gd,
                         ba + bb + bc + bd);
      dv[cx] = rgb4_to_v(ra + rb + rc + rd, ga + gb + gc + gd,
                         ba + bb + bc + bd);
    }
    /* Pad to the macroblock width. */
    for (int x = w; x < e->sy; x++) {
      dy0[x] = dy0[w - 1];
      dy1[x] = dy1[w - 1];
    }
    for (int x = cw; x < e->suv; x++) {
      du[x] = du[cw - 1];
      dv[x] = dv[cw - 1];
    }
  }
}

/* ---------------------------------------------------------------------- */
/* Quantisation                                                            */
/* ---------------------------------------------------------------------- */

/*
 * quant_init sets up one quantiser. The rounding offsets (percent of a
 * step) are below one half for AC coefficients, a dead zone that drops
 * coefficients barely worth their bits; they were tuned on PSNR per byte.
 */
static void quant_init(quant_t *q, int dc_step, int ac_step, int dc_round,
                       int ac_round) {
  q->step[0] = dc_step;
  q->step[1] = ac_step;
  for (int i = 0; i < 2; i++) {
    q->iq[i] = (65536u + (uint32_t)q->step[i] - 1) / (uint32_t)q->step[i];
  }
  q->bias[0] = (uint32_t)(q->step[0] * dc_round / 100);
  q->bias[1] = (uint32_t)(q->step[1] * ac_round / 100);
}

/*
 * quant_block quantises the raster coefficients `coef` from position
 * `first` (zig-zag order) on. It writes the levels in zig-zag order to lev
 * and the dequantised coefficients in raster order to deq (positions before
 * `first` are left alone). Returns the zig-zag index of the last non-zero
 * level, or -1 if there is none.
 */
static int quant_block(const int16_t *coef, const quant_t *q, int first,
                       int16_t *lev, int16_t *deq) {
  int last = -1;
  /* Zig-zag position i, raster position j, DC (k = 0) or AC (k = 1); written
   * out without a loop (see the note above sse4). */
#define QUANT(i, j, k)                                                 \
  do {                                                                 \
    int c = coef[j];                                                   \
    uint32_t a = (uint32_t)(c < 0 ? -c : c);                           \
    int l = (int)(((a + q->bias[k]) * q->iq[k]) >> 16);                \
    if (l > MAX_LEVEL) l = MAX_LEVEL;                                  \
    if (c < 0) l = -l;                                                 \
    lev[i] = (int16_t)l;                                               \
    deq[j] = (int16_t)(l * q->step[k]);                                \
    if (l) last = i;                                                   \
  } while (0)
  if (first == 0) QUANT(0, 0, 0);
  QUANT(1, 1, 1);   QUANT(2, 4, 1);   QUANT(3, 8, 1);   QUANT(4, 5, 1);
  QUANT(5, 2, 1);   QUANT(6, 3, 1);   QUANT(7, 6, 1);   QUANT(8, 9, 1);
  QUANT(9, 12, 1);  QUANT(10, 13, 1); QUANT(11, 10, 1); QUANT(12, 7, 1);
  QUANT(13, 11, 1); QUANT(14, 14, 1); QUANT(15, 15, 1);
#undef QUANT
  return last;
}

/* ---------------------------------------------------------------------- */
/* Token costs and token coding (section 13)                               */
/* ---------------------------------------------------------------------- */

typedef const uint8_t (*probs_t)[3][11];

/* Extra-bits table and base value of categories 1..6. */
static const uint8_t *const cat_probs[6] = {vp8_pcat1, vp8_pcat2, vp8_pcat3,
                                            vp8_pcat4, vp8_pcat5, vp8_pcat6};
static const int cat_base[6] = {5, 7, 11, 19, 35, 67};
static const int cat_bits[6] = {1, 2, 3, 4, 5, 11};

/* value_cost is the cost of the token for |v| >= 1 (after the "not zero"
 * branch), its extra bits and the sign. */
static int value_cost(const uint8_t *p, int v) {
  int cost = 256; /* sign bit at probability 1/2 */
  if (v == 1) return cost + vp8_bit_cost(p[2], 0);
  cost += vp8_bit_cost(p[2], 1);
  if (v <= 4) {
    cost += vp8_bit_cost(p[3], 0);
    if (v == 2) return cost + vp8_bit_cost(p[4], 0);
    return cost + vp8_bit_cost(p[4], 1) + vp8_bit_cost(p[5], v == 4);
  }
  int cat;
  cost += vp8_bit_cost(p[3], 1);
  if (v <= 10) {
    cost += vp8_bit_cost(p[6], 0);
    cat = v <= 6 ? 0 : 1;
    cost += vp8_bit_cost(p[7], cat);
  } else {
    cost += vp8_bit_cost(p[6], 1);
    if (v <= 34) {
      cost += vp8_bit_cost(p[8], 0);
      cat = v <= 18 ? 2 : 3;
      cost += vp8_bit_cost(p[9], cat == 3);
    } else {
      cost += vp8_bit_cost(p[8], 1);
      cat = v <= 66 ? 4 : 5;
      cost += vp8_bit_cost(p[10], cat == 5);
    }
  }
  const uint8_t *ep = cat_probs[cat];
  int extra = v - cat_base[cat], n = cat_bits[cat];
  for (int i = 0; i < n; i++) {
    cost += vp8_bit_cost(ep[i], (extra >> (n - 1 - i)) & 1);
  }
  return cost;
}

/* put_value writes what value_cost prices. */
static void put_value(vp8_bool_enc *e, const uint8_t *p, int v, int neg) {
  if (v == 1) {
    vp8_put_bool(e, p[2], 0);
  } else {
    vp8_put_bool(e, p[2], 1);
    if (v <= 4) {
      vp8_put_bool(e, p[3], 0);
      if (v == 2) {
        vp8_put_bool(e, p[4], 0);
      } else {
        vp8_put_bool(e, p[4], 1);
        vp8_put_bool(e, p[5], v == 4);
      }
    } else {
      int cat;
      vp8_put_bool(e, p[3], 1);
      if (v <= 10) {
        vp8_put_bool(e, p[6], 0);
        cat = v <= 6 ? 0 : 1;
        vp8_put_bool(e, p[7], cat);
      } else {
        vp8_put_bool(e, p[6], 1);
        if (v <= 34) {
          vp8_put_bool(e, p[8], 0);
          cat = v <= 18 ? 2 : 3;
          vp8_put_bool(e, p[9], cat == 3);
        } else {
          vp8_put_bool(e, p[8], 1);
          cat = v <= 66 ? 4 : 5;
          vp8_put_bool(e, p[10], cat == 5);
        }
      }
      const uint8_t *ep = cat_probs[cat];
      int extra = v - cat_base[cat], n = cat_bits[cat];
      for (int i = 0; i < n; i++) {
        vp8_put_bool(e, ep[i], (extra >> (n - 1 - i)) & 1);
      }
    }
  }
  vp8_put_bool(e, 128, neg);
}

/*
 * block_cost estimates the bits (1/256 units) of one block's tokens:
 * `plane` selects the probabilities, ctx (0..2) is the number of
 * neighbouring blocks with non-zero coefficients, last the zig-zag index of
 * the last non-zero level (below first if none).
 */
static int block_cost(const int16_t *lev, int first, int last, int plane,
                      int ctx) {
  probs_t P = vp8_default_coeff_probs[plane];
  if (last < first) return vp8_bit_cost(P[vp8_coeff_bands[first]][ctx][0], 0);
  int cost = 0, after_zero = 0;
  for (int i = first; i <= last; i++) {
    const uint8_t *p = P[vp8_coeff_bands[i]][ctx];
    int v = lev[i] < 0 ? -lev[i] : lev[i];
    if (!after_zero) cost += vp8_bit_cost(p[0], 1);
    if (v == 0) {
      cost += vp8_bit_cost(p[1], 0);
      ctx = 0;
      after_zero = 1;
      continue;
    }
    cost += vp8_bit_cost(p[1], 1) + value_cost(p, v);
    ctx = v == 1 ? 1 : 2;
    after_zero = 0;
  }
  if (last < 15) cost += vp8_bit_cost(P[vp8_coeff_bands[last + 1]][ctx][0], 0);
  return cost;
}

/* put_block writes one block's tokens (section 13.2, 13.3); returns 1 if
 * the block had a non-zero level (its context flag for the neighbours). */
static int put_block(vp8_bool_enc *e, const int16_t *lev, int first,
                     int last, int plane, int ctx) {
  probs_t P = vp8_default_coeff_probs[plane];
  if (last < first) {
    vp8_put_bool(e, P[vp8_coeff_bands[first]][ctx][0], 0); /* dct_eob */
    return 0;
  }
  int after_zero = 0;
  for (int i = first; i <= last; i++) {
    const uint8_t *p = P[vp8_coeff_bands[i]][ctx];
    int l = lev[i], v = l < 0 ? -l : l;
    if (!after_zero) vp8_put_bool(e, p[0], 1); /* not dct_eob */
    if (v == 0) {
      vp8_put_bool(e, p[1], 0); /* DCT_0 */
      ctx = 0;
      after_zero = 1; /* dct_eob cannot follow DCT_0 */
      continue;
    }
    vp8_put_bool(e, p[1], 1);
    put_value(e, p, v, l < 0);
    ctx = v == 1 ? 1 : 2;
    after_zero = 0;
  }
  if (last < 15) vp8_put_bool(e, P[vp8_coeff_bands[last + 1]][ctx][0], 0);
  return 1;
}

/* ---------------------------------------------------------------------- */
/* Macroblock coding: prediction, transform, quantisation, mode decision   */
/* ---------------------------------------------------------------------- */

/* Result of coding one macroblock luma or chroma candidate. */
typedef struct {
  int16_t lev[25][16]; /* levels, zig-zag: 0-15 Y, 16-19 U, 20-23 V, 24 Y2 */
  int8_t last[25];     /* zig-zag index of each block's last non-zero
                          level, -1 if none */
  uint8_t bmodes[16];
  int mode;
  int64_t score;
} mb_trial;

/*
 * The 4x4 kernels below are written out without loops: besides being
 * fast, this matters under wazero's interruptible mode, which checks for
 * cancellation on every loop iteration.
 */

/* sse4 is the sum of squared differences of two 4x4 blocks. */
static inline int sse4(const uint8_t *a, int as, const uint8_t *b, int bs) {
#define SQ(i, j) ((a[(i) * as + (j)] - b[(i) * bs + (j)]) * \
                  (a[(i) * as + (j)] - b[(i) * bs + (j)]))
#define SQROW(i) (SQ(i, 0) + SQ(i, 1) + SQ(i, 2) + SQ(i, 3))
  return SQROW(0) + SQROW(1) + SQROW(2) + SQROW(3);
#undef SQROW
#undef SQ
}

/* residual4 computes src - pred for a 4x4 block into out (stride 4). */
static inline void residual4(const uint8_t *src, int ss, const uint8_t *pred,
                             int ps, int16_t *out) {
#define RES(i, j) (out[(i) * 4 + (j)] = (int16_t)(src[(i) * ss + (j)] - \
                                                  pred[(i) * ps + (j)]))
#define RESROW(i) (RES(i, 0), RES(i, 1), RES(i, 2), RES(i, 3))
  RESROW(0); RESROW(1); RESROW(2); RESROW(3);
#undef RESROW
#undef RES
}

/*
 * satd4 is the sum of absolute Hadamard-transformed differences of a 4x4
 * block: a cheap stand-in for the coded cost of a residual, used to rank
 * prediction modes before the expensive full trials.
 */
static inline int satd4(const uint8_t *src, int ss, const uint8_t *pred,
                        int ps) {
  int t[16];
#define HROW(y)                                                       \
  do {                                                                \
    int d0 = src[(y) * ss + 0] - pred[(y) * ps + 0];                  \
    int d1 = src[(y) * ss + 1] - pred[(y) * ps + 1];                  \
    int d2 = src[(y) * ss + 2] - pred[(y) * ps + 2];                  \
    int d3 = src[(y) * ss + 3] - pred[(y) * ps + 3];                  \
    int a_ = d0 + d3, b_ = d1 + d2, c_ = d1 - d2, e_ = d0 - d3;        \
    t[(y) * 4 + 0] = a_ + b_;                                         \
    t[(y) * 4 + 1] = c_ + e_;                                         \
    t[(y) * 4 + 2] = a_ - b_;                                         \
    t[(y) * 4 + 3] = e_ - c_;                                         \
  } while (0)
#define VCOL(x)                                                       \
  (abs(t[x] + t[12 + x] + t[4 + x] + t[8 + x]) +                       \
   abs(t[4 + x] - t[8 + x] + t[x] - t[12 + x]) +                       \
   abs(t[x] + t[12 + x] - t[4 + x] - t[8 + x]) +                       \
   abs(t[x] - t[12 + x] - t[4 + x] + t[8 + x]))
  HROW(0); HROW(1); HROW(2); HROW(3);
  return VCOL(0) + VCOL(1) + VCOL(2) + VCOL(3);
#undef VCOL
#undef HROW
}

/* satd16 and satd8 sum satd4 over a 16x16 / 8x8 block (prediction stride
 * 16 / 8). */
static int satd16(const uint8_t *src, int ss, const uint8_t *pred) {
  int sum = 0;
  for (int y = 0; y < 16; y += 4) {
    const uint8_t *s = src + y * ss, *p = pred + y * 16;
    sum += satd4(s, ss, p, 16) + satd4(s + 4, ss, p + 4, 16) +
           satd4(s + 8, ss, p + 8, 16) + satd4(s + 12, ss, p + 12, 16);
  }
  return sum;
}

static int satd8(const uint8_t *src, int ss, const uint8_t *pred) {
  return satd4(src, ss, pred, 8) + satd4(src + 4, ss, pred + 4, 8) +
         satd4(src + 4 * ss, ss, pred + 32, 8) +
         satd4(src + 4 * ss + 4, ss, pred + 36, 8);
}

/* rank_modes puts the indices of the k lowest of score[0..n-1] in order[],
 * best first (k <= n <= 10). */
static void rank_modes(const int *score, int n, int k, int *order) {
  int cnt = 0;
  for (int m = 0; m < n; m++) {
    int j = cnt < k ? cnt++ : k;
    while (j > 0 && score[order[j - 1]] > score[m]) {
      if (j < k) order[j] = order[j - 1];
      j--;
    }
    if (j < k) order[j] = m;
  }
}

/*
 * finish_block reconstructs one quantised 4x4 block (prediction plus the
 * inverse DCT of deq) into dst, adds its SSE to *sse and returns its token
 * cost. (Dropping a block's levels when that lowers J, as B_PRED does per
 * subblock, measured worse here and is not done.)
 */
static int finish_block(const uint8_t *src, int ss, const uint8_t *pred,
                        int ps, uint8_t *dst, int ds, const int16_t *lev,
                        const int16_t *deq, int first, int last, int plane,
                        int ctx, int *sse) {
  vp8_idct4x4_add(deq, pred, ps, dst, ds);
  *sse += sse4(src, ss, dst, ds);
  return block_cost(lev, first, last, plane, ctx);
}

/*
 * try_i16 codes the macroblock's luma with 16x16 mode `mode` into `t`
 * (levels of blocks 0-15 and 24) and `work` (reconstruction, edges already
 * set), and returns J = SSE + lambda * bits.
 */
static int64_t try_i16(enc_t *e, int mode, const uint8_t *src, int ss,
                       uint8_t *work, int have_above, int have_left,
                       const uint8_t *top_nz, const uint8_t *left_nz,
                       mb_trial *t) {
  uint8_t pred[256], left[16];
  for (int y = 0; y < 16; y++) left[y] = WY(work, -1, y);
  vp8_pred16(pred, mode, &WY(work, 0, -1), left, have_above, have_left);

  int16_t coef[16][16], deq[16][16], dc[16], y2deq[16], y2dc[16];
  for (int b = 0; b < 16; b++) {
    int bx = (b & 3) * 4, by = (b >> 2) * 4;
    int16_t res[16];
    residual4(src + by * ss + bx, ss, pred + by * 16 + bx, 16, res);
    vp8_fdct4x4(res, 4, coef[b]);
    dc[b] = coef[b][0];
  }
  /* Y2: the WHT of the 16 DC coefficients, quantised and inverted again. */
  int16_t y2coef[16];
  vp8_fwht4x4(dc, y2coef);
  t->last[24] = (int8_t)quant_block(y2coef, &e->qy2, 0, t->lev[24], y2deq);
  vp8_iwht4x4(y2deq, y2dc);

  int rate = e->ymode_cost[mode];
  rate += block_cost(t->lev[24], 0, t->last[24], PLANE_Y2,
                     top_nz[NZ_Y2] + left_nz[NZ_Y2]);
  uint8_t tnz[4], lnz[4];
  int sse = 0;
  memcpy(tnz, top_nz + NZ_Y, 4);
  memcpy(lnz, left_nz + NZ_Y, 4);
  for (int b = 0; b < 16; b++) {
    int bx = b & 3, by = b >> 2;
    t->lev[b][0] = 0; /* carried by Y2 */
    int ctx = tnz[bx] + lnz[by];
    int last = quant_block(coef[b], &e->qy1, 1, t->lev[b], deq[b]);
    int nz = last >= 1;
    t->last[b] = (int8_t)last;
    deq[b][0] = y2dc[b];
    rate += finish_block(src + by * 4 * ss + bx * 4, ss,
                         pred + by * 64 + bx * 4, 16,
                         &WY(work, bx * 4, by * 4), WS, t->lev[b], deq[b], 1,
                         last, PLANE_Y_AFTER_Y2, ctx, &sse);
    tnz[bx] = lnz[by] = (uint8_t)nz;
  }
  t->mode = mode;
  return (int64_t)sse * 256 + e->lambda16 * rate;
}

static const int16_t zero_lev[16] = {0};

/*
 * try_i4 codes the luma as B_PRED, choosing each subblock's mode by
 * J = SSE + lambda * bits in raster order (later subblocks predict from the
 * chosen reconstruction of earlier ones). `above_modes`/`left_modes` are the
 * subblock-mode contexts of the neighbouring macroblocks. Stops early and
 * returns INT64_MAX once the running score exceeds `limit`.
 */
static int64_t try_i4(enc_t *e, const uint8_t *src, int ss, uint8_t *work,
                      const uint8_t *above_modes, const uint8_t *left_modes,
                      const uint8_t *top_nz, const uint8_t *left_nz,
                      int64_t limit, mb_trial *t) {
  uint8_t tnz[4], lnz[4], amode[4], lmode[4];
  memcpy(tnz, top_nz + NZ_Y, 4);
  memcpy(lnz, left_nz + NZ_Y, 4);
  memcpy(amode, above_modes, 4);
  memcpy(lmode, left_modes, 4);
  /* B_PRED itself: the first branch of the key-frame luma mode tree. */
  int64_t score = e->lambda4 * e->ymode_cost[VP8_B_PRED];

  for (int b = 0; b < 16; b++) {
    int bx = b & 3, by = b >> 2, x = bx * 4, y = by * 4;
    /* Edge: P, 4 above, 4 above-right (right column: the row above the
     * macroblock, as the decoder does), 4 left. */
    uint8_t Abuf[9], L[4];
    Abuf[0] = WY(work, x - 1, y - 1);
    for (int i = 0; i < 4; i++) Abuf[1 + i] = WY(work, x + i, y - 1);
    for (int i = 0; i < 4; i++) {
      Abuf[5 + i] = (bx == 3 && by > 0) ? WY(work, 16 + i, -1)
                                        : WY(work, x + 4 + i, y - 1);
    }
    for (int i = 0; i < 4; i++) L[i] = WY(work, x - 1, y + i);
    const uint8_t *A = Abuf + 1;
    const uint8_t *s = src + y * ss + x;
    const int *mcost = e->bmode_cost[amode[bx]][lmode[by]];

    /* Rank the ten modes by SATD plus mode bits, then code the best few. */
    uint8_t preds[VP8_NUM_BMODES][16];
    int est[VP8_NUM_BMODES], order[VP8_NUM_BMODES];
    for (int m = 0; m < VP8_NUM_BMODES; m++) {
      vp8_pred4(preds[m], m, A, L);
      est[m] = satd4(s, ss, preds[m], 4) * 256 +
               e->lambda_satd * mcost[m];
    }
    rank_modes(est, VP8_NUM_BMODES, e->i4_trials, order);

    int64_t best = INT64_MAX;
    int best_mode = 0, best_last = -1;
    int16_t best_lev[16];
    uint8_t best_rec[16];
    for (int k = 0; k < e->i4_trials; k++) {
      int m = order[k];
      const uint8_t *pred = preds[m];
      uint8_t rec[16];
      int16_t res[16], coef[16], deq[16], lev[16];
      residual4(s, ss, pred, 4, res);
      vp8_fdct4x4(res, 4, coef);
      int last = quant_block(coef, &e->qy1, 0, lev, deq);
      int nz = last >= 0;
      int rate = mcost[m];
      rate += block_cost(lev, 0, last, PLANE_Y_WITH_DC, tnz[bx] + lnz[by]);
      if (nz) {
        vp8_idct4x4_add(deq, pred, 4, rec, 4);
      } else {
        memcpy(rec, pred, 16);
      }
      int64_t j = (int64_t)sse4(s, ss, rec, 4) * 256 +
                  e->lambda4 * rate;
      if (nz && e->try_zero) {
        /* The same mode with the residual dropped may be cheaper. */
        int zrate = mcost[m] + block_cost(zero_lev, 0, -1, PLANE_Y_WITH_DC,
                                          tnz[bx] + lnz[by]);
        int64_t jz = (int64_t)sse4(s, ss, pred, 4) * 256 +
                     e->lambda4 * zrate;
        if (jz < j) {
          j = jz;
          last = -1;
          memset(lev, 0, sizeof(lev));
          memcpy(rec, pred, 16);
        }
      }
      if (j < best) {
        best = j;
        best_mode = m;
        best_last = last;
        memcpy(best_lev, lev, sizeof(lev));
        memcpy(best_rec, rec, 16);
      }
    }
    for (int r = 0; r < 4; r++) memcpy(&WY(work, x, y + r), best_rec + r * 4, 4);
    memcpy(t->lev[b], best_lev, sizeof(best_lev));
    t->last[b] = (int8_t)best_last;
    t->bmodes[b] = (uint8_t)best_mode;
    amode[bx] = lmode[by] = (uint8_t)best_mode;
    tnz[bx] = lnz[by] = (uint8_t)(best_last >= 0);
    score += best;
    if (score >= limit) return INT64_MAX;
  }
  t->mode = VP8_B_PRED;
  return score;
}

/*
 * try_uv codes both chroma blocks with mode `mode`: levels into t->lev[16..23],
 * reconstruction into recu/recv (8x8, stride 8). Returns J.
 */
static int64_t try_uv(enc_t *e, int mode, const uint8_t *su,
                      const uint8_t *sv, int ss, const uint8_t *au,
                      const uint8_t *lu, const uint8_t *av, const uint8_t *lv,
                      int have_above, int have_left, const uint8_t *top_nz,
                      const uint8_t *left_nz, mb_trial *t, uint8_t *recu,
                      uint8_t *recv) {
  int rate = e->uvmode_cost[mode];
  int sse = 0;
  for (int p = 0; p < 2; p++) {
    const uint8_t *s = p ? sv : su;
    uint8_t *rec = p ? recv : recu;
    uint8_t pred[64];
    vp8_pred8(pred, mode, p ? av : au, p ? lv : lu, have_above, have_left);
    int slot = p ? NZ_V : NZ_U;
    uint8_t tnz[2] = {top_nz[slot], top_nz[slot + 1]};
    uint8_t lnz[2] = {left_nz[slot], left_nz[slot + 1]};
    for (int b = 0; b < 4; b++) {
      int bx = b & 1, by = b >> 1;
      int16_t res[16], coef[16], deq[16];
      int16_t *lev = t->lev[16 + p * 4 + b];
      residual4(s + by * 4 * ss + bx * 4, ss, pred + by * 32 + bx * 4, 8, res);
      vp8_fdct4x4(res, 4, coef);
      int last = quant_block(coef, &e->quv, 0, lev, deq);
      int nz = last >= 0;
      t->last[16 + p * 4 + b] = (int8_t)last;
      rate += finish_block(s + by * 4 * ss + bx * 4, ss,
                           pred + by * 32 + bx * 4, 8, rec + by * 32 + bx * 4,
                           8, lev, deq, 0, last, PLANE_UV, tnz[bx] + lnz[by],
                           &sse);
      tnz[bx] = lnz[by] = (uint8_t)nz;
    }
  }
  t->mode = mode;
  return (int64_t)sse * 256 + e->lambda_uv * rate;
}

/* Subblock-mode context implied by a 16x16 luma mode (section 11.3). */
static const uint8_t implied_bmode[4] = {B_DC_PRED, B_VE_PRED, B_HE_PRED,
                                         B_TM_PRED};

/*
 * encode_mb decides and codes macroblock (mbx, mby): luma mode (16x16 or
 * B_PRED), chroma mode, tokens into the token partition, mode record into
 * mbinfo, reconstruction into the row buffers.
 */
static void encode_mb(enc_t *e, int mbx, int mby) {
  const int have_above = mby > 0, have_left = mbx > 0;
  uint8_t *top_nz = e->top_nz + mbx * NZ_SIZE;
  uint8_t *left_nz = e->left_nz;
  const uint8_t *sy = e->src_y + mbx * 16;

  /* Luma edge: row above (with above-right) and column left. */
  uint8_t edge[WS * 17];
  uint8_t *ry = e->rec_y + 8 + mbx * 16;
  for (int x = -1; x < 20; x++) WY(edge, x, -1) = ry[x];
  for (int y = 0; y < 16; y++) WY(edge, -1, y) = ry[(y + 1) * e->ry - 1];

  /* 16x16 candidates. */
  static const int modes16[4] = {VP8_DC_PRED, VP8_V_PRED, VP8_H_PRED,
                                 VP8_TM_PRED};
  mb_trial best, trial;
  uint8_t best_work[WS * 17], work[WS * 17];
  best.score = INT64_MAX;
  int est[4], order[4];
  {
    uint8_t pred[256], left[16];
    for (int y = 0; y < 16; y++) left[y] = WY(edge, -1, y);
    for (int i = 0; i < 4; i++) {
      vp8_pred16(pred, modes16[i], &WY(edge, 0, -1), left, have_above,
                 have_left);
      est[i] = satd16(sy, e->sy, pred) * 256 +
               e->lambda_satd * e->ymode_cost[modes16[i]];
    }
    rank_modes(est, 4, 4, order);
  }
  for (int k = 0; k < e->i16_trials; k++) {
    int i = order[k];
    memcpy(work, edge, sizeof(edge));
    int64_t j = try_i16(e, modes16[i], sy, e->sy, work, have_above, have_left,
                        top_nz, left_nz, &trial);
    if (j < best.score) {
      trial.score = j;
      best = trial;
      memcpy(best_work, work, sizeof(work));
    }
  }
  /* B_PRED candidate. */
  if (e->allow_i4) {
    memcpy(work, edge, sizeof(edge));
    int64_t j = try_i4(e, sy, e->sy, work, e->top_bmode + mbx * 4,
                       e->left_bmode, top_nz, left_nz, best.score, &trial);
    if (j < best.score) {
      trial.score = j;
      best = trial;
      memcpy(best_work, work, sizeof(work));
    }
  }
  const int is_i4 = best.mode == VP8_B_PRED;

  /* Chroma candidates. */
  uint8_t au[9], av[9], lu[8], lv[8];
  uint8_t *ru = e->rec_u + 8 + mbx * 8, *rv = e->rec_v + 8 + mbx * 8;
  for (int x = -1; x < 8; x++) {
    au[x + 1] = ru[x];
    av[x + 1] = rv[x];
  }
  for (int y = 0; y < 8; y++) {
    lu[y] = ru[(y + 1) * e->ruv - 1];
    lv[y] = rv[(y + 1) * e->ruv - 1];
  }
  int64_t best_uv = INT64_MAX;
  int uv_mode = 0;
  int16_t uv_lev[8][16];
  int8_t uv_last[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  uint8_t best_u[64], best_v[64];
  {
    uint8_t pred[64];
    for (int m = 0; m < 4; m++) {
      vp8_pred8(pred, m, au + 1, lu, have_above, have_left);
      est[m] = satd8(e->src_u + mbx * 8, e->suv, pred);
      vp8_pred8(pred, m, av + 1, lv, have_above, have_left);
      est[m] = (est[m] + satd8(e->src_v + mbx * 8, e->suv, pred)) * 256 +
               e->lambda_satd * e->uvmode_cost[m];
    }
    rank_modes(est, 4, 4, order);
  }
  for (int k = 0; k < e->uv_trials; k++) {
    int m = order[k];
    uint8_t recu[64], recv[64];
    int64_t j = try_uv(e, m, e->src_u + mbx * 8, e->src_v + mbx * 8, e->suv,
                       au + 1, lu, av + 1, lv, have_above, have_left, top_nz,
                       left_nz, &trial, recu, recv);
    if (j < best_uv) {
      best_uv = j;
      uv_mode = m;
      memcpy(uv_lev, trial.lev[16], sizeof(uv_lev));
      memcpy(uv_last, trial.last + 16, sizeof(uv_last));
      memcpy(best_u, recu, 64);
      memcpy(best_v, recv, 64);
    }
  }
  memcpy(best.lev[16], uv_lev, sizeof(uv_lev));
  memcpy(best.last + 16, uv_last, sizeof(uv_last));

  /* Skip flag: no non-zero level anywhere in the coded blocks. */
  int any = !is_i4 && best.last[24] >= 0;
  for (int b = 0; b < 24; b++) any |= best.last[b] >= 0;
  const int skip = !any;

  /* Tokens (section 13): Y2, 16 Y, 4 U, 4 V, with neighbour contexts. */
  if (!skip) {
    vp8_bool_enc *tk = &e->tok[mby & (e->nparts - 1)];
    int first = 0, yplane = PLANE_Y_WITH_DC;
    if (!is_i4) {
      int nz = put_block(tk, best.lev[24], 0, best.last[24], PLANE_Y2,
                         top_nz[NZ_Y2] + left_nz[NZ_Y2]);
      top_nz[NZ_Y2] = left_nz[NZ_Y2] = (uint8_t)nz;
      first = 1;
      yplane = PLANE_Y_AFTER_Y2;
    }
    for (int b = 0; b < 16; b++) {
      int bx = b & 3, by = b >> 2;
      int nz = put_block(tk, best.lev[b], first, best.last[b], yplane,
                         top_nz[NZ_Y + bx] + left_nz[NZ_Y + by]);
      top_nz[NZ_Y + bx] = left_nz[NZ_Y + by] = (uint8_t)nz;
    }
    for (int p = 0; p < 2; p++) {
      int slot = p ? NZ_V : NZ_U;
      for (int b = 0; b < 4; b++) {
        int bx = b & 1, by = b >> 1;
        int nz = put_block(tk, best.lev[16 + p * 4 + b], 0,
                           best.last[16 + p * 4 + b], PLANE_UV,
                           top_nz[slot + bx] + left_nz[slot + by]);
        top_nz[slot + bx] = left_nz[slot + by] = (uint8_t)nz;
      }
    }
  } else {
    /* A skipped macroblock has no coefficients: its contexts become empty.
     * The Y2 context belongs to the last macroblock that had a Y2 block,
     * so B_PRED leaves it alone (section 13.3). */
    memset(top_nz, 0, NZ_Y2);
    memset(left_nz, 0, NZ_Y2);
    if (!is_i4) {
      top_nz[NZ_Y2] = left_nz[NZ_Y2] = 0;
    }
    e->nskip++;
  }

  /* Mode record and subblock-mode contexts. */
  uint8_t *mi = e->mbinfo + ((size_t)mby * e->mbw + mbx) * MBI_SIZE;
  mi[MBI_Y] = (uint8_t)best.mode;
  mi[MBI_UV] = (uint8_t)uv_mode;
  mi[MBI_SKIP] = (uint8_t)skip;
  uint8_t *tb = e->top_bmode + mbx * 4;
  if (is_i4) {
    memcpy(mi + MBI_B, best.bmodes, 16);
    for (int i = 0; i < 4; i++) {
      tb[i] = best.bmodes[12 + i];
      e->left_bmode[i] = best.bmodes[i * 4 + 3];
    }
  } else {
    memset(mi + MBI_B, implied_bmode[best.mode], 16);
    memset(tb, implied_bmode[best.mode], 4);
    memset(e->left_bmode, implied_bmode[best.mode], 4);
  }

  /* Commit the reconstruction. */
  for (int y = 0; y < 16; y++) {
    memcpy(ry + (y + 1) * e->ry, &WY(best_work, 0, y), 16);
  }
  for (int y = 0; y < 8; y++) {
    memcpy(ru + (y + 1) * e->ruv, best_u + y * 8, 8);
    memcpy(rv + (y + 1) * e->ruv, best_v + y * 8, 8);
  }
}

/* ---------------------------------------------------------------------- */
/* Rows and frame                                                          */
/* ---------------------------------------------------------------------- */

/*
 * start_row sets up the reconstruction edges of macroblock row mby: the row
 * above is the last reconstructed row (or 127 on the top row), extended to
 * the right by 4 copies of its last pixel for the above-right of the last
 * macroblock; the column left of the frame is 129 (its top corner is 127 on
 * the top row, 129 below).
 */
static void start_row(enc_t *e, int mby) {
  const int W = e->mbw * 16, CW = e->mbw * 8;
  uint8_t *planes[3] = {e->rec_y, e->rec_u, e->rec_v};
  const int strides[3] = {e->ry, e->ruv, e->ruv};
  const int widths[3] = {W, CW, CW};
  const int rows[3] = {16, 8, 8};
  for (int p = 0; p < 3; p++) {
    uint8_t *b = planes[p];
    int s = strides[p], wd = widths[p];
    if (mby == 0) {
      memset(b, 127, (size_t)s);
    } else {
      memcpy(b + 8, b + rows[p] * s + 8, (size_t)wd);
      memset(b + 8 + wd, b[8 + wd - 1], 8);
      b[7] = 129;
    }
    for (int y = 1; y <= rows[p]; y++) b[y * s + 7] = 129;
  }
  memset(e->left_nz, 0, sizeof(e->left_nz));
  memset(e->left_bmode, B_DC_PRED, sizeof(e->left_bmode));
}

/*
 * Quality -> quantiser index (documented at the top of the file).
 */
static int quality_to_qi(int quality) {
  if (quality < 0) quality = 0;
  if (quality > 100) quality = 100;
  return ((100 - quality) * 127 + 50) / 100;
}

/* filter_level picks the loop filter strength from the luma AC step. */
static int filter_level(int qi) {
#ifdef VP8ENC_DEBUG
  if (vp8_debug_filter_level >= 0) return vp8_debug_filter_level;
#endif
  int step = vp8_ac_qlookup[qi];
  int level = step / 4;
  if (level > 63) level = 63;
  return level;
}

/* write_frame_header writes the key-frame header of the first partition
 * (RFC 6386 section 19.2). */
static void write_frame_header(vp8_bool_enc *b, const enc_t *e, int skip_prob) {
  vp8_put_literal(b, 0, 1); /* color_space: YUV (BT.601) */
  vp8_put_literal(b, 0, 1); /* clamping_type: decoder clamps */
  vp8_put_literal(b, 0, 1); /* segmentation_enabled */
  vp8_put_literal(b, 0, 1); /* filter_type: normal */
  vp8_put_literal(b, (uint32_t)filter_level(e->qi), 6);
  vp8_put_literal(b, 0, 3); /* sharpness_level */
  vp8_put_literal(b, 0, 1); /* loop_filter_adj_enable */
  /* log2_nbr_of_dct_partitions */
  vp8_put_literal(b, e->nparts == 8 ? 3 : e->nparts == 4 ? 2 : e->nparts == 2,
                  2);
  vp8_put_literal(b, (uint32_t)e->qi, 7); /* y_ac_qi */
  for (int i = 0; i < 5; i++) {
    vp8_put_literal(b, 0, 1); /* y_dc, y2_dc, y2_ac, uv_dc, uv_ac deltas */
  }
  vp8_put_literal(b, 0, 1); /* refresh_entropy_probs */
  /* token_prob_update: no probability is updated. */
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 8; j++)
      for (int k = 0; k < 3; k++)
        for (int l = 0; l < 11; l++)
          vp8_put_bool(b, vp8_coeff_update_probs[i][j][k][l], 0);
  vp8_put_literal(b, 1, 1); /* mb_no_skip_coeff */
  vp8_put_literal(b, (uint32_t)skip_prob, 8);
}

/* write_modes writes every macroblock's prediction record (section 11). */
static void write_modes(vp8_bool_enc *b, const enc_t *e, int skip_prob) {
  uint8_t *above = (uint8_t *)calloc((size_t)e->mbw * 4, 1);
  if (above == NULL) {
    b->failed = 1;
    return;
  }
  for (int mby = 0; mby < e->mbh; mby++) {
    uint8_t left[4] = {B_DC_PRED, B_DC_PRED, B_DC_PRED, B_DC_PRED};
    for (int mbx = 0; mbx < e->mbw; mbx++) {
      const uint8_t *mi = e->mbinfo + ((size_t)mby * e->mbw + mbx) * MBI_SIZE;
      uint8_t *a = above + mbx * 4;
      vp8_put_bool(b, skip_prob, mi[MBI_SKIP]);
      vp8_put_tree(b, vp8_kf_ymode_tree, vp8_kf_ymode_prob, mi[MBI_Y]);
      if (mi[MBI_Y] == VP8_B_PRED) {
        for (int i = 0; i < 16; i++) {
          int m = mi[MBI_B + i];
          vp8_put_tree(b, vp8_bmode_tree, vp8_kf_bmode_prob[a[i & 3]][left[i >> 2]],
                       m);
          a[i & 3] = left[i >> 2] = (uint8_t)m;
        }
      } else {
        memset(a, mi[MBI_B], 4);
        memset(left, mi[MBI_B], 4);
      }
      vp8_put_tree(b, vp8_uv_mode_tree, vp8_kf_uv_mode_prob, mi[MBI_UV]);
    }
  }
  free(above);
}

static void enc_free(enc_t *e) {
  free(e->src_y);
  free(e->rec_y);
  free(e->top_nz);
  free(e->top_bmode);
  free(e->mbinfo);
  for (int i = 0; i < 8; i++) vp8_bool_free(&e->tok[i]);
}

/*
 * encode_pass codes the whole frame once. Returns 0, -2 (out of memory),
 * 1 (first partition too large) or 2 (a token partition too large).
 */
static int encode_pass(enc_t *e, vp8_bool_enc *part0) {
  const size_t nmb = (size_t)e->mbw * e->mbh;
  e->sy = e->mbw * 16;
  e->suv = e->mbw * 8;
  e->ry = e->sy + 16;
  e->ruv = e->suv + 16;
  /* One allocation each for the source rows and the reconstruction rows. */
  e->src_y = (uint8_t *)malloc((size_t)e->sy * 16 + (size_t)e->suv * 16);
  e->rec_y = (uint8_t *)malloc((size_t)e->ry * 17 + (size_t)e->ruv * 18);
  e->top_nz = (uint8_t *)calloc((size_t)e->mbw, NZ_SIZE);
  e->top_bmode = (uint8_t *)calloc((size_t)e->mbw, 4);
  e->mbinfo = (uint8_t *)malloc(nmb * MBI_SIZE);
  if (!e->src_y || !e->rec_y || !e->top_nz || !e->top_bmode || !e->mbinfo) {
    return -2;
  }
  e->src_u = e->src_y + (size_t)e->sy * 16;
  e->src_v = e->src_u + (size_t)e->suv * 8;
  e->rec_u = e->rec_y + (size_t)e->ry * 17;
  e->rec_v = e->rec_u + (size_t)e->ruv * 9;
  for (int i = 0; i < e->nparts; i++) vp8_bool_init(&e->tok[i]);
  e->nskip = 0;

  for (int mby = 0; mby < e->mbh; mby++) {
    convert_row(e, mby);
    start_row(e, mby);
    for (int mbx = 0; mbx < e->mbw; mbx++) {
      encode_mb(e, mbx, mby);
    }
#ifdef VP8ENC_DEBUG
    if (vp8_debug_recon_row) {
      vp8_debug_recon_row(mby, e->rec_y + e->ry + 8, e->ry,
                          e->rec_u + e->ruv + 8, e->rec_v + e->ruv + 8,
                          e->ruv);
    }
#endif
    if (e->tok[mby & (e->nparts - 1)].failed) return -2;
  }
  int too_big = 0;
  for (int i = 0; i < e->nparts; i++) {
    vp8_bool_finish(&e->tok[i]);
    if (e->tok[i].failed) return -2;
    if (e->tok[i].len > MAX_PART) too_big = 1;
  }

  /* Probability that a macroblock is NOT skipped, in 1/256. */
  int skip_prob = (int)(((nmb - (size_t)e->nskip) * 256 + nmb / 2) / nmb);
  if (skip_prob < 1) skip_prob = 1;
  if (skip_prob > 255) skip_prob = 255;

#ifdef VP8ENC_DEBUG
  if (getenv("VP8_STATS")) {
    size_t n16 = 0, n4 = 0;
    for (size_t i = 0; i < nmb; i++) {
      if (e->mbinfo[i * MBI_SIZE + MBI_Y] == VP8_B_PRED) n4++; else n16++;
    }
    fprintf(stderr, "mbs %zu: i16 %zu, b_pred %zu, skip %d, tokens %zu\n",
            nmb, n16, n4, e->nskip, e->tok[0].len);
  }
#endif
  vp8_bool_init(part0);
  write_frame_header(part0, e, skip_prob);
  write_modes(part0, e, skip_prob);
  vp8_bool_finish(part0);
  if (part0->failed) return -2;
  if (part0->len > MAX_PART0) return 1;
  return too_big ? 2 : 0;
}

/* setup fills the encoder parameters for one pass. */
static void setup(enc_t *e, const uint8_t *rgba, int w, int h, int quality,
                  int allow_i4, int nparts) {
  memset(e, 0, sizeof(*e));
  e->rgba = rgba;
  e->w = w;
  e->h = h;
  e->mbw = (w + 15) / 16;
  e->mbh = (h + 15) / 16;
  e->allow_i4 = allow_i4;
  e->nparts = nparts;
  e->qi = quality_to_qi(quality);
  const int q = e->qi;
  /* Dequantisation factors of section 14.1 / 9.6 (the reference decoder's
   * Y2 and chroma adjustments). */
  int y2ac = vp8_ac_qlookup[q] * 155 / 100;
  int uvdc = vp8_dc_qlookup[q];
  quant_init(&e->qy1, vp8_dc_qlookup[q], vp8_ac_qlookup[q], 50, 30);
  quant_init(&e->qy2, vp8_dc_qlookup[q] * 2, y2ac < 8 ? 8 : y2ac, 50, 30);
  quant_init(&e->quv, uvdc > 132 ? 132 : uvdc, vp8_ac_qlookup[q], 50, 40);
  /* lambda, per 1/256 bit with SSE scaled by 256: 3/256 * step^2 per bit
   * (tuned on PSNR per byte). */
  int64_t step = vp8_ac_qlookup[q];
  e->lambda16 = step * step * 3 / 256 + 1;
  e->lambda4 = step * step * 3 / 256 + 1;
  e->lambda_uv = step * step * 3 / 256 + 1;
  e->lambda_satd = (int)(step * 3 / 4) + 1;
  for (int m = 0; m < 5; m++) {
    e->ymode_cost[m] = vp8_tree_cost(vp8_kf_ymode_tree, vp8_kf_ymode_prob, m);
  }
  for (int m = 0; m < 4; m++) {
    e->uvmode_cost[m] = vp8_tree_cost(vp8_uv_mode_tree, vp8_kf_uv_mode_prob, m);
  }
  for (int a = 0; a < 10; a++)
    for (int l = 0; l < 10; l++)
      for (int m = 0; m < 10; m++)
        e->bmode_cost[a][l][m] =
            vp8_tree_cost(vp8_bmode_tree, vp8_kf_bmode_prob[a][l], m);
  e->try_zero = 1;
  e->i4_trials = 3;
  e->i16_trials = 2;
  e->uv_trials = 2;
}

/*
 * assemble lays out the frame (section 9.1): 3-byte frame tag, 7-byte
 * key-frame start code and dimensions, first partition, the 3-byte sizes of
 * all token partitions but the last, then the token partitions.
 */
static uint8_t *assemble(const enc_t *e, const vp8_bool_enc *part0,
                         size_t *len) {
  size_t total = 10 + part0->len + 3 * (size_t)(e->nparts - 1);
  for (int i = 0; i < e->nparts; i++) total += e->tok[i].len;
  uint8_t *buf = (uint8_t *)malloc(total);
  if (buf == NULL) return NULL;
  uint32_t tag = 0u                    /* key frame */
                 | (0u << 1)           /* version 0 */
                 | (1u << 4)           /* show_frame */
                 | ((uint32_t)part0->len << 5);
  buf[0] = (uint8_t)tag;
  buf[1] = (uint8_t)(tag >> 8);
  buf[2] = (uint8_t)(tag >> 16);
  buf[3] = 0x9d; /* start code */
  buf[4] = 0x01;
  buf[5] = 0x2a;
  buf[6] = (uint8_t)e->w; /* 14-bit width, scale 0 */
  buf[7] = (uint8_t)(e->w >> 8);
  buf[8] = (uint8_t)e->h; /* 14-bit height, scale 0 */
  buf[9] = (uint8_t)(e->h >> 8);
  uint8_t *p = buf + 10;
  memcpy(p, part0->buf, part0->len);
  p += part0->len;
  for (int i = 0; i < e->nparts - 1; i++) {
    size_t n = e->tok[i].len;
    p[0] = (uint8_t)n;
    p[1] = (uint8_t)(n >> 8);
    p[2] = (uint8_t)(n >> 16);
    p += 3;
  }
  for (int i = 0; i < e->nparts; i++) {
    memcpy(p, e->tok[i].buf, e->tok[i].len);
    p += e->tok[i].len;
  }
  *len = total;
  return buf;
}

int vp8_encode_frame(const uint8_t *rgba, int w, int h, int quality,
                     uint8_t **out, size_t *out_len, char *err,
                     size_t err_len) {
  *out = NULL;
  *out_len = 0;
  if (w < 1 || h < 1 || w > MAX_DIM || h > MAX_DIM) {
    snprintf(err, err_len,
             "image %dx%d: VP8 width and height must be 1-%d", w, h, MAX_DIM);
    return -1;
  }
  if (quality < 0 || quality > 100) {
    snprintf(err, err_len, "quality %d: must be 0-100", quality);
    return -1;
  }
  /*
   * Normally one pass with B_PRED allowed and one token partition. Two size
   * limits can force another pass: the first partition must fit the 19-bit
   * size of the frame tag (then B_PRED, whose 16 subblock modes dominate it,
   * is turned off), and each token partition is kept below 16 MiB, the
   * 24-bit partition size field (which decoders such as
   * golang.org/x/image/vp8 also enforce for the last partition); then the
   * tokens are spread over 2, 4 or 8 partitions by macroblock row.
   */
  int allow_i4 = 1, nparts = 1;
  for (;;) {
    enc_t e;
    vp8_bool_enc part0;
    memset(&part0, 0, sizeof(part0));
    setup(&e, rgba, w, h, quality, allow_i4, nparts);
    int st = encode_pass(&e, &part0);
    if (st == 0) {
      *out = assemble(&e, &part0, out_len);
      if (*out == NULL) st = -2;
    }
    size_t largest = 0;
    for (int i = 0; i < e.nparts; i++) {
      if (e.tok[i].len > largest) largest = e.tok[i].len;
    }
    vp8_bool_free(&part0);
    enc_free(&e);
    if (st == 0) return 0;
    if (st == -2) {
      snprintf(err, err_len, "out of memory encoding %dx%d", w, h);
      return -2;
    }
    if (st == 1 && allow_i4) {
      allow_i4 = 0;
      continue;
    }
    if (st == 2 && nparts < 8) {
      /* Enough partitions for the measured size, with some margin. */
      size_t estimate = largest * (size_t)nparts;
      nparts *= 2;
      while (nparts < 8 && estimate / (size_t)nparts * 5 / 4 >= MAX_PART) {
        nparts *= 2;
      }
      continue;
    }
    snprintf(err, err_len,
             "image %dx%d at quality %d: too much data for one VP8 frame "
             "(%s)",
             w, h, quality,
             st == 1 ? "first partition over 512 KiB"
                     : "token partitions over 8 x 16 MiB");
    return -1;
  }
}
