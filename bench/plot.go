package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The plots' text is set in Go Regular (golang.org/x/image/font/gofont),
// embedded in every SVG file, so that the plots render alike where no
// font of theirs is installed. It is the smallest font at hand (about
// 180 KB in an SVG, against 530 KB for gonum/plot's Liberation Serif), and
// each kernel family has one file, its precisions and batch sizes in
// panels, to keep the count of files (and copies of the font) low.
var (
	fontOnce sync.Once
	fontErr  error
)

const plotFont = "Go"

func useGoFont() error {
	fontOnce.Do(func() {
		f, err := opentype.Parse(goregular.TTF)
		if err != nil {
			fontErr = err
			return
		}
		font.DefaultCache.Add(font.Collection{{Font: font.Font{Typeface: plotFont}, Face: f}})
		plot.DefaultFont = font.Font{Typeface: plotFont}
		plotter.DefaultFont = font.Font{Typeface: plotFont}
	})
	return fontErr
}

// Sizes of a plot file: panels of panelW x panelH, and a strip at the right
// for the legend, which so never hides a line.
const (
	panelW  = 4.2 * vg.Inch
	panelH  = 3 * vg.Inch
	legendW = 1.7 * vg.Inch
)

// family is the plot file a kernel goes to: the vector kernels to vec, the
// vector math to vmath, the couplings to Coupling, a matrix kernel at any
// batch size to its name (MatVecs-batch=16 to MatVecs).
func family(kernel string) string {
	f, _, _ := strings.Cut(kernel, "-batch=")
	switch {
	case slices.Contains([]string{"Dot", "Axpy", "Sum", "Scale", "Add", "Mul"}, f):
		return "vec"
	case slices.ContainsFunc(vmathFuncs, func(v vmathFunc) bool { return v.name == f }):
		return "vmath"
	case strings.HasPrefix(f, "Coupling"):
		return "Coupling"
	}
	return f
}

// xLabel says what a case's size n is.
func xLabel(kernel string) string {
	switch {
	case strings.Contains(kernel, "-batch="):
		return "matrix side n (W is n x n)"
	case strings.HasPrefix(kernel, "Coupling"):
		return fmt.Sprintf("features n (%d rows)", couplingRows)
	}
	return "n (elements)"
}

