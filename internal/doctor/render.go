package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// TextOptions shapes the human-readable report.
type TextOptions struct {
	Color bool // ANSI colours, for terminals
	Width int  // wrap long lines at this many columns; 0 means 100
}

// ANSI styles.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
)

// marks are the symbol and colour of each status.
var marks = map[Status]struct{ sym, color string }{
	Pass: {"✓", green},
	Fail: {"✗", red},
	Warn: {"!", yellow},
	Skip: {"–", dim},
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	out := *rep
	if out.Checks == nil {
		out.Checks = []Check{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// WriteText writes the report for a person: a heading per step, one
// aligned line per check, the fix under each failure and warning, and a
// summary line.
func (rep *Report) WriteText(w io.Writer, opt TextOptions) error {
	if opt.Width <= 0 {
		opt.Width = 100
	}
	paint := func(style, s string) string {
		if !opt.Color || style == "" {
			return s
		}
		return style + s + reset
	}
	col := 0
	for _, c := range rep.Checks {
		col = max(col, utf8.RuneCountInString(c.Title))
	}
	indent := 4 + col + 2 // "  ✓ " + title + gap
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", paint(bold, "Checking"), rep.URL)
	for _, step := range Steps {
		subject := ""
		first := true
		for _, c := range rep.Checks {
			if c.Step != step.ID {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s\n", paint(bold, step.Heading))
				first = false
			}
			if c.Subject != subject && c.Subject != "" {
				fmt.Fprintf(&b, "  %s\n", paint(dim, c.Subject))
			}
			subject = c.Subject
			m := marks[c.Status]
			pad := strings.Repeat(" ", col-utf8.RuneCountInString(c.Title))
			fmt.Fprintf(&b, "  %s %s%s  %s\n", paint(m.color, m.sym), c.Title, pad, wrap(c.Detail, indent, opt.Width))
			if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
				fix := wrap("fix: "+c.Fix+" ["+c.ID+"]", indent, opt.Width)
				fmt.Fprintf(&b, "%s%s\n", strings.Repeat(" ", indent), paint(m.color, fix))
			}
		}
	}
	if !rep.TokenChecked {
		fmt.Fprintf(&b, "\n%s\n", paint(dim, "No token given: pass --token to check an access token and list the tools it may use."))
	}
	fmt.Fprintf(&b, "\n%s\n", rep.summaryLine(paint))
	_, err := io.WriteString(w, b.String())
	return err
}

// summaryLine is "✗ 3 problems, 1 warning (20 passed, 4 skipped)".
func (rep *Report) summaryLine(paint func(style, s string) string) string {
	s := rep.Summary
	counts := fmt.Sprintf("%d passed", s.Pass)
	if s.Skip > 0 {
		counts += fmt.Sprintf(", %d skipped", s.Skip)
	}
	warnings := fmt.Sprintf("%d warning%s", s.Warn, plural(s.Warn))
	switch {
	case s.Fail > 0:
		line := fmt.Sprintf("%d problem%s", s.Fail, plural(s.Fail))
		if s.Warn > 0 {
			line += ", " + warnings
		}
		return paint(red+bold, "✗ "+line) + " (" + counts + ")"
	case s.Warn > 0:
		return paint(yellow+bold, "! No problems, "+warnings) + " (" + counts + ")"
	}
	return paint(green+bold, "✓ No problems") + " (" + counts + ")"
}

// wrap breaks s into lines of at most width columns, every line after the
// first indented by indent spaces. Words longer than a line (URLs) stay
// whole.
func wrap(s string, indent, width int) string {
	avail := width - indent
	if avail < 30 {
		return s
	}
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		if i > 0 {
			if n+1+wl > avail {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(word)
		n += wl
	}
	return b.String()
}
