package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// torchScript is bench/pytorch/flowkern_torch.py, the one PyTorch peer of
// the repository (its serve command times workloads on request); embedded
// so that the bench runs from any directory.
//
//go:embed pytorch/flowkern_torch.py
var torchScript []byte

// torchHowTo is the line the report prints when PyTorch is missing.
const torchHowTo = "to add it, `apt-get install python3-torch python3-numpy` (Debian; then /usr/bin/python3 has torch) " +
	"or set FLOWKERN_PYTHON to an interpreter that has torch and numpy; `apt-get install libopenblas0-pthread` gives PyTorch its best BLAS"

// pyEnv is an interpreter that imports torch, with the environment the
// peer runs in, and a directory holding the script and the model files.
type pyEnv struct {
	python, version string
	blas            string   // the BLAS libraries the peer loaded
	env             []string // added to the process's environment
	dir             string
}

// openblasDir is Debian's threaded OpenBLAS (libopenblas0-pthread); the
// system's libblas alternative may point to the reference BLAS instead.
const openblasDir = "/usr/lib/x86_64-linux-gnu/openblas-pthread"

// torchEnv is the environment of bench/pytorch/compare.sh at one thread:
// torch's own threads set to 1, OpenBLAS's off (they fight torch's),
// libgomp's barriers passive (spinning burns CPU time on a shared machine),
// Debian's OpenBLAS when installed, and its AVX-512 kernels on a CPU that
// has them (OpenBLAS 0.3.21 does not know Zen 5 and picks its AVX2 ones);
// FLOWKERN_OPENBLAS_CORETYPE overrides that choice.
func torchEnv(usable []string) []string {
	env := []string{"OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "OMP_WAIT_POLICY=PASSIVE"}
	if _, err := os.Stat(filepath.Join(openblasDir, "libblas.so.3")); err == nil {
		lib := openblasDir
		if old := os.Getenv("LD_LIBRARY_PATH"); old != "" {
			lib += ":" + old
		}
		env = append(env, "LD_LIBRARY_PATH="+lib)
		if ct := os.Getenv("FLOWKERN_OPENBLAS_CORETYPE"); ct != "" {
			env = append(env, "OPENBLAS_CORETYPE="+ct)
		} else if slices.Contains(usable, "avx512") {
			env = append(env, "OPENBLAS_CORETYPE=SkylakeX")
		}
	}
	return env
}

// findTorch returns the first interpreter that imports torch and numpy:
// FLOWKERN_PYTHON if set, else /usr/bin/python3 (Debian's python3-torch),
// else python3 on the PATH; or nil and why not.
func findTorch() (*pyEnv, string) {
	cands := []string{"/usr/bin/python3", "python3"}
	if p := os.Getenv("FLOWKERN_PYTHON"); p != "" {
		cands = []string{p}
	}
	env := torchEnv(usableTiers())
	var why []string
	for _, c := range cands {
		path, err := exec.LookPath(c)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: not found", c))
			continue
		}
		cmd := exec.Command(path, "-c", "import numpy, torch; print(torch.__version__)")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %s", c, lastLine(out, err)))
			continue
		}
		dir, err := os.MkdirTemp("", "flowkern-bench-torch")
		if err != nil {
			return nil, err.Error()
		}
		if err := os.WriteFile(filepath.Join(dir, "flowkern_torch.py"), torchScript, 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, err.Error()
		}
		return &pyEnv{python: path, version: strings.TrimSpace(string(out)), env: env, dir: dir}, ""
	}
	return nil, "no Python with torch and numpy (" + strings.Join(why, "; ") + ")"
}

// lastLine is the last non-empty line of a command's output (the error of
// a Python traceback), or err.
func lastLine(out []byte, err error) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

func (p *pyEnv) describe() string {
	return fmt.Sprintf("%s, torch %s, BLAS %s, environment %s", p.python, p.version, p.blas, strings.Join(p.env, " "))
}

func (p *pyEnv) tempPath(name string) string { return filepath.Join(p.dir, name) }

func (p *pyEnv) cleanup() { os.RemoveAll(p.dir) }

// torchPeer is one `flowkern_torch.py serve` process: it has loaded one
// model and times its workloads when asked.
type torchPeer struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Scanner
	stderr bytes.Buffer
	closed bool
}

// peerError is a failure of the PyTorch peer: the section goes on without
// it and says why.
type peerError struct{ err error }

func (e peerError) Error() string { return "PyTorch peer: " + e.err.Error() }
func (e peerError) Unwrap() error { return e.err }

// serve starts the peer with the serve command's arguments and waits until
// it has loaded its model.
func (p *pyEnv) serve(args ...string) (*torchPeer, error) {
	t, err := p.start(args)
	if err != nil {
		return nil, peerError{err}
	}
	return t, nil
}

func (p *pyEnv) start(args []string) (*torchPeer, error) {
	t := &torchPeer{}
	t.cmd = exec.Command(p.python, append([]string{filepath.Join(p.dir, "flowkern_torch.py"), "serve", "--threads", "1"}, args...)...)
	t.cmd.Env = append(os.Environ(), p.env...)
	t.cmd.Stderr = &t.stderr
	var err error
	if t.in, err = t.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := t.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	t.out = bufio.NewScanner(out)
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	var ready struct {
		Ready bool
		BLAS  string `json:"blas"`
	}
	if err := t.reply(&ready); err != nil || !ready.Ready {
		t.close()
		return nil, fmt.Errorf("did not start: %v", err)
	}
	p.blas = ready.BLAS
	return t, nil
}

// reply reads one JSON line into v.
func (t *torchPeer) reply(v any) error {
	if !t.out.Scan() {
		t.close() // Wait: stderr is complete after it
		msg := strings.TrimSpace(t.stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Errorf("exited: %s", msg)
	}
	var e struct{ Error string }
	line := t.out.Bytes()
	if err := json.Unmarshal(line, &e); err != nil {
		return fmt.Errorf("%q: %v", line, err)
	}
	if e.Error != "" {
		return errors.New(e.Error)
	}
	return json.Unmarshal(line, v)
}

// send writes one command and reads its reply into v.
func (t *torchPeer) send(v any, format string, args ...any) error {
	if _, err := fmt.Fprintf(t.in, format+"\n", args...); err != nil {
		return peerError{err}
	}
	if err := t.reply(v); err != nil {
		return peerError{err}
	}
	return nil
}

// warm runs one untimed call of work.
func (t *torchPeer) warm(work string) error {
	var ok struct{ OK bool }
	return t.send(&ok, "warm %s", work)
}

// time runs work until it has used minCPU of its process's CPU time (at
// least once) and returns its rate per CPU second.
func (t *torchPeer) time(work string, minCPU time.Duration) (float64, error) {
	var r struct {
		Rate float64 `json:"per_cpu_s"`
	}
	err := t.send(&r, "time %s %g 1", work, minCPU.Seconds())
	return r.Rate, err
}

func (t *torchPeer) close() {
	if t.closed {
		return
	}
	t.closed = true
	fmt.Fprintln(t.in, "quit")
	t.in.Close()
	t.cmd.Wait()
}
