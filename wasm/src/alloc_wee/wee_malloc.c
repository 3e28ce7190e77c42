/*
 * wee_malloc.c: malloc, free, calloc, realloc and the aligned allocators,
 * behaving as wee_alloc 0.4.5 did, for the module variants that stand for
 * squoosh's Rust codecs (squoosh's codecs/resize/Cargo.toml: default
 * features "console_error_panic_hook", "wee_alloc"; Cargo.lock: wee_alloc
 * 0.4.5). Linked in place of wasi-libc's dlmalloc, which it replaces
 * symbol for symbol, so the same C sources allocate as the original did.
 *
 * Written here in C from a reading of rustwasm/wee_alloc at tag 0.4.5
 * (wee_alloc/src/lib.rs, size_classes.rs, neighbors.rs, imp_wasm32.rs);
 * no code is copied. What it reproduces, with the function it comes from:
 *
 *  - Memory comes only from memory.grow, a whole number of 64 KiB pages
 *    per refill (imp_wasm32.rs alloc_pages), never from the module's
 *    initial memory, and is never given back.
 *  - Every cell has a two-word header: the address just past the cell
 *    (low bit 1: allocated; bit 2: what follows is not a cell) and the
 *    previous adjacent cell (lib.rs CellHeader, neighbors.rs Neighbors).
 *    A free cell has a third word, the next free cell (bit 1: that next
 *    free cell is this one's previous neighbour and may be merged into it,
 *    lib.rs FreeCell::NEXT_FREE_CELL_CAN_MERGE).
 *  - A refill for the main free list is one new cell of
 *    ceil((max(size, 2 * (align + 512 words)) + header) / 64 KiB) pages,
 *    with no neighbours: cells of two refills are never merged, though the
 *    pages are adjacent (lib.rs LargeAllocPolicy::new_cell_for_free_list,
 *    MIN_CELL_SIZE = 2 * NUM_SIZE_CLASSES words).
 *  - First fit, allocating from the end of a cell and splitting it when
 *    the rest keeps a header and the policy's minimum cell size (512 words
 *    on the main list, the request's size in a size class), else taking
 *    the whole cell if it is aligned (lib.rs FreeCell::try_alloc).
 *  - The walk of a free list advances the list's head itself, not a
 *    cursor: every cell a walk passes over without allocating from it is
 *    dropped from the list, and a walk that finds nothing leaves the list
 *    empty before refilling it (lib.rs walk_free_list: `previous_free` is
 *    `head`, and `previous_free.set(next_free)` moves the head). This is
 *    the unbounded growth reported as rustwasm/wee_alloc#106: freed cells
 *    a walk dropped are never reused, and a cell freed next to one of them
 *    merges into it and is lost with it.
 *  - A freed cell of the main list merges into its previous neighbour if
 *    that is free, else marks its next neighbour, if free, to merge at the
 *    next walk, else goes to the head of the list (lib.rs
 *    WeeAlloc::dealloc_impl; the deferred merge in walk_free_list).
 *  - Size classes: requests of at most 256 words with an alignment of at
 *    most a word have one free list per size in words, never merged, each
 *    refilled with one cell of max((size + 2)^2 words, 8 KiB) taken from
 *    the main list (size_classes.rs SizeClassAllocPolicy).
 *  - errno is left alone, as a Rust allocator has none (wasi-libc's errno
 *    is thread-local, which this LTO build cannot reference here).
 *  - realloc allocates, copies and frees; calloc allocates and zeroes
 *    (core::alloc::GlobalAlloc's provided realloc and alloc_zeroed, which
 *    wee_alloc does not override).
 *
 * One difference is forced by C: free(p) is not told the size and
 * alignment Rust's dealloc gets. A cell allocated from a size class is
 * tagged (bit 1 of its previous-neighbour word, which wee_alloc leaves
 * unused), and goes back to the class of its own size in words; wee_alloc
 * returns it to the class of the request's size, which differs only for
 * the last cell of a class refill when it was taken whole.
 */
