// Package shard splits the runs of a comparison, every (scenario,
// repetition) cell, across N machines (`--shard K/N`) so that the union of
// the N shards is every cell exactly once, and plans the order each
// machine runs its cells in.
//
// # Assignment
//
// Scenario j (0-based) at repetition r (1-based) goes to shard
// ((r−1) + j·m) mod N + 1, with m = R mod N for R repetitions. The
// repetitions of each scenario so rotate over the shards: every shard
// runs every scenario ⌊R/N⌋ or ⌈R/N⌉ times, so a machine's own speed and
// memory behaviour is spread over the scenarios instead of confounded
// with one of them, and the offset j·m tiles the left-over repetitions so
// that shard sizes differ by at most one. The assignment depends on
// nothing but the scenario's position, the repetition and N: every
// machine computes the same split.
//
// # Order
//
// A shard runs repetition 1's cells, then repetition 2's, and so on;
// within a repetition, in the order of a shuffle of all the scenarios
// seeded with (seed, repetition) (math/rand/v2 PCG), so that no scenario
// always runs first or always follows another. Every shard sees the same
// shuffle and runs its part of it.
package shard

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Shard is the K-th of N parts, K from 1. Shard{K: 1, N: 1} holds every
// cell.
type Shard struct {
	K, N int
}

// Parse parses "K/N" with 1 ≤ K ≤ N.
func Parse(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N, such as 2/4 for the second of four parts", s)
	}
	k, err := strconv.Atoi(strings.TrimSpace(ks))
	if err != nil {
		return Shard{}, fmt.Errorf("shard %q: K %q is not a whole number", s, ks)
	}
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if err != nil {
		return Shard{}, fmt.Errorf("shard %q: N %q is not a whole number", s, ns)
	}
	sh := Shard{K: k, N: n}
	if err := sh.Validate(); err != nil {
		return Shard{}, fmt.Errorf("shard %q: %w", s, err)
	}
	return sh, nil
}

// Validate reports a shard outside 1 ≤ K ≤ N.
func (s Shard) Validate() error {
	if s.N < 1 {
		return fmt.Errorf("N must be at least 1, is %d", s.N)
	}
	if s.K < 1 || s.K > s.N {
		return fmt.Errorf("K must be between 1 and %d, is %d", s.N, s.K)
	}
	return nil
}

// String returns "K/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Cell is one run of the comparison.
type Cell struct {
	Scenario string
	// Rep is the repetition, from 1.
	Rep int
}

// Of returns the shard (from 1, of n) that holds scenario number j (from
// 0) at repetition rep (from 1) when each scenario runs reps times.
func Of(j, rep, reps, n int) int {
	m := reps % n
	return (rep-1+j*m)%n + 1
}

// Plan returns the cells of shard s, in the order to run them, for the
// scenarios each run reps times.
func Plan(scenarios []string, reps int, seed uint64, s Shard) ([]Cell, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("shard %s: %w", s, err)
	}
	if len(scenarios) == 0 {
		return nil, fmt.Errorf("shard: no scenarios")
	}
	if reps < 1 {
		return nil, fmt.Errorf("shard: repetitions must be at least 1, is %d", reps)
	}
	index := make(map[string]int, len(scenarios))
	for j, sc := range scenarios {
		if _, dup := index[sc]; dup {
			return nil, fmt.Errorf("shard: scenario %s given twice", sc)
		}
		index[sc] = j
	}
	var out []Cell
	for rep := 1; rep <= reps; rep++ {
		for _, sc := range Order(scenarios, seed, rep) {
			if Of(index[sc], rep, reps, s.N) == s.K {
				out = append(out, Cell{Scenario: sc, Rep: rep})
			}
		}
	}
	return out, nil
}

// Order returns the scenarios in the shuffled order of repetition rep.
func Order(scenarios []string, seed uint64, rep int) []string {
	out := append([]string(nil), scenarios...)
	r := rand.New(rand.NewPCG(seed, uint64(rep)))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
