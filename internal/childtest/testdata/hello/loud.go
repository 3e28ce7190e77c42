//go:build loud

package main

// greeting is what a build with -tags loud prints.
const greeting = "HELLO"
