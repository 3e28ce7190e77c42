//go:build !loud

package main

// greeting is what a default build prints.
const greeting = "hello"
