package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMain lets the tests run main itself: the test binary re-executed with
// LINDIFF_RUN_MAIN=1 is the command.
func TestMain(m *testing.M) {
	if os.Getenv("LINDIFF_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runMain runs the command in a child process and returns its exit status.
func runMain(t *testing.T, args ...string) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skip("no test executable path:", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "LINDIFF_RUN_MAIN=1")
	cmd.Dir = t.TempDir()
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Skip("cannot run the test binary:", err)
	return -1
}

// TestHelpExitsZero: asking for the usage is not an error (it exited 1).
func TestHelpExitsZero(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		if got := runMain(t, arg); got != 0 {
			t.Errorf("lindiff %s exited %d, want 0", arg, got)
		}
	}
	if got := runMain(t, "-nosuchflag"); got != 1 {
		t.Errorf("lindiff -nosuchflag exited %d, want 1", got)
	}
	if got := runMain(t); got != 1 {
		t.Errorf("lindiff without -exp exited %d, want 1", got)
	}
}

// TestDefaultOutIgnored: a run with the default -out inside the repository
// must not leave files git sees (CI's freshness step fails on any).
func TestDefaultOutIgnored(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout:", err)
	}
	// The command run from the root (go run ./cmd/lindiff) or from its folder.
	for _, p := range []string{defaultOut + "/synthetic/kl.csv", "cmd/lindiff/" + defaultOut + "/kl.csv"} {
		cmd := exec.Command(git, "check-ignore", "-q", "--no-index", p)
		cmd.Dir = root
		if err := cmd.Run(); err != nil {
			t.Errorf("git check-ignore %s: %v: the default output folder is not ignored", p, err)
		}
	}
}