#include <errno.h> /* EINVAL, ENOMEM for posix_memalign */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WORD ((uintptr_t)sizeof(uintptr_t))
#define PAGE ((uintptr_t)65536)
#define NUM_SIZE_CLASSES 256
/* LargeAllocPolicy::MIN_CELL_SIZE, in bytes. */
#define LARGE_MIN_CELL ((uintptr_t)(2 * NUM_SIZE_CLASSES) * WORD)
/* size_classes.rs MIN_NEW_CELL_SIZE, in bytes. */
#define CLASS_MIN_REFILL ((uintptr_t)8192)

/* Low bits of cell.next. */
#define ALLOCATED ((uintptr_t)1)
#define NEXT_INVALID ((uintptr_t)2)
/* Low bit of cell.prev: allocated from a size class (see above). */
#define IN_CLASS ((uintptr_t)1)
/* Low bit of cell.next_free. */
#define CAN_MERGE ((uintptr_t)1)
#define BITS ((uintptr_t)3)

typedef struct cell {
  uintptr_t next;      /* address past this cell | ALLOCATED | NEXT_INVALID */
  uintptr_t prev;      /* previous adjacent cell or 0 | IN_CLASS */
  uintptr_t next_free; /* free cells only: next free cell | CAN_MERGE */
} cell;

#define HEADER (2 * WORD)

/*
 * A free list, and the rules its cells follow: the main list merges
 * adjacent free cells and keeps split-off rests of LARGE_MIN_CELL; a size
 * class never merges (wee_free) and keeps rests of the request's size.
 * The lists are the allocator's state, one per instance (each instance has
 * its own copy of the data segment).
 */
typedef struct {
  cell *head;
  uintptr_t min_cell; /* 0: the request's size (a size class) */
  int class_words;    /* the class's size in words; 0 for the main list */
} list;

static list large = {NULL, LARGE_MIN_CELL, 0};
static list classes[NUM_SIZE_CLASSES];

static uintptr_t ptr_of(uintptr_t v) { return v & ~BITS; }
static uintptr_t data_of(cell *c) { return (uintptr_t)c + HEADER; }
static uintptr_t size_of_cell(cell *c) { return ptr_of(c->next) - data_of(c); }
static int is_free(cell *c) { return !(c->next & ALLOCATED); }

/* next_cell is neighbors.rs Neighbors::next via next_checked. */
static cell *next_cell(cell *c) {
  uintptr_t n = ptr_of(c->next);
  return n == 0 || (c->next & NEXT_INVALID) ? NULL : (cell *)n;
}

static cell *prev_cell(cell *c) { return (cell *)ptr_of(c->prev); }

static void set_next(cell *c, uintptr_t n) { c->next = n | (c->next & BITS); }
static void set_prev(cell *c, uintptr_t p) { c->prev = p | (c->prev & BITS); }

/* unlink is Neighbors::remove: c leaves the chain of adjacent cells. */
static void unlink(cell *c) {
  cell *n = next_cell(c), *p = prev_cell(c);
  if (n != NULL) {
    set_prev(n, ptr_of(c->prev));
  }
  if (p != NULL) {
    set_next(p, ptr_of(c->next));
  }
  set_next(c, 0);
  set_prev(c, 0);
}

/* new_free_cell is FreeCell::from_uninitialized: no neighbours yet. */
static cell *new_free_cell(uintptr_t at) {
  cell *c = (cell *)at;
  c->next = 0;
  c->prev = 0;
  c->next_free = 0;
  return c;
}

static uintptr_t round_up(uintptr_t n, uintptr_t to) {
  return (n + to - 1) / to * to;
}

/*
 * try_alloc is FreeCell::try_alloc: allocate size bytes (a whole number of
 * words) aligned to align from the end of c, splitting it, or all of c.
 * head is the list's head, which holds c.
 */
