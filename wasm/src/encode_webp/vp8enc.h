/*
 * vp8enc.h: internal interface of the VP8 key-frame encoder (see vp8enc.c
 * for the overview). Nothing here is exported from the wasm module.
 */
#ifndef VP8ENC_H
#define VP8ENC_H

#include <stddef.h>
#include <stdint.h>

/* 16x16 luma and 8x8 chroma prediction modes (RFC 6386 section 11.2). */
enum { VP8_DC_PRED = 0, VP8_V_PRED, VP8_H_PRED, VP8_TM_PRED, VP8_B_PRED };

/* 4x4 luma subblock prediction modes (RFC 6386 section 11.2). */
enum {
  B_DC_PRED = 0,
  B_TM_PRED,
  B_VE_PRED,
  B_HE_PRED,
  B_LD_PRED,
  B_RD_PRED,
  B_VR_PRED,
  B_VL_PRED,
  B_HD_PRED,
  B_HU_PRED,
  VP8_NUM_BMODES
};

/* Token probability planes (RFC 6386 section 13.3). */
enum { PLANE_Y_AFTER_Y2 = 0, PLANE_Y2 = 1, PLANE_UV = 2, PLANE_Y_WITH_DC = 3 };

/* ---- spec tables (vp8_tables.c) ---- */
extern const uint8_t vp8_zigzag[16];
extern const uint8_t vp8_coeff_bands[17];
extern const uint8_t vp8_pcat1[], vp8_pcat2[], vp8_pcat3[], vp8_pcat4[],
    vp8_pcat5[], vp8_pcat6[];
extern const int8_t vp8_kf_ymode_tree[8];
extern const uint8_t vp8_kf_ymode_prob[4];
extern const int8_t vp8_bmode_tree[18];
extern const int8_t vp8_uv_mode_tree[6];
extern const uint8_t vp8_kf_uv_mode_prob[3];
extern const uint8_t vp8_kf_bmode_prob[10][10][9];
extern const uint8_t vp8_coeff_update_probs[4][8][3][11];
extern const uint8_t vp8_default_coeff_probs[4][8][3][11];
extern const uint16_t vp8_dc_qlookup[128];
extern const uint16_t vp8_ac_qlookup[128];

/* ---- boolean entropy encoder (vp8_bool.c, RFC 6386 section 7) ---- */
typedef struct {
  uint8_t *buf;   /* output bytes (malloc'd, grown on demand) */
  size_t len;     /* bytes written */
  size_t cap;     /* bytes allocated */
  uint32_t range; /* current interval width, 128..255 after normalising */
  uint32_t low;   /* low end of the interval; bit 31+ is the pending carry */
  int count;      /* bits to shift in before the next byte is complete */
  int failed;     /* an allocation failed: the output is unusable */
} vp8_bool_enc;

void vp8_bool_init(vp8_bool_enc *e);
void vp8_put_bool(vp8_bool_enc *e, int prob, int bit);
void vp8_put_literal(vp8_bool_enc *e, uint32_t value, int nbits);
void vp8_put_tree(vp8_bool_enc *e, const int8_t *tree, const uint8_t *probs,
                  int value);
void vp8_bool_finish(vp8_bool_enc *e);
void vp8_bool_free(vp8_bool_enc *e);

/* Cost in 1/256 bit of coding bit b (0/1) with probability prob of a 0. */
extern const uint16_t vp8_bit_cost_table[256];
static inline int vp8_bit_cost(int prob, int bit) {
  return vp8_bit_cost_table[bit ? 256 - prob : prob];
}
int vp8_tree_cost(const int8_t *tree, const uint8_t *probs, int value);

/* ---- prediction and transforms (vp8_dsp.c) ---- */

/*
 * The reconstruction edge of a 16x16 block: above[-1] is the corner pixel P,
 * above[0..15] the row above (above[16..19] the above-right pixels for 4x4
 * prediction), left[0..15] the column to the left.
 */
void vp8_pred16(uint8_t *dst, int mode, const uint8_t *above,
                const uint8_t *left, int have_above, int have_left);
void vp8_pred8(uint8_t *dst, int mode, const uint8_t *above,
               const uint8_t *left, int have_above, int have_left);
/* 4x4: A[-1] = P, A[0..7] above + above-right; L[0..3] left. dst stride 4 */
void vp8_pred4(uint8_t *dst, int mode, const uint8_t *A, const uint8_t *L);

void vp8_fdct4x4(const int16_t *in, int in_stride, int16_t *out);
void vp8_idct4x4_add(const int16_t *in, const uint8_t *pred, int pred_stride,
                     uint8_t *dst, int dst_stride);
void vp8_fwht4x4(const int16_t *in, int16_t *out);
void vp8_iwht4x4(const int16_t *in, int16_t *out);

/* ---- the encoder (vp8enc.c) ---- */

/*
 * vp8_encode_frame encodes an RGBA8 image as one VP8 key frame (the payload
 * of a WebP 'VP8 ' chunk). Returns 0 and a malloc'd buffer in *out, or a
 * negative status (-1 bad argument, -2 out of memory) with a message in err.
 */
int vp8_encode_frame(const uint8_t *rgba, int w, int h, int quality,
                     uint8_t **out, size_t *out_len, char *err,
                     size_t err_len);

#ifdef VP8ENC_DEBUG
/* Native testing only: called with each reconstructed (unfiltered) MB row. */
extern void (*vp8_debug_recon_row)(int mby, const uint8_t *y, int ystride,
                                   const uint8_t *u, const uint8_t *v,
                                   int uvstride);
extern int vp8_debug_filter_level; /* >= 0 overrides the loop filter level */
#endif

#endif /* VP8ENC_H */
