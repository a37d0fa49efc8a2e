package main

import (
	"encoding/csv"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
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

// logTicks are gonum's log-axis ticks with short labels.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 3, 64)
		}
	}
	return ts
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
	p := plot.New()
	p.Title.Text = fg.title
	p.X.Label.Text = fg.xlab
	p.Y.Label.Text = fg.ylab
	if fg.logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if fg.logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.Legend.Top = !fg.legendBottom
	p.Legend.Left = fg.legendLeft
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for _, c := range fg.curves {
		var xy plotter.XYs
		var errs plotter.YErrors
		for i, q := range c.xy {
			if math.IsNaN(q.Y) || math.IsInf(q.Y, 0) || (fg.logX && !(q.X > 0)) || (fg.logY && !(q.Y > 0)) {
				continue
			}
			xy = append(xy, q)
			if c.yerr != nil {
				lo := c.yerr[i]
				if fg.logY {
					lo = min(lo, 0.9*q.Y) // keep the bar above zero
				}
				errs = append(errs, struct{ Low, High float64 }{lo, c.yerr[i]})
			}
		}
		if len(xy) == 0 {
			continue
		}
		col := color.Color(color.Gray{Y: 110})
		switch {
		case c.color >= 0:
			col = plotutil.Color(c.color)
		case c.color == -2:
			col = color.Black
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = col
		l.Width = vg.Points(1.2)
		switch c.dash {
		case 1:
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		case 2:
			l.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
		}
		p.Add(l)
		if !c.points {
			if c.name != "" {
				p.Legend.Add(c.name, l)
			}
			continue
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.Color = col
		s.Shape = plotutil.Shape(max(c.color, 0))
		p.Add(s)
		if errs != nil {
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{xy, errs})
			if err != nil {
				return err
			}
			eb.Color = col
			p.Add(eb)
		}
		if c.name != "" {
			p.Legend.Add(c.name, l, s)
		}
	}
	for _, ext := range []string{".svg", ".png"} {
		if err := p.Save(6*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, base+ext)); err != nil {
			return err
		}
	}
	return nil
}
