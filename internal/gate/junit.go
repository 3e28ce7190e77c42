package gate

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, the subset CI systems read: testsuites > testsuite (one per
// scenario) > testcase (one per scenario check and per metric), failures
// for regressions, errors for errors, warnings in system-out.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one test suite per scenario,
// one test case per scenario check (runs, baseline, leak control) and per
// metric, named "<metric>" in class "leakbench.gate.<scenario>".
func (r *Report) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "leakbench memory gate"}
	for _, s := range r.Scenarios {
		suite := junitSuite{
			Name: s.Name,
			Properties: []junitProperty{
				{Name: "expect", Value: s.Expect.String()},
				{Name: "runs", Value: fmt.Sprint(s.Runs)},
				{Name: "verdict", Value: s.Verdict.String()},
			},
			SystemOut: strings.Join(s.Warnings, "\n"),
		}
		class := "leakbench.gate." + s.Name
		for _, c := range s.Checks {
			tc := junitCase{Name: c.Name, ClassName: class}
			setProblem(&tc, c.Verdict, c.Message, c.Message)
			if c.Verdict == Pass {
				tc.SystemOut = c.Message
			}
			suite.add(tc)
		}
		for _, row := range s.Rows {
			tc := junitCase{Name: row.Metric.String(), ClassName: class}
			c := row.cells()
			detail := fmt.Sprintf("baseline %s, now %s, change %s, spread %s, limit %s", c[1], c[2], c[3], c[4], c[5])
			msg := strings.Join(row.Reasons, "; ")
			setProblem(&tc, row.Verdict, msg, detail)
			if row.Verdict == Pass {
				tc.SystemOut = detail
				if row.Warn {
					tc.SystemOut += "\nwarning: " + msg
				}
			}
			suite.add(tc)
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Suites = append(doc.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("gate: writing JUnit XML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("gate: writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// setProblem attaches a failure or an error to a test case by verdict.
func setProblem(tc *junitCase, v Verdict, msg, text string) {
	switch v {
	case Regression:
		tc.Failure = &junitProblem{Message: msg, Type: "regression", Text: text}
	case Error:
		tc.Error = &junitProblem{Message: msg, Type: "error", Text: text}
	}
}

// add appends a test case and counts it.
func (s *junitSuite) add(tc junitCase) {
	s.Tests++
	if tc.Failure != nil {
		s.Failures++
	}
	if tc.Error != nil {
		s.Errors++
	}
	s.Cases = append(s.Cases, tc)
}
