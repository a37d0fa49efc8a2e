package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// writePlots draws GFLOP/s against size for every kernel and precision (one
// line per implementation) and a roofline of our best tier, as SVG files in
// dir, and returns their names.
func writePlots(dir string, r *Report) ([]string, error) {
	var names []string
	type key struct{ kernel, prec string }
	var keys []key
	for _, x := range r.Results {
		if k := (key{x.Kernel, x.Prec}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s %s", k.kernel, k.prec)
		p.X.Label.Text = "n (elements)"
		p.Y.Label.Text = "GFLOP/s"
		p.X.Scale = plot.LogScale{}
		for _, x := range r.Results {
			if x.Kernel == k.kernel && x.Prec == k.prec && x.Unit == "Gelem/s" {
				p.Y.Label.Text = "Gelem/s"
			}
		}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Legend.Top = true
		lines := map[string]plotter.XYs{}
		var order []string
		for _, x := range r.Results {
			if x.Kernel == k.kernel && x.Prec == k.prec {
				if _, ok := lines[x.Impl]; !ok {
					order = append(order, x.Impl)
				}
				lines[x.Impl] = append(lines[x.Impl], plotter.XY{X: float64(x.N), Y: x.GFLOPS})
			}
		}
		var args []any
		for _, im := range order {
			args = append(args, im, lines[im])
		}
		if err := plotutil.AddLinePoints(p, args...); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%s_%s.svg", k.kernel, k.prec)
		if err := p.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, name)); err != nil {
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

// writeRoofline plots every result of the best tier at its arithmetic
// intensity, under the roofs min(peak, intensity x bandwidth).
func writeRoofline(dir string, r *Report) (string, error) {
	m := r.Machine
	best := bestTier(m)
	peaks, ok := m.PeakGFLOPS[best]
	if !ok || m.BandwidthOne == 0 {
		return "", nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("roofline, %s, one core", best)
	p.X.Label.Text = "arithmetic intensity (flop/byte)"
	p.Y.Label.Text = "GFLOP/s"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	for i, prec := range []string{"float64", "float32"} {
		var roof plotter.XYs
		for e := -5.0; e <= 5; e += 0.25 {
			ai := math.Pow(2, e)
			roof = append(roof, plotter.XY{X: ai, Y: min(peaks[prec], ai*m.BandwidthOne)})
		}
		l, err := plotter.NewLine(roof)
		if err != nil {
			return "", err
		}
		l.Color = plotutil.Color(i)
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(l)
		p.Legend.Add("roof "+prec, l)
		var pts plotter.XYs
		for _, x := range r.Results {
			if x.Impl == best && x.Prec == prec && x.Bytes > 0 && x.Unit != "Gelem/s" {
				pts = append(pts, plotter.XY{X: float64(x.Flops) / float64(x.Bytes), Y: x.GFLOPS})
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
		p.Add(s)
		p.Legend.Add(best+" "+prec+" kernels", s)
	}
	name := "roofline.svg"
	return name, p.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, name))
}
