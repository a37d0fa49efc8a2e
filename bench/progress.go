package main

import (
	"fmt"
	"io"
	"os"
)

// progress reports what the run is doing: one line rewritten in place on a
// terminal, one line per step otherwise (a CI log).
type progress struct {
	w    io.Writer
	tty  bool
	last int // length of the line on screen
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) step(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := max(0, p.last-len(line))
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
	p.last = len(line)
}

// done ends the line on a terminal.
func (p *progress) done() {
	if p.tty && p.last > 0 {
		fmt.Fprintln(p.w)
		p.last = 0
	}
}
