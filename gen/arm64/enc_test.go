package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite "+tablePath+" with aarch64-linux-gnu-as")

const (
	tablePath = "testdata/encodings.txt"
	gnuAs     = "aarch64-linux-gnu-as"
	gnuObjd   = "aarch64-linux-gnu-objdump"
)

// wanted is every instruction the table must hold: the repertoire of the
// encoders and every WORD of the generated file, each once, in first-seen order.
func wanted() []Inst {
	var out []Inst
	seen := map[string]bool{}
	for _, in := range append(Repertoire(), allWords()...) {
		if !seen[in.Asm] {
			seen[in.Asm] = true
			out = append(out, in)
		}
	}
	return out
}

// readTable parses testdata/encodings.txt: "# comment" lines, then
// "<8 hex digits> <mnemonic>" lines.
func readTable(t *testing.T) map[string]uint32 {
	t.Helper()
	data, err := os.ReadFile(tablePath)
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]uint32{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		hex, mn, ok := strings.Cut(line, " ")
		w, err := strconv.ParseUint(hex, 16, 32)
		if !ok || err != nil || len(hex) != 8 {
			t.Fatalf("%s:%d: malformed line %q", tablePath, i+1, line)
		}
		if _, dup := table[mn]; dup {
			t.Fatalf("%s:%d: %q twice", tablePath, i+1, mn)
		}
		table[mn] = uint32(w)
	}
	return table
}

// assemble runs the GNU assembler on the mnemonics and returns, for each,
// the word and the disassembly objdump prints for it.
func assemble(t *testing.T, insts []Inst) (words []uint32, dis []string) {
	t.Helper()
	dir := t.TempDir()
	var src bytes.Buffer
	for _, in := range insts {
		src.WriteString(in.Asm + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "enc.s"), src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) []byte {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return out
	}
	run(gnuAs, "-o", "enc.o", "enc.s")
	out := run(gnuObjd, "-d", "enc.o")
	re := regexp.MustCompile(`^\s*[0-9a-f]+:\t([0-9a-f]{8}) \t(.*)$`)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		w, _ := strconv.ParseUint(m[1], 16, 32)
		words = append(words, uint32(w))
		dis = append(dis, strings.Replace(m[2], "\t", " ", 1))
	}
	if len(words) != len(insts) {
		t.Fatalf("objdump listed %d instructions for %d mnemonics", len(words), len(insts))
	}
	return words, dis
}

func needGNU(t *testing.T) {
	t.Helper()
	for _, tool := range []string{gnuAs, gnuObjd} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH (Debian: apt-get install binutils-aarch64-linux-gnu); "+
				"not re-assembling, TestEncodingTable still checks the committed table", tool)
		}
	}
}

// TestEncodingTable checks every encoder output the emitter can produce and
// every WORD of the generated file against testdata/encodings.txt. With
// -update it first rewrites the table from aarch64-linux-gnu-as.
func TestEncodingTable(t *testing.T) {
	if *update {
		writeTable(t)
	}
	table := readTable(t)
	want := wanted()
	for _, in := range want {
		w, ok := table[in.Asm]
		switch {
		case !ok:
			t.Errorf("%q (encoder 0x%08x) is not in %s; run go test ./gen/arm64 -run TestEncodingTable -update", in.Asm, in.Word, tablePath)
		case w != in.Word:
			t.Errorf("%q: encoder gives 0x%08x, the table (GNU as) 0x%08x", in.Asm, in.Word, w)
		}
	}
	if len(table) != len(want) {
		t.Errorf("%s has %d entries, the emitter produces %d instructions: stale table", tablePath, len(table), len(want))
	}
}

func writeTable(t *testing.T) {
	needGNU(t)
	insts := wanted()
	words, dis := assemble(t, insts)
	version, err := exec.Command(gnuAs, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `# Encodings of every instruction gen/arm64 can emit as WORD: each register
# field of each encoder form swept through 0..31, plus every WORD of
# the generated asm/*_arm64.s. The words come from the GNU assembler, not from enc.go.
#
# Made by: go test ./gen/arm64 -run TestEncodingTable -update
# which writes the mnemonics below, one per line in this order, to enc.s and runs
#   %s -o enc.o enc.s
#   %s -d enc.o
# with %s
#
# <word, hex> <mnemonic>
`, gnuAs, gnuObjd, strings.TrimSpace(strings.SplitN(string(version), "\n", 2)[0]))
	for i, in := range insts {
		if dis[i] != in.Asm {
			t.Fatalf("objdump disassembles %q as %q", in.Asm, dis[i])
		}
		fmt.Fprintf(&b, "%08x %s\n", words[i], in.Asm)
	}
	if err := os.WriteFile(tablePath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReassemble assembles every instruction the emitter can produce with
// the GNU assembler and compares the words with the encoders, and the
// disassembly with the mnemonic.
func TestReassemble(t *testing.T) {
	needGNU(t)
	insts := wanted()
	words, dis := assemble(t, insts)
	for i, in := range insts {
		if words[i] != in.Word {
			t.Errorf("%q: encoder gives 0x%08x, %s 0x%08x", in.Asm, in.Word, gnuAs, words[i])
		}
		if dis[i] != in.Asm {
			t.Errorf("%q: %s disassembles 0x%08x as %q", in.Asm, gnuObjd, words[i], dis[i])
		}
	}
}

// generateSet runs the generator for one set.
func generateSet(name string) *asmFile {
	a := &asmFile{}
	sets[name](a)
	return a
}

// allWords lists every WORD instruction of every set.
func allWords() []Inst {
	var ws []Inst
	for _, name := range setNames() {
		ws = append(ws, generateSet(name).words...)
	}
	return ws
}

// TestGeneratedFiles checks that asm/<set>_arm64.s and asm/<set>_arm64.go are
// what the generator writes now, and that every WORD in the committed
// assembly carries its mnemonic and the table's encoding of it.
func TestGeneratedFiles(t *testing.T) {
	for _, name := range setNames() {
		t.Run(name, func(t *testing.T) { testGeneratedSet(t, name) })
	}
}

func testGeneratedSet(t *testing.T, name string) {
	asmPath := filepath.Join("..", "..", "asm", name+"_arm64.s")
	stubsPath := filepath.Join("..", "..", "asm", name+"_arm64.go")
	a := generateSet(name)
	stubs, err := a.stubs("asm")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		want []byte
	}{{asmPath, a.assembly()}, {stubsPath, stubs}} {
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.want) {
			t.Errorf("%s is stale: run go generate ./asm/", f.path)
		}
	}

	table := readTable(t)
	src, err := os.ReadFile(asmPath)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\tWORD\t\$0x([0-9a-f]{8}) // (.+)$`)
	n := 0
	for i, line := range strings.Split(string(src), "\n") {
		if !strings.Contains(line, "WORD") {
			continue
		}
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("%s:%d: WORD without its mnemonic: %q", asmPath, i+1, line)
			continue
		}
		w, _ := strconv.ParseUint(m[1], 16, 32)
		if tw, ok := table[m[2]]; !ok || tw != uint32(w) {
			t.Errorf("%s:%d: %q is 0x%s, the table says 0x%08x (present: %v)", asmPath, i+1, m[2], m[1], tw, ok)
		}
		n++
	}
	if n != len(a.words) {
		t.Errorf("%s has %d WORDs, the generator %d", asmPath, n, len(a.words))
	}
}
