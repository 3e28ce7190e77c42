/*
 * vp8_dsp.c: intra prediction (RFC 6386 section 12) and the 4x4 transforms
 * (section 14) of the VP8 encoder.
 *
 * The predictors and the inverse transforms must match the decoder bit for
 * bit, because the encoder predicts from its own reconstruction. The forward
 * transforms are the encoder's free choice; they are built to invert the
 * spec's inverse transforms (see vp8_fdct4x4 and vp8_fwht4x4).
 */
#include "vp8enc.h"

#include <string.h>

static inline uint8_t clamp255(int v) {
  return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* ---- 16x16 luma and 8x8 chroma prediction (sections 12.2, 12.3) ---- */

/*
 * pred_block fills an n x n block (stride n) with DC, V, H or TM
 * prediction. The caller supplies the out-of-frame values 127 (above) and
 * 129 (left) in `above` / `left`; DC instead uses only the edges that exist,
 * and 128 when neither does.
 */
static void pred_block(uint8_t *dst, int n, int log2n, int mode,
                       const uint8_t *above, const uint8_t *left,
                       int have_above, int have_left) {
  switch (mode) {
  case VP8_DC_PRED: {
    int sum = 0, shift = log2n - 1, dc = 128;
    if (have_above) {
      for (int i = 0; i < n; i++) sum += above[i];
      shift++;
    }
    if (have_left) {
      for (int i = 0; i < n; i++) sum += left[i];
      shift++;
    }
    if (have_above || have_left) {
      dc = (sum + (1 << (shift - 1))) >> shift;
    }
    memset(dst, dc, (size_t)(n * n));
    break;
  }
  case VP8_V_PRED:
    for (int r = 0; r < n; r++) memcpy(dst + r * n, above, (size_t)n);
    break;
  case VP8_H_PRED:
    for (int r = 0; r < n; r++) memset(dst + r * n, left[r], (size_t)n);
    break;
  default: /* VP8_TM_PRED: left + above - corner, clamped */
    for (int r = 0; r < n; r++) {
      int d = left[r] - above[-1];
      uint8_t *o = dst + r * n;
      /* 8 columns at a time, without an inner loop (n is 8 or 16). */
      for (int c = 0; c < n; c += 8) {
        o[c + 0] = clamp255(d + above[c + 0]);
        o[c + 1] = clamp255(d + above[c + 1]);
        o[c + 2] = clamp255(d + above[c + 2]);
        o[c + 3] = clamp255(d + above[c + 3]);
        o[c + 4] = clamp255(d + above[c + 4]);
        o[c + 5] = clamp255(d + above[c + 5]);
        o[c + 6] = clamp255(d + above[c + 6]);
        o[c + 7] = clamp255(d + above[c + 7]);
      }
    }
    break;
  }
}

void vp8_pred16(uint8_t *dst, int mode, const uint8_t *above,
                const uint8_t *left, int have_above, int have_left) {
  pred_block(dst, 16, 4, mode, above, left, have_above, have_left);
}

void vp8_pred8(uint8_t *dst, int mode, const uint8_t *above,
               const uint8_t *left, int have_above, int have_left) {
  pred_block(dst, 8, 3, mode, above, left, have_above, have_left);
}

/* ---- 4x4 subblock prediction (section 12.3) ---- */

#define AVG3(x, y, z) ((uint8_t)(((x) + 2 * (y) + (z) + 2) >> 2))
#define AVG2(x, y) ((uint8_t)(((x) + (y) + 1) >> 1))

/*
 * vp8_pred4 predicts one 4x4 subblock into dst (stride 4). A[-1] is the
 * corner P, A[0..3] the row above, A[4..7] the above-right pixels, L[0..3]
 * the left column. The diagonal modes follow the spec's edge array
 * E = {L3, L2, L1, L0, P, A0, A1, A2, A3}.
 */
void vp8_pred4(uint8_t *B, int mode, const uint8_t *A, const uint8_t *L) {
  const int P = A[-1];
  const int E[9] = {L[3], L[2], L[1], L[0], P, A[0], A[1], A[2], A[3]};
#define SET(r, c, v) (B[(r) * 4 + (c)] = (v))
  switch (mode) {
  case B_DC_PRED: {
    int v = (A[0] + A[1] + A[2] + A[3] + L[0] + L[1] + L[2] + L[3] + 4) >> 3;
    memset(B, v, 16);
    break;
  }
  case B_TM_PRED:
#define TMROW(r)                                                     \
  (SET(r, 0, clamp255(L[r] + A[0] - P)), SET(r, 1, clamp255(L[r] + A[1] - P)), \
   SET(r, 2, clamp255(L[r] + A[2] - P)), SET(r, 3, clamp255(L[r] + A[3] - P)))
    TMROW(0); TMROW(1); TMROW(2); TMROW(3);
#undef TMROW
    break;
  case B_VE_PRED: { /* smoothed row above, repeated down */
    uint8_t v[4] = {AVG3(P, A[0], A[1]), AVG3(A[0], A[1], A[2]),
                    AVG3(A[1], A[2], A[3]), AVG3(A[2], A[3], A[4])};
    memcpy(B, v, 4);
    memcpy(B + 4, v, 4);
    memcpy(B + 8, v, 4);
    memcpy(B + 12, v, 4);
    break;
  }
  case B_HE_PRED: { /* smoothed left column, repeated across */
    memset(B, AVG3(P, L[0], L[1]), 4);
    memset(B + 4, AVG3(L[0], L[1], L[2]), 4);
    memset(B + 8, AVG3(L[1], L[2], L[3]), 4);
    memset(B + 12, AVG3(L[2], L[3], L[3]), 4);
    break;
  }
  case B_LD_PRED: /* down-left diagonal from the row above */
    SET(0, 0, AVG3(A[0], A[1], A[2]));
    SET(0, 1, AVG3(A[1], A[2], A[3])); SET(1, 0, B[1]);
    SET(0, 2, AVG3(A[2], A[3], A[4])); SET(1, 1, B[2]); SET(2, 0, B[2]);
    SET(0, 3, AVG3(A[3], A[4], A[5]));
    SET(1, 2, B[3]); SET(2, 1, B[3]); SET(3, 0, B[3]);
    SET(1, 3, AVG3(A[4], A[5], A[6])); SET(2, 2, B[7]); SET(3, 1, B[7]);
    SET(2, 3, AVG3(A[5], A[6], A[7])); SET(3, 2, B[11]);
    SET(3, 3, AVG3(A[6], A[7], A[7]));
    break;
  case B_RD_PRED: /* down-right diagonal over the edge array */
    SET(3, 0, AVG3(E[0], E[1], E[2]));
    SET(3, 1, AVG3(E[1], E[2], E[3])); SET(2, 0, B[13]);
    SET(3, 2, AVG3(E[2], E[3], E[4])); SET(2, 1, B[14]); SET(1, 0, B[14]);
    SET(3, 3, AVG3(E[3], E[4], E[5]));
    SET(2, 2, B[15]); SET(1, 1, B[15]); SET(0, 0, B[15]);
    SET(2, 3, AVG3(E[4], E[5], E[6])); SET(1, 2, B[11]); SET(0, 1, B[11]);
    SET(1, 3, AVG3(E[5], E[6], E[7])); SET(0, 2, B[7]);
    SET(0, 3, AVG3(E[6], E[7], E[8]));
    break;
  case B_VR_PRED: /* vertical-right, slope 2 */
    SET(3, 0, AVG3(E[1], E[2], E[3]));
    SET(2, 0, AVG3(E[2], E[3], E[4]));
    SET(3, 1, AVG3(E[3], E[4], E[5])); SET(1, 0, B[13]);
    SET(2, 1, AVG2(E[4], E[5])); SET(0, 0, B[9]);
    SET(3, 2, AVG3(E[4], E[5], E[6])); SET(1, 1, B[14]);
    SET(2, 2, AVG2(E[5], E[6])); SET(0, 1, B[10]);
    SET(3, 3, AVG3(E[5], E[6], E[7])); SET(1, 2, B[15]);
    SET(2, 3, AVG2(E[6], E[7])); SET(0, 2, B[11]);
    SET(1, 3, AVG3(E[6], E[7], E[8]));
    SET(0, 3, AVG2(E[7], E[8]));
    break;
  case B_VL_PRED: /* vertical-left, slope 2 */
    SET(0, 0, AVG2(A[0], A[1]));
    SET(1, 0, AVG3(A[0], A[1], A[2]));
    SET(2, 0, AVG2(A[1], A[2])); SET(0, 1, B[8]);
    SET(1, 1, AVG3(A[1], A[2], A[3])); SET(3, 0, B[5]);
    SET(2, 1, AVG2(A[2], A[3])); SET(0, 2, B[9]);
    SET(3, 1, AVG3(A[2], A[3], A[4])); SET(1, 2, B[13]);
    SET(2, 2, AVG2(A[3], A[4])); SET(0, 3, B[10]);
    SET(3, 2, AVG3(A[3], A[4], A[5])); SET(1, 3, B[14]);
    SET(2, 3, AVG3(A[4], A[5], A[6]));
    SET(3, 3, AVG3(A[5], A[6], A[7]));
    break;
  case B_HD_PRED: /* horizontal-down, slope 1/2 */
    SET(3, 0, AVG2(E[0], E[1]));
    SET(3, 1, AVG3(E[0], E[1], E[2]));
    SET(2, 0, AVG2(E[1], E[2])); SET(3, 2, B[8]);
    SET(2, 1, AVG3(E[1], E[2], E[3])); SET(3, 3, B[9]);
    SET(2, 2, AVG2(E[2], E[3])); SET(1, 0, B[10]);
    SET(2, 3, AVG3(E[2], E[3], E[4])); SET(1, 1, B[11]);
    SET(1, 2, AVG2(E[3], E[4])); SET(0, 0, B[6]);
    SET(1, 3, AVG3(E[3], E[4], E[5])); SET(0, 1, B[7]);
    SET(0, 2, AVG3(E[4], E[5], E[6]));
    SET(0, 3, AVG3(E[5], E[6], E[7]));
    break;
  default: /* B_HU_PRED: horizontal-up, slope -1/2 */
    SET(0, 0, AVG2(L[0], L[1]));
    SET(0, 1, AVG3(L[0], L[1], L[2]));
    SET(0, 2, AVG2(L[1], L[2])); SET(1, 0, B[2]);
    SET(0, 3, AVG3(L[1], L[2], L[3])); SET(1, 1, B[3]);
    SET(1, 2, AVG2(L[2], L[3])); SET(2, 0, B[6]);
    SET(1, 3, AVG3(L[2], L[3], L[3])); SET(2, 1, B[7]);
    SET(2, 2, L[3]); SET(2, 3, L[3]);
    SET(3, 0, L[3]); SET(3, 1, L[3]); SET(3, 2, L[3]); SET(3, 3, L[3]);
    break;
  }
#undef SET
}

/* ---- transforms (section 14) ---- */

/*
 * The spec's inverse DCT is, up to its integer rounding, X = 1/2 T' Y T
 * with T the orthonormal 4-point DCT-II matrix (its DC-only case gives
 * (dc + 4) >> 3 per pixel). The forward transform is therefore
 * Y = 2 T X T' = (sqrt2 T) X (sqrt2 T)', computed here as two separable
 * passes with 12-bit constants: sqrt2 T has rows
 *   k=0: K0  K0  K0  K0        K0 = cos(pi/4)   * 4096 = 2896
 *   k=1: K1  K2 -K2 -K1        K1 = cos(pi/8)   * 4096 = 3784
 *   k=2: K0 -K0 -K0  K0        K2 = cos(3pi/8)  * 4096 = 1567
 *   k=3: K2 -K1  K1 -K2
 * The row pass keeps 4 extra bits, the column pass rounds to integers.
 */
#define FK0 2896
#define FK1 3784
#define FK2 1567

void vp8_fdct4x4(const int16_t *in, int in_stride, int16_t *out) {
  int tmp[16];
  /* Rows (horizontal frequencies), 4 extra bits kept. */
#define FROW(r)                                                          \
  do {                                                                   \
    const int16_t *x = in + (r) * in_stride;                             \
    int s0 = x[0] + x[3], s1 = x[1] + x[2];                              \
    int d0 = x[0] - x[3], d1 = x[1] - x[2];                              \
    tmp[(r) * 4 + 0] = (FK0 * (s0 + s1) + 128) >> 8;                     \
    tmp[(r) * 4 + 2] = (FK0 * (s0 - s1) + 128) >> 8;                     \
    tmp[(r) * 4 + 1] = (FK1 * d0 + FK2 * d1 + 128) >> 8;                 \
    tmp[(r) * 4 + 3] = (FK2 * d0 - FK1 * d1 + 128) >> 8;                 \
  } while (0)
  /* Columns (vertical frequencies), rounded to integers. */
#define FCOL(c)                                                          \
  do {                                                                   \
    int s0 = tmp[c] + tmp[12 + (c)], s1 = tmp[4 + (c)] + tmp[8 + (c)];   \
    int d0 = tmp[c] - tmp[12 + (c)], d1 = tmp[4 + (c)] - tmp[8 + (c)];   \
    out[0 + (c)] = (int16_t)((FK0 * (s0 + s1) + 32768) >> 16);           \
    out[8 + (c)] = (int16_t)((FK0 * (s0 - s1) + 32768) >> 16);           \
    out[4 + (c)] = (int16_t)((FK1 * d0 + FK2 * d1 + 32768) >> 16);       \
    out[12 + (c)] = (int16_t)((FK2 * d0 - FK1 * d1 + 32768) >> 16);      \
  } while (0)
  /* Written out without loops (see vp8enc.c on wazero's loop checks). */
  FROW(0); FROW(1); FROW(2); FROW(3);
  FCOL(0); FCOL(1); FCOL(2); FCOL(3);
#undef FROW
#undef FCOL
}

/*
 * vp8_idct4x4_add is the spec's inverse DCT (section 14.4, exact integer
 * arithmetic: vertical pass, then horizontal pass with (x + 4) >> 3), added
 * to the prediction with clamping (section 14.5).
 */
void vp8_idct4x4_add(const int16_t *in, const uint8_t *pred, int pred_stride,
                     uint8_t *dst, int dst_stride) {
  enum { C1 = 20091 /* cos(pi/8)*sqrt2 - 1 */, S1 = 35468 /* sin(pi/8)*sqrt2 */ };
  int tmp[16];
  /* Vertical pass over column i (spec: first loop). */
#define ICOL(i)                                                         \
  do {                                                                  \
    int a = in[i] + in[8 + (i)];                                        \
    int b = in[i] - in[8 + (i)];                                        \
    int t1 = (in[4 + (i)] * S1) >> 16;                                  \
    int t2 = in[12 + (i)] + ((in[12 + (i)] * C1) >> 16);                \
    int c = t1 - t2;                                                    \
    t1 = in[4 + (i)] + ((in[4 + (i)] * C1) >> 16);                      \
    t2 = (in[12 + (i)] * S1) >> 16;                                     \
    int d = t1 + t2;                                                    \
    tmp[i] = a + d;                                                     \
    tmp[12 + (i)] = a - d;                                              \
    tmp[4 + (i)] = b + c;                                               \
    tmp[8 + (i)] = b - c;                                               \
  } while (0)
  /* Horizontal pass over row r with (x + 4) >> 3, added to the
   * prediction (spec: second loop, then section 14.5). */
#define IROW(r)                                                         \
  do {                                                                  \
    const int *ip = tmp + (r) * 4;                                      \
    int a = ip[0] + ip[2];                                              \
    int b = ip[0] - ip[2];                                              \
    int t1 = (ip[1] * S1) >> 16;                                        \
    int t2 = ip[3] + ((ip[3] * C1) >> 16);                              \
    int c = t1 - t2;                                                    \
    t1 = ip[1] + ((ip[1] * C1) >> 16);                                  \
    t2 = (ip[3] * S1) >> 16;                                            \
    int d = t1 + t2;                                                    \
    const uint8_t *p = pred + (r) * pred_stride;                        \
    uint8_t *o = dst + (r) * dst_stride;                                \
    o[0] = clamp255(p[0] + ((a + d + 4) >> 3));                         \
    o[3] = clamp255(p[3] + ((a - d + 4) >> 3));                         \
    o[1] = clamp255(p[1] + ((b + c + 4) >> 3));                         \
    o[2] = clamp255(p[2] + ((b - c + 4) >> 3));                         \
  } while (0)
  ICOL(0); ICOL(1); ICOL(2); ICOL(3);
  IROW(0); IROW(1); IROW(2); IROW(3);
#undef ICOL
#undef IROW
}

/*
 * The spec's inverse WHT (section 14.3) is X = (M Y M + rounding) / 8 with
 * the symmetric Hadamard-like matrix M = [1 1 1 1; 1 1 -1 -1; 1 -1 -1 1;
 * 1 -1 1 -1], and M M = 4 I. The forward transform is Y = M X M / 2,
 * rounded to nearest (halves away from zero).
 */
void vp8_fwht4x4(const int16_t *in, int16_t *out) {
  int tmp[16];
  for (int i = 0; i < 4; i++) { /* columns: M on the left */
    int x0 = in[i], x1 = in[4 + i], x2 = in[8 + i], x3 = in[12 + i];
    tmp[i] = x0 + x1 + x2 + x3;
    tmp[4 + i] = x0 + x1 - x2 - x3;
    tmp[8 + i] = x0 - x1 - x2 + x3;
    tmp[12 + i] = x0 - x1 + x2 - x3;
  }
  for (int r = 0; r < 4; r++) { /* rows: M on the right */
    int x0 = tmp[r * 4], x1 = tmp[r * 4 + 1], x2 = tmp[r * 4 + 2],
        x3 = tmp[r * 4 + 3];
    int v[4] = {x0 + x1 + x2 + x3, x0 + x1 - x2 - x3, x0 - x1 - x2 + x3,
                x0 - x1 + x2 - x3};
    for (int k = 0; k < 4; k++) {
      int a = v[k];
      out[r * 4 + k] = (int16_t)(a >= 0 ? (a + 1) >> 1 : -((1 - a) >> 1));
    }
  }
}

/* vp8_iwht4x4 is the spec's inverse WHT (section 14.3), exactly. out[i] is
 * the DC coefficient of luma subblock i. */
void vp8_iwht4x4(const int16_t *in, int16_t *out) {
  int tmp[16];
  for (int i = 0; i < 4; i++) {
    int a1 = in[i] + in[12 + i];
    int b1 = in[4 + i] + in[8 + i];
    int c1 = in[4 + i] - in[8 + i];
    int d1 = in[i] - in[12 + i];
    tmp[i] = a1 + b1;
    tmp[4 + i] = c1 + d1;
    tmp[8 + i] = a1 - b1;
    tmp[12 + i] = d1 - c1;
  }
  for (int r = 0; r < 4; r++) {
    const int *ip = tmp + r * 4;
    int a1 = ip[0] + ip[3];
    int b1 = ip[1] + ip[2];
    int c1 = ip[1] - ip[2];
    int d1 = ip[0] - ip[3];
    out[r * 4 + 0] = (int16_t)((a1 + b1 + 3) >> 3);
    out[r * 4 + 1] = (int16_t)((c1 + d1 + 3) >> 3);
    out[r * 4 + 2] = (int16_t)((a1 - b1 + 3) >> 3);
    out[r * 4 + 3] = (int16_t)((d1 - c1 + 3) >> 3);
  }
}
