// Package lineplot draws the line plots of the experiment commands
// (cmd/lindiff, cmd/theory): curves with optional markers and error bars,
// on linear or log axes, with gonum/plot.
package lineplot

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Curve is one line of a plot.
type Curve struct {
	Name   string // legend entry ("" for none)
	XY     plotter.XYs
	YErr   []float64 // standard errors, drawn as bars, or nil
	Points bool      // markers on the points
	Dash   int       // 0 solid, 1 dashed, 2 dotted
	Color  int       // plotutil palette index, -1 gray, -2 black
}

// Figure is a plot of curves.
type Figure struct {
	Title, XLabel, YLabel    string
	LogX, LogY               bool
	LegendLeft, LegendBottom bool
	LegendSize               vg.Length // 0: 8 points
	Curves                   []Curve
}

// LogTicks are gonum's log-axis ticks with labels rounded to three digits:
// 10^-5 computed in floating point would print as 9.999999999999999e-06.
type LogTicks struct{}

func (LogTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 3, 64)
		}
	}
	return ts
}

// Save draws the figure (6 x 4.5 inches) into each path, the format
// following its extension. Points a log axis cannot show (zero, negative)
// and non-finite values are left out.
func (f Figure) Save(paths ...string) error {
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	if f.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = LogTicks{}
	}
	if f.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = LogTicks{}
	}
	p.Legend.Top = !f.LegendBottom
	p.Legend.Left = f.LegendLeft
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	if f.LegendSize > 0 {
		p.Legend.TextStyle.Font.Size = f.LegendSize
	}
	p.Add(plotter.NewGrid())
	for _, c := range f.Curves {
		if err := f.add(p, c); err != nil {
			return err
		}
	}
	for _, path := range paths {
		if err := p.Save(6*vg.Inch, 4.5*vg.Inch, path); err != nil {
			return err
		}
	}
	return nil
}

// add draws one curve.
func (f Figure) add(p *plot.Plot, c Curve) error {
	var xy plotter.XYs
	var errs plotter.YErrors
	for i, q := range c.XY {
		if math.IsNaN(q.Y) || math.IsInf(q.Y, 0) || (f.LogX && !(q.X > 0)) || (f.LogY && !(q.Y > 0)) {
			continue
		}
		xy = append(xy, q)
		if c.YErr != nil {
			lo := c.YErr[i]
			if f.LogY {
				lo = min(lo, 0.9*q.Y) // keep the bar above zero
			}
			errs = append(errs, struct{ Low, High float64 }{lo, c.YErr[i]})
		}
	}
	if len(xy) == 0 {
		return nil
	}
	col := color.Color(color.Gray{Y: 110})
	switch {
	case c.Color >= 0:
		col = plotutil.Color(c.Color)
	case c.Color == -2:
		col = color.Black
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.Color = col
	l.Width = vg.Points(1.2)
	switch c.Dash {
	case 1:
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		l.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
	}
	p.Add(l)
	if !c.Points {
		if c.Name != "" {
			p.Legend.Add(c.Name, l)
		}
		return nil
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	s.Color = col
	s.Shape = plotutil.Shape(max(c.Color, 0))
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
	if c.Name != "" {
		p.Legend.Add(c.Name, l, s)
	}
	return nil
}