static cell *try_alloc(list *l, cell *c, uintptr_t size, uintptr_t align) {
  if (size_of_cell(c) < size) {
    return NULL;
  }
  uintptr_t end = ptr_of(c->next);
  uintptr_t split = (end - size) & ~(align - 1);
  uintptr_t min_cell = l->min_cell ? l->min_cell : size;
  if (data_of(c) + HEADER + min_cell <= split) {
    cell *s = new_free_cell(split - HEADER);
    /* Neighbors::append(c, s) */
    set_next(s, ptr_of(c->next));
    cell *n = next_cell(c);
    if (n != NULL) {
      set_prev(n, (uintptr_t)s);
    }
    set_prev(s, (uintptr_t)c);
    set_next(c, (uintptr_t)s);
    c->next_free &= ~CAN_MERGE;
    if (c->next & NEXT_INVALID) {
      c->next &= ~NEXT_INVALID;
      s->next |= NEXT_INVALID;
    }
    s->next |= ALLOCATED;
    return s;
  }
  if ((data_of(c) & (align - 1)) == 0) {
    l->head = (cell *)ptr_of(c->next_free);
    c->next |= ALLOCATED;
    return c;
  }
  return NULL;
}

/* first_fit is walk_free_list with try_alloc (alloc_first_fit). */
static cell *first_fit(list *l, uintptr_t size, uintptr_t align) {
  for (;;) {
    cell *c = l->head;
    if (c == NULL) {
      return NULL;
    }
    while (c->next_free & CAN_MERGE) {
      c->next_free &= ~CAN_MERGE;
      cell *p = prev_cell(c); /* free: the merge bit says so */
      int invalid = (c->next & NEXT_INVALID) != 0;
      unlink(c);
      if (invalid) {
        p->next |= NEXT_INVALID;
      }
      l->head = p;
      c = p;
    }
    cell *got = try_alloc(l, c, size, align);
    if (got != NULL) {
      return got;
    }
    /* The head itself moves on: c is dropped from the list. */
    l->head = (cell *)ptr_of(c->next_free);
  }
}

/* grow is imp_wasm32.rs alloc_pages. */
static uintptr_t grow(uintptr_t bytes) {
  uintptr_t pages = round_up(bytes, PAGE) / PAGE;
  if (pages == 0 || bytes > (uintptr_t)-1 - PAGE) {
    return 0;
  }
  size_t old = __builtin_wasm_memory_grow(0, pages);
  if (old == (size_t)-1) {
    return 0;
  }
  return (uintptr_t)old * PAGE;
}

static void *alloc_from(list *l, uintptr_t size, uintptr_t align);

/*
 * refill is the policy's new_cell_for_free_list: one new cell with no
 * neighbours (NEXT_INVALID), pushed on the list's head.
 */
static int refill(list *l, uintptr_t size, uintptr_t align) {
  uintptr_t at, bytes;
  if (l->class_words == 0) {
    uintptr_t want = 2 * (align + LARGE_MIN_CELL);
    uintptr_t need = size > want ? size : want;
    if (need > (uintptr_t)-1 - 2 * PAGE) {
      return 0;
    }
    bytes = round_up(need + HEADER, PAGE);
    at = grow(bytes);
  } else {
    uintptr_t words = (uintptr_t)l->class_words + HEADER / WORD;
    bytes = words * words * WORD;
    if (bytes < CLASS_MIN_REFILL) {
      bytes = CLASS_MIN_REFILL;
    }
    at = (uintptr_t)alloc_from(&large, bytes, WORD);
  }
  if (at == 0) {
    return 0;
  }
  cell *c = new_free_cell(at);
  c->next = (at + bytes) | NEXT_INVALID;
  c->next_free = (uintptr_t)l->head;
  l->head = c;
  return 1;
}

