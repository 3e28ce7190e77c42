// Command hello prints the greeting its build tag chose, for childtest's
// tests.
package main

import "fmt"

func main() { fmt.Println(greeting) }
