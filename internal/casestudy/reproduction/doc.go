// Package reproduction judges a set of runs as a reproduction of the
// case study's published memory graphs (Next.js pull request 23565): our
// growth and peak at each published stage, as ratios to our before stage,
// beside the published ratios; the checks a reproduction is judged on
// (growth and peak falling across the stages, the fixed stage returning
// to its baseline, each growth ratio near the published one); the rows of
// the same stages on next@10.1.0's own modules and of the real optimizer;
// and the 2×2 grid of the four stages, like the published images.
//
// It is the case study's, not the harness's: the stages and their figures
// come from package published, the runs from bench reproduce or bench
// report, and it gives the command line a cli.Analysis (Reproduction's
// Representatives, PlotGrid and Write). Plotting and the tables' cells
// are package report's.
package reproduction
