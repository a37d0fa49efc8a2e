package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/plotter"

	"github.com/flowkern/flowkern/internal/lineplot"
)

// writeCSV writes a header and rows to dir/name atomically (a temporary
// file renamed into place).
func writeCSV(dir, name string, header []string, rows [][]string) error {
	path := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	w := csv.NewWriter(tmp)
	w.Write(header)
	w.WriteAll(rows) // flushes
	if err := w.Error(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// curve is one line of a plot.
type curve struct {
	name   string
	xy     plotter.XYs
	yerr   []float64 // standard errors (drawn as bars), or nil
	points bool      // markers on the points
	dash   int       // 0 solid, 1 dashed, 2 dotted
	color  int       // plotutil palette index, -1 gray, -2 black
}

// figure describes a plot.
type figure struct {
	title, xlab, ylab string
	logX, logY        bool
	legendLeft        bool
	legendBottom      bool
	curves            []curve
}

// save draws the figure into dir/base.svg and dir/base.png.
func (fg figure) save(dir, base string) error {
	f := lineplot.Figure{Title: fg.title, XLabel: fg.xlab, YLabel: fg.ylab, LogX: fg.logX, LogY: fg.logY,
		LegendLeft: fg.legendLeft, LegendBottom: fg.legendBottom}
	for _, c := range fg.curves {
		f.Curves = append(f.Curves, lineplot.Curve{Name: c.name, XY: c.xy, YErr: c.yerr, Points: c.points, Dash: c.dash, Color: c.color})
	}
	return f.Save(filepath.Join(dir, base+".svg"), filepath.Join(dir, base+".png"))
}
