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
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/flowkern/flowkern/internal/lineplot"
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

// savePlot draws the curves on log-log axes (log x only if !logY), with the
// legend at the top right or, for falling curves, the bottom left, and
// saves the figure; the format follows the extension of path.
func savePlot(path, title, xlab, ylab string, logY, bottomLeft bool, curves []curve) error {
	f := lineplot.Figure{Title: title, XLabel: xlab, YLabel: ylab, LogX: true, LogY: logY,
		LegendLeft: bottomLeft, LegendBottom: bottomLeft, LegendSize: vg.Points(9)}
	for _, c := range curves {
		f.Curves = append(f.Curves, lineplot.Curve{Name: c.name, XY: c.xy, YErr: c.yerr, Points: c.points, Dash: c.dash, Color: c.color})
	}
	return f.Save(path)
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
