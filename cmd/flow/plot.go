package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowkern/flowkern/models/flow"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// savePlot writes p to path in the format of its extension (svg, png,
// pdf, ...), atomically.
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	wt, err := p.WriterTo(w, h, format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFile(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// writeLossCurves writes the training loss and validation NLL per epoch to
// base.svg, base.png and base.csv.
func writeLossCurves(base string, h flow.History, title string) error {
	rows := make([][]string, len(h.Loss))
	var tr, va plotter.XYs
	for i, l := range h.Loss {
		v := math.NaN()
		if i < len(h.ValNLL) {
			v = h.ValNLL[i]
			va = append(va, plotter.XY{X: float64(i + 1), Y: v})
		}
		tr = append(tr, plotter.XY{X: float64(i + 1), Y: l})
		rows[i] = []string{strconv.Itoa(i + 1), fmtG(l), fmtG(v)}
	}
	err := writeFile(base+".csv", func(w io.Writer) error {
		fmt.Fprintln(w, "epoch,train_nll,val_nll")
		for _, r := range rows {
			fmt.Fprintln(w, strings.Join(r, ","))
		}
		return nil
	})
	if err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "negative log-likelihood (nats per sample)"
	p.Add(plotter.NewGrid())
	for i, c := range []struct {
		name string
		xy   plotter.XYs
	}{{"training loss (epoch mean)", tr}, {"validation NLL (end of epoch)", va}} {
		if len(c.xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(c.xy)
		if err != nil {
			return err
		}
		l.Color, s.Color = plotutil.Color(i), plotutil.Color(i)
		s.Shape = plotutil.Shape(i)
		p.Add(l, s)
		p.Legend.Add(c.name, l, s)
	}
	if h.Best >= 0 && h.Best < len(h.ValNLL) {
		best, err := plotter.NewScatter(plotter.XYs{{X: float64(h.Best + 1), Y: h.ValNLL[h.Best]}})
		if err != nil {
			return err
		}
		best.Shape = draw.CircleGlyph{}
		best.Radius = vg.Points(4)
		best.Color = color.RGBA{R: 200, A: 255}
		p.Add(best)
		p.Legend.Add("kept (best validation)", best)
	}
	for _, ext := range []string{".svg", ".png"} {
		if err := savePlot(p, 6*vg.Inch, 4*vg.Inch, base+ext); err != nil {
			return err
		}
	}
	return nil
}

// fmtG formats a number for CSV output.
func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

// scatterPlot writes the rows of a 2-column table as a scatter plot.
func scatterPlot(path string, t table, title string) error {
	xy := make(plotter.XYs, t.rows)
	for i := range xy {
		xy[i] = plotter.XY{X: t.data[2*i], Y: t.data[2*i+1]}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x0"
	p.Y.Label.Text = "x1"
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	s.Radius = vg.Points(1)
	s.Shape = draw.CircleGlyph{}
	s.Color = color.RGBA{R: 30, G: 80, B: 160, A: 255}
	p.Add(s)
	return savePlot(p, 5*vg.Inch, 5*vg.Inch, path)
}

// imageGrid writes the rows of t (side x side images, values in [0, 1],
// clipped) as a PNG grid of tiles, each pixel drawn as scale x scale.
func imageGrid(path string, t table, side, scale int) error {
	if !strings.EqualFold(filepath.Ext(path), ".png") {
		return fmt.Errorf("%s: an image grid is written as PNG (name it .png)", path)
	}
	cols := int(math.Ceil(math.Sqrt(float64(t.rows))))
	rows := (t.rows + cols - 1) / cols
	const gap = 2
	tile := side*scale + gap
	img := image.NewGray(image.Rect(0, 0, cols*tile+gap, rows*tile+gap))
	for i := range img.Pix {
		img.Pix[i] = 96
	}
	for k := range t.rows {
		x0, y0 := gap+(k%cols)*tile, gap+(k/cols)*tile
		for p, v := range t.row(k) {
			g := color.Gray{Y: uint8(math.Round(255 * min(max(v, 0), 1)))}
			for dy := range scale {
				for dx := range scale {
					img.SetGray(x0+(p%side)*scale+dx, y0+(p/side)*scale+dy, g)
				}
			}
		}
	}
	return writeFile(path, func(w io.Writer) error { return png.Encode(w, img) })
}
