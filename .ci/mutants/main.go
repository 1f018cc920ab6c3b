// Command mutants summarises a gremlins report: efficacy per package, and every surviving
// mutant not listed as equivalent. A mutant is named by its file, its mutator and its source
// line with the mutated token in [[ ]], not by a line number, so the list of equivalent
// mutants survives edits elsewhere in the file.
//
// Usage: go run ./.ci/mutants -equivalent testdata/mutants-equivalent.txt -min 90 PKG=REPORT.json...
// (gremlins names files relative to the package it ran on).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

type report struct {
	GoModule string `json:"go_module"`
	Files    []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
	Elapsed float64 `json:"elapsed_time"`
}

// name is a mutant's stable name: file | mutator | line with the token marked.
func name(file, typ string, line, col int) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Sprintf("%s | %s | line %d (unreadable: %v)", file, typ, line, err)
	}
	ls := strings.Split(string(b), "\n")
	if line < 1 || line > len(ls) {
		return fmt.Sprintf("%s | %s | line %d", file, typ, line)
	}
	l := ls[line-1]
	c := col - 1
	if c < 0 || c > len(l) {
		c = 0
	}
	tok := c
	for tok < len(l) && strings.ContainsRune("+-*/%<>=!&|^", rune(l[tok])) {
		tok++
	}
	return fmt.Sprintf("%s | %s | %s[[%s]]%s", file, typ, strings.TrimLeft(l[:c], "\t "), l[c:tok], strings.TrimRight(l[tok:], " "))
}

func main() {
	equivalent := flag.String("equivalent", "", "file of mutants known to be equivalent, one 'name | why' a line")
	min := flag.Float64("min", 90, "lowest efficacy per package, in per cent, with equivalent mutants left out")
	flag.Parse()
	known := map[string]bool{}
	if *equivalent != "" {
		f, err := os.Open(*equivalent)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		s := bufio.NewScanner(f)
		for s.Scan() {
			l := strings.TrimSpace(s.Text())
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			parts := strings.Split(l, " | ")
			if len(parts) < 4 {
				fmt.Fprintf(os.Stderr, "%s: want 'file | mutator | line | why': %s\n", *equivalent, l)
				os.Exit(2)
			}
			known[strings.Join(parts[:3], " | ")] = true
		}
		f.Close()
	}
	used := map[string]bool{}
	var ran []string // the packages reported on, for the stale check
	fail := false
	for _, arg := range flag.Args() {
		pkg, p, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "want PKG=REPORT, got %s\n", arg)
			os.Exit(2)
		}
		ran = append(ran, pkg+"/")
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var r report
		if err := json.Unmarshal(b, &r); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
			os.Exit(2)
		}
		counts := map[string]int{}
		var lived []string
		for _, f := range r.Files {
			file := filepath.ToSlash(filepath.Join(pkg, f.Name))
			for _, m := range f.Mutations {
				counts[m.Status]++
				if m.Status != "LIVED" {
					continue
				}
				n := name(file, m.Type, m.Line, m.Column)
				if known[n] {
					used[n] = true
					counts["EQUIVALENT"]++
					continue
				}
				lived = append(lived, n)
			}
		}
		killed, alive := counts["KILLED"], counts["LIVED"]
		eff, effEq := 0.0, 0.0
		if killed+alive > 0 {
			eff = 100 * float64(killed) / float64(killed+alive)
		}
		if d := killed + alive - counts["EQUIVALENT"]; d > 0 {
			effEq = 100 * float64(killed) / float64(d)
		}
		fmt.Printf("mutate: %s: efficacy %.1f%% (%.1f%% counting the %d equivalent as alive), killed %d, lived %d, timed out %d, not covered %d, not viable %d, %.0f s\n",
			pkg, effEq, eff, counts["EQUIVALENT"], killed, alive, counts["TIMED OUT"], counts["NOT COVERED"], counts["NOT VIABLE"], r.Elapsed)
		sort.Strings(lived)
		for _, n := range lived {
			fmt.Println("mutate:   survived:", n)
		}
		if effEq < *min {
			fmt.Printf("mutate: %s: efficacy below %.0f%%\n", pkg, *min)
			fail = true
		}
	}
	var stale []string
	for n := range known {
		if !used[n] && slices.ContainsFunc(ran, func(p string) bool { return strings.HasPrefix(n, p) }) {
			stale = append(stale, n)
		}
	}
	sort.Strings(stale)
	for _, n := range stale {
		fmt.Println("mutate: listed as equivalent but not seen surviving (killed now, or its line changed):", n)
	}
	if fail {
		os.Exit(1)
	}
}
