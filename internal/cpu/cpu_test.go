package cpu

import (
	"strings"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

func TestParse(t *testing.T) {
	for _, tier := range Tiers {
		got, err := Parse(" " + strings.ToUpper(tier.String()) + " ")
		if err != nil || got != tier {
			t.Errorf("Parse(%q) = %v, %v", tier.String(), got, err)
		}
	}
	if _, err := Parse("avx3"); err == nil || !strings.Contains(err.Error(), "avx512") {
		t.Errorf("Parse(avx3) error %v should list the tiers", err)
	}
}

func TestSupportedNeedsFeatures(t *testing.T) {
	var none cpuid.CPUInfo
	if ok, why := supported(AVX2, "amd64", none); ok || !strings.Contains(why, "AVX2") {
		t.Errorf("AVX2 without features: %v %q", ok, why)
	}
	if ok, why := supported(AVX512, "arm64", none); ok || !strings.Contains(why, "amd64") {
		t.Errorf("AVX512 on arm64: %v %q", ok, why)
	}
	if ok, _ := supported(NEON, "arm64", none); !ok {
		t.Error("NEON must run on every arm64")
	}
	if ok, _ := supported(Generic, "riscv64", none); !ok {
		t.Error("generic must run everywhere")
	}
}

func TestSelect(t *testing.T) {
	only := func(ts ...Tier) func(Tier) bool {
		return func(t Tier) bool {
			for _, u := range ts {
				if u == t {
					return true
				}
			}
			return false
		}
	}
	all := only(Generic, AVX2, AVX512)
	cases := []struct {
		request string
		usable  func(Tier) bool
		want    Tier
		warns   bool
	}{
		{"", all, AVX512, false},
		{"", only(Generic, AVX2), AVX2, false},
		{"", only(Generic, NEON), NEON, false},
		{"avx2", all, AVX2, false},
		{"generic", all, Generic, false},
		{"AVX512", all, AVX512, false},
		{"avx512", only(Generic, AVX2), AVX2, true},
		{"neon", all, Generic, true},
		{"sse", all, Generic, true},
		{"avx2", only(Generic), Generic, true},
	}
	for _, c := range cases {
		got, warning := Select(c.request, c.usable)
		if got != c.want || (warning != "") != c.warns {
			t.Errorf("Select(%q) = %v, %q; want %v, warning %v", c.request, got, warning, c.want, c.warns)
		}
		if c.warns && !strings.Contains(warning, "running "+c.want.String()) {
			t.Errorf("Select(%q) warning %q does not say what runs", c.request, warning)
		}
	}
}
