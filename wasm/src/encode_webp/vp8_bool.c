/*
 * vp8_bool.c: the boolean entropy encoder of RFC 6386 section 7.
 *
 * The decoder (section 7.3) keeps an interval of width `range` (128..255
 * after normalising) and splits it at 1 + ((range - 1) * prob >> 8): a 0 takes
 * the lower part, a 1 the upper part. The encoder mirrors that on `low`, the
 * lower end of the interval: after each bool it doubles range (and low) until
 * range is back in 128..255, and every 8 doublings one finished byte leaves
 * the top of `low`. Adding `split` to low can carry into bytes that were
 * already written; the carry is propagated backwards through 0xff bytes.
 */
#include "vp8enc.h"

#include <stdlib.h>
#include <string.h>

void vp8_bool_init(vp8_bool_enc *e) {
  memset(e, 0, sizeof(*e));
  e->range = 255;
  e->low = 0;
  e->count = 24; /* the first byte is complete after 24 doublings */
}

void vp8_bool_free(vp8_bool_enc *e) {
  free(e->buf);
  e->buf = NULL;
  e->len = e->cap = 0;
}

/* emit appends one byte, growing the buffer geometrically. */
static void emit(vp8_bool_enc *e, uint8_t byte) {
  if (e->len == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 4096;
    uint8_t *p = e->failed ? NULL : (uint8_t *)realloc(e->buf, cap);
    if (p == NULL) {
      /* Keep counting so the caller sees a consistent state; drop bytes. */
      e->failed = 1;
      e->len = 0;
      return;
    }
    e->buf = p;
    e->cap = cap;
  }
  e->buf[e->len++] = byte;
}

/* carry adds one to the bytes already written (a carry out of `low`). */
static void carry(vp8_bool_enc *e) {
  size_t i = e->len;
  while (i > 0 && e->buf[i - 1] == 0xff) {
    e->buf[--i] = 0;
  }
  if (i > 0) {
    e->buf[i - 1]++;
  }
}

void vp8_put_bool(vp8_bool_enc *e, int prob, int bit) {
  uint32_t split = 1 + (((e->range - 1) * (uint32_t)prob) >> 8);
  if (bit) {
    e->low += split;
    e->range -= split;
  } else {
    e->range = split;
  }
  while (e->range < 128) {
    e->range <<= 1;
    if (e->low & 0x80000000u) {
      carry(e);
    }
    e->low <<= 1;
    if (--e->count == 0) {
      emit(e, (uint8_t)(e->low >> 24));
      e->low &= 0xffffff;
      e->count = 8;
    }
  }
}

/* vp8_put_literal writes an unsigned n-bit value, most significant bit first,
 * each bit with probability 128 (the L(n) of the spec). */
void vp8_put_literal(vp8_bool_enc *e, uint32_t value, int nbits) {
  while (nbits-- > 0) {
    vp8_put_bool(e, 128, (value >> nbits) & 1);
  }
}

/* tree_path finds the branch bits leading to leaf `value`; returns the depth
 * or -1. Leaves are stored as -value (so 0 is a leaf everywhere but the root). */
static int tree_path(const int8_t *tree, int node, int value, int depth,
                     uint8_t *nodes, uint8_t *bits) {
  for (int b = 0; b < 2; b++) {
    int child = tree[node + b];
    nodes[depth] = (uint8_t)node;
    bits[depth] = (uint8_t)b;
    if (child <= 0) {
      if (-child == value) {
        return depth + 1;
      }
    } else {
      int d = tree_path(tree, child, value, depth + 1, nodes, bits);
      if (d > 0) {
        return d;
      }
    }
  }
  return -1;
}

/* vp8_put_tree writes `value` with a spec coding tree: node i uses
 * probs[i >> 1] (RFC 6386 section 8.1). */
void vp8_put_tree(vp8_bool_enc *e, const int8_t *tree, const uint8_t *probs,
                  int value) {
  uint8_t nodes[16], bits[16];
  int n = tree_path(tree, 0, value, 0, nodes, bits);
  for (int i = 0; i < n; i++) {
    vp8_put_bool(e, probs[nodes[i] >> 1], bits[i]);
  }
}

int vp8_tree_cost(const int8_t *tree, const uint8_t *probs, int value) {
  uint8_t nodes[16], bits[16];
  int n = tree_path(tree, 0, value, 0, nodes, bits);
  int cost = 0;
  for (int i = 0; i < n; i++) {
    cost += vp8_bit_cost(probs[nodes[i] >> 1], bits[i]);
  }
  return cost;
}

/* vp8_bool_finish pads with 32 zero bits at probability 1/2, which pushes
 * every pending bit of `low` (and any carry) out into the buffer. */
void vp8_bool_finish(vp8_bool_enc *e) {
  for (int i = 0; i < 32; i++) {
    vp8_put_bool(e, 128, 0);
  }
}

/* -log2(p / 256) * 256 for p = 1..255: the cost of a bool whose probability
 * is p/256, in 1/256 bit (entry 0 is unused). */
const uint16_t vp8_bit_cost_table[256] = {
    0, 2048, 1792, 1642, 1536, 1454, 1386, 1329, 1280, 1236, 1198, 1162,
    1130, 1101, 1073, 1048, 1024, 1002, 980, 961, 942, 924, 906, 890,
    874, 859, 845, 831, 817, 804, 792, 780, 768, 757, 746, 735,
    724, 714, 705, 695, 686, 676, 668, 659, 650, 642, 634, 626,
    618, 611, 603, 596, 589, 582, 575, 568, 561, 555, 548, 542,
    536, 530, 524, 518, 512, 506, 501, 495, 490, 484, 479, 474,
    468, 463, 458, 453, 449, 444, 439, 434, 430, 425, 420, 416,
    412, 407, 403, 399, 394, 390, 386, 382, 378, 374, 370, 366,
    362, 358, 355, 351, 347, 343, 340, 336, 333, 329, 326, 322,
    319, 315, 312, 309, 305, 302, 299, 296, 292, 289, 286, 283,
    280, 277, 274, 271, 268, 265, 262, 259, 256, 253, 250, 247,
    245, 242, 239, 236, 234, 231, 228, 226, 223, 220, 218, 215,
    212, 210, 207, 205, 202, 200, 197, 195, 193, 190, 188, 185,
    183, 181, 178, 176, 174, 171, 169, 167, 164, 162, 160, 158,
    156, 153, 151, 149, 147, 145, 143, 140, 138, 136, 134, 132,
    130, 128, 126, 124, 122, 120, 118, 116, 114, 112, 110, 108,
    106, 104, 102, 101, 99, 97, 95, 93, 91, 89, 87, 86,
    84, 82, 80, 78, 77, 75, 73, 71, 70, 68, 66, 64,
    63, 61, 59, 58, 56, 54, 53, 51, 49, 48, 46, 44,
    43, 41, 40, 38, 36, 35, 33, 32, 30, 28, 27, 25,
    24, 22, 21, 19, 18, 16, 15, 13, 12, 10, 9, 7,
    6, 4, 3, 1,

};