// writePlots draws rate against size for every kernel family, one panel per
// kernel (batch size) and precision and one line per implementation, and a
// roofline of our best tier, as SVG files in dir, and returns their names.
func writePlots(dir string, r *Report) ([]string, error) {
	if len(r.Results) == 0 {
		return nil, nil
	}
	if err := useGoFont(); err != nil {
		return nil, err
	}
	type key struct{ kernel, prec string }
	var fams []string
	panels := map[string][]key{}
	for _, x := range r.Results {
		f, k := family(x.Kernel), key{x.Kernel, x.Prec}
		if !slices.Contains(fams, f) {
			fams = append(fams, f)
		}
		if !slices.Contains(panels[f], k) {
			panels[f] = append(panels[f], k)
		}
	}
	var names []string
	for _, f := range fams {
		// Rows by kernel, columns by precision.
		var kernels, precs, impls []string
		for _, k := range panels[f] {
			if !slices.Contains(kernels, k.kernel) {
				kernels = append(kernels, k.kernel)
			}
			if !slices.Contains(precs, k.prec) {
				precs = append(precs, k.prec)
			}
		}
		for _, x := range r.Results {
			if family(x.Kernel) == f && !slices.Contains(impls, x.Impl) {
				impls = append(impls, x.Impl)
			}
		}
		grid := make([][]*plot.Plot, len(kernels))
		leg := plot.NewLegend()
		inLegend := map[string]bool{}
		for i, kn := range kernels {
			grid[i] = make([]*plot.Plot, len(precs))
			for j, prec := range precs {
				lines := map[string]plotter.XYs{}
				unit := "GFLOP/s"
				for _, x := range r.Results {
					if x.Kernel == kn && x.Prec == prec {
						lines[x.Impl] = append(lines[x.Impl], plotter.XY{X: float64(x.N), Y: x.GFLOPS})
						if x.Unit != "" {
							unit = x.Unit
						}
					}
				}
				if len(lines) == 0 {
					continue
				}
				p := plot.New()
				p.Title.Text = kn + " " + prec
				p.X.Label.Text = xLabel(kn)
				p.Y.Label.Text = unit
				p.X.Scale = plot.LogScale{}
				p.X.Tick.Marker = sizeTicks(r.Results, kn, prec)
				p.Y.Min = 0
				for c, im := range impls {
					xy, ok := lines[im]
					if !ok {
						continue
					}
					l, s, err := plotter.NewLinePoints(xy)
					if err != nil {
						return nil, err
					}
					l.Color, s.Color = plotutil.Color(c), plotutil.Color(c)
					l.Dashes = plotutil.Dashes(c)
					s.Shape = plotutil.Shape(c)
					p.Add(l, s)
					if !inLegend[im] {
						inLegend[im] = true
						leg.Add(im, l, s)
					}
				}
				grid[i][j] = p
			}
		}
		name := f + ".svg"
		w, h := vg.Length(len(precs))*panelW+legendW, vg.Length(len(kernels))*panelH
		err := saveSVG(filepath.Join(dir, name), w, h, func(dc draw.Canvas) {
			area := draw.Crop(dc, 0, -legendW, 0, 0)
			tiles := draw.Tiles{Rows: len(kernels), Cols: len(precs), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
				PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2}
			cs := plot.Align(grid, tiles, area)
			for i := range grid {
				for j, p := range grid[i] {
					if p != nil {
						p.Draw(cs[i][j])
					}
				}
			}
			drawLegend(dc, w, legendW, leg)
		})
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	if name, err := writeRoofline(dir, r); err != nil {
		return nil, err
	} else if name != "" {
		names = append(names, name)
	}
	return names, nil
}

// sizeTicks labels the x axis of a kernel's panel at the sizes measured.
func sizeTicks(rs []Result, kernel, prec string) plot.ConstantTicks {
	var ns []int
	for _, x := range rs {
		if x.Kernel == kernel && x.Prec == prec && !slices.Contains(ns, x.N) {
			ns = append(ns, x.N)
		}
	}
	slices.Sort(ns)
	var ts plot.ConstantTicks
	for _, n := range ns {
		ts = append(ts, plot.Tick{Value: float64(n), Label: fmt.Sprint(n)})
	}
	return ts
}

// drawLegend draws leg in the strip of width lw at the right of a canvas of
// width w.
func drawLegend(dc draw.Canvas, w, lw vg.Length, leg plot.Legend) {
	leg.Top, leg.Left = true, true
	strip := draw.Crop(dc, w-lw+vg.Millimeter, -vg.Millimeter, 0, -vg.Millimeter*6)
	leg.Draw(strip)
}

// saveSVG writes an SVG file of w x h with the plot's font embedded.
func saveSVG(path string, w, h vg.Length, paint func(dc draw.Canvas)) error {
	c := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(true))
	paint(draw.New(c))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeRoofline plots every result of the best tier at its arithmetic
// intensity (flops per byte loaded), under the roofs min(peak, intensity x
// bandwidth of memory) and, dotted, min(peak, intensity x bandwidth of L1).
func writeRoofline(dir string, r *Report) (string, error) {
	m := r.Machine
	best := bestTier(m)
	peaks, ok := m.PeakGFLOPS[best]
	if !ok || m.BandwidthOne == 0 || len(m.BandwidthCurve) == 0 {
		return "", nil
	}
	if err := useGoFont(); err != nil {
		return "", err
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("roofline, %s, one core", best)
	p.X.Label.Text = "arithmetic intensity (flop per byte loaded)"
	p.Y.Label.Text = "GFLOP/s"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	leg := plot.NewLegend()
	l1 := m.BandwidthCurve[0].GBps
	for i, prec := range []string{"float64", "float32"} {
		for _, roof := range []struct {
			name string
			bw   float64
			dash []vg.Length
		}{{"memory", m.BandwidthOne, []vg.Length{vg.Points(4), vg.Points(2)}}, {"L1", l1, []vg.Length{vg.Points(1), vg.Points(2)}}} {
			var xy plotter.XYs
			for e := -5.0; e <= 5; e += 0.25 {
				ai := math.Pow(2, e)
				xy = append(xy, plotter.XY{X: ai, Y: min(peaks[prec], ai*roof.bw)})
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return "", err
			}
			l.Color = plotutil.Color(i)
			l.Dashes = roof.dash
			p.Add(l)
			leg.Add(fmt.Sprintf("roof %s, %s", prec, roof.name), l)
		}
		var pts plotter.XYs
		for _, x := range r.Results {
			if x.Impl == best && x.Prec == prec && x.Bytes > x.Written && x.Unit != "Gelem/s" {
				pts = append(pts, plotter.XY{X: float64(x.Flops) / float64(x.Bytes-x.Written), Y: x.GFLOPS})
			}
		}
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return "", err
		}
		s.Color = plotutil.Color(i)
		s.GlyphStyle.Color = color.Color(plotutil.Color(i))
		s.Shape = plotutil.Shape(i)
		p.Add(s)
		leg.Add(best+" "+prec+" kernels", s)
	}
	name := "roofline.svg"
	lw := 2.4 * vg.Inch
	w, h := 6*vg.Inch+lw, 4*vg.Inch
	return name, saveSVG(filepath.Join(dir, name), w, h, func(dc draw.Canvas) {
		p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
		drawLegend(dc, w, lw, leg)
	})
}
