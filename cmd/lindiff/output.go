package main

import (
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// writeCSV writes a header and rows to path.
func writeCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(rows) // flushes
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// g formats a number for the CSV files (NaN is written as NaN).
func g(v float64) string { return strconv.FormatFloat(v, 'g', 7, 64) }

// meanSE returns the mean of v and its standard error sd/sqrt(n) (0 for a
// single value: there is no spread to estimate).
func meanSE(v []float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	if len(v) < 2 {
		return mean, 0
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// logSlope is the least-squares slope of log y against log x over the
// points with both positive (NaN if fewer than two).
func logSlope(x, y []float64) float64 {
	var sx, sy, sxx, sxy, n float64
	for i := range x {
		if !(x[i] > 0 && y[i] > 0) {
			continue
		}
		lx, ly := math.Log(x[i]), math.Log(y[i])
		sx += lx
		sy += ly
		sxx += lx * lx
		sxy += lx * ly
		n++
	}
	if n < 2 {
		return math.NaN()
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// curve is one line of a plot: points (with optional error bars, drawn as
// markers) or a plain line (dashed when dash > 0).
type curve struct {
	name   string
	xy     plotter.XYs
	yerr   []float64 // standard errors, or nil
	points bool
	dash   int // 0 solid, 1 dashed, 2 dotted
	color  int // plotutil palette index, -1 for gray
}

// logTicks are gonum's log-axis ticks with labels rounded to three digits:
// 10^-5 computed in floating point would print as 9.999999999999999e-06.
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

// savePlot draws the curves on log-log axes (log x only if !logY), with the
// legend at the top right or, for falling curves, the bottom left, and
// saves the figure; the format follows the extension of path.
func savePlot(path, title, xlab, ylab string, logY, bottomLeft bool, curves []curve) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlab
	p.Y.Label.Text = ylab
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.Legend.Top = !bottomLeft
	p.Legend.Left = bottomLeft
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Add(plotter.NewGrid())
	for _, c := range curves {
		// A log axis cannot show zero or negative values: drop them.
		var xy plotter.XYs
		var errs plotter.YErrors
		for i, q := range c.xy {
			if !(q.X > 0) || (logY && !(q.Y > 0)) || math.IsNaN(q.Y) || math.IsInf(q.Y, 0) {
				continue
			}
			xy = append(xy, q)
			if c.yerr != nil {
				lo := c.yerr[i]
				if logY {
					lo = min(lo, 0.9*q.Y) // keep the bar above zero
				}
				errs = append(errs, struct{ Low, High float64 }{lo, c.yerr[i]})
			}
		}
		if len(xy) == 0 {
			continue
		}
		col := color.Color(color.Gray{Y: 110})
		if c.color >= 0 {
			col = plotutil.Color(c.color)
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
			p.Legend.Add(c.name, l)
			continue
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.Color = col
		s.Shape = plotutil.Shape(max(c.color, 0))
		p.Add(s)
		p.Legend.Add(c.name, l, s)
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
	}
	return p.Save(6*vg.Inch, 4.5*vg.Inch, path)
}

// saveGrid writes the rows of x (side x side images with values in [0, 1],
// clipped) as a PNG grid of square tiles, each pixel scaled up twice.
func saveGrid(path string, x *mat.Dense, side int) error {
	n, _ := x.Dims()
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	const scale, gap = 2, 2
	tile := side*scale + gap
	img := image.NewGray(image.Rect(0, 0, cols*tile+gap, rows*tile+gap))
	for i := range img.Pix {
		img.Pix[i] = 128 // gray separators
	}
	for k := range n {
		x0, y0 := gap+(k%cols)*tile, gap+(k/cols)*tile
		for p := range side * side {
			v := min(max(x.At(k, p), 0), 1)
			c := color.Gray{Y: uint8(math.Round(255 * v))}
			for dy := range scale {
				for dx := range scale {
					img.SetGray(x0+(p%side)*scale+dx, y0+(p/side)*scale+dy, c)
				}
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