/* alloc_from is alloc_with_refill. */
static void *alloc_from(list *l, uintptr_t size, uintptr_t align) {
  cell *c = first_fit(l, size, align);
  if (c == NULL) {
    if (!refill(l, size, align)) {
      return NULL;
    }
    c = first_fit(l, size, align);
    if (c == NULL) {
      return NULL;
    }
  }
  if (l->class_words != 0) {
    c->prev |= IN_CLASS;
  }
  return (void *)data_of(c);
}

/* list_for is WeeAlloc::with_free_list_and_policy_for_size. */
static list *list_for(uintptr_t words, uintptr_t align) {
  if (align <= WORD && words >= 1 && words <= NUM_SIZE_CLASSES) {
    list *l = &classes[words - 1];
    l->class_words = (int)words; /* min_cell stays 0: a class */
    return l;
  }
  return &large;
}

static void *wee_alloc(size_t n, size_t align) {
  if (align < WORD) {
    align = WORD; /* the same cells: sizes are whole words */
  }
  if (n == 0) {
    n = 1;
  }
  if (n > (size_t)-1 - 2 * PAGE) {
    return NULL;
  }
  uintptr_t words = round_up(n, WORD) / WORD;
  return alloc_from(list_for(words, align), words * WORD, align);
}

/* wee_free is WeeAlloc::dealloc_impl. */
static void wee_free(void *ptr) {
  if (ptr == NULL) {
    return;
  }
  cell *c = (cell *)((uintptr_t)ptr - HEADER);
  c->next &= ~ALLOCATED;
  c->next_free = 0;
  if (c->prev & IN_CLASS) {
    uintptr_t words = size_of_cell(c) / WORD;
    list *l = list_for(words < NUM_SIZE_CLASSES ? words : NUM_SIZE_CLASSES, WORD);
    c->next_free = (uintptr_t)l->head;
    l->head = c;
    return;
  }
  cell *p = prev_cell(c);
  if (p != NULL && is_free(p)) {
    int invalid = (c->next & NEXT_INVALID) != 0;
    unlink(c);
    if (invalid) {
      p->next |= NEXT_INVALID;
    }
    return;
  }
  cell *n = next_cell(c);
  if (n != NULL && is_free(n)) {
    c->next_free = ptr_of(n->next_free);
    n->next_free = (uintptr_t)c | CAN_MERGE;
    return;
  }
  c->next_free = (uintptr_t)large.head;
  large.head = c;
}

void *malloc(size_t n) { return wee_alloc(n, 1); }

void free(void *p) { wee_free(p); }

void *calloc(size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) {
    return NULL;
  }
  void *p = wee_alloc(count * size, 1);
  if (p != NULL) {
    memset(p, 0, count * size);
  }
  return p;
}

void *realloc(void *old, size_t n) {
  if (old == NULL) {
    return wee_alloc(n, 1);
  }
  cell *c = (cell *)((uintptr_t)old - HEADER);
  uintptr_t have = size_of_cell(c);
  void *p = wee_alloc(n, 1);
  if (p == NULL) {
    return NULL;
  }
  memcpy(p, old, have < n ? have : n);
  wee_free(old);
  return p;
}

void *aligned_alloc(size_t align, size_t n) {
  if (align == 0 || (align & (align - 1)) != 0) {
    return NULL;
  }
  return wee_alloc(n, align);
}

int posix_memalign(void **out, size_t align, size_t n) {
  if (align < sizeof(void *) || (align & (align - 1)) != 0) {
    return EINVAL;
  }
  void *p = wee_alloc(n, align);
  if (p == NULL) {
    return ENOMEM;
  }
  *out = p;
  return 0;
}

size_t malloc_usable_size(void *p) {
  return p == NULL ? 0 : size_of_cell((cell *)((uintptr_t)p - HEADER));
}

/* wasi-libc's internal names for the same functions (atexit, locales). */
void *__libc_malloc(size_t n) { return malloc(n); }
void __libc_free(void *p) { free(p); }
void *__libc_calloc(size_t count, size_t size) { return calloc(count, size); }
