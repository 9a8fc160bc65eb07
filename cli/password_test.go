//go:build linux

package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: writing to master is typing at the
// terminal whose device is slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var n int
	var ioErr error
	if err := ctl(m, func(fd int) {
		if ioErr = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(fd, unix.TIOCGPTN)
		}
	}); err != nil || ioErr != nil {
		t.Fatalf("unlock pty: %v %v", err, ioErr)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty slave: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

func ctl(f *os.File, fn func(fd int)) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(func(fd uintptr) { fn(int(fd)) })
}

// echoOn reports whether the terminal echoes what is typed.
func echoOn(t *testing.T, f *os.File) bool {
	t.Helper()
	var on bool
	var ioErr error
	if err := ctl(f, func(fd int) {
		var tio *unix.Termios
		if tio, ioErr = unix.IoctlGetTermios(fd, unix.TCGETS); ioErr == nil {
			on = tio.Lflag&unix.ECHO != 0
		}
	}); err != nil || ioErr != nil {
		t.Fatalf("read termios: %v %v", err, ioErr)
	}
	return on
}

func TestPasswordFromTerminalWithoutEcho(t *testing.T) {
	master, slave := openPTY(t)
	var stderr bytes.Buffer
	g := &Globals{Stdin: slave, Stderr: &stderr}
	if _, err := master.Write([]byte("hunter22\n")); err != nil {
		t.Fatal(err)
	}
	pw, err := readPassword(context.Background(), g, "al\x1b[1mice")
	if err != nil || pw != "hunter22" {
		t.Fatalf("readPassword = %q, %v", pw, err)
	}
	if got := stderr.String(); got != "Password for alice: \n" {
		t.Errorf("prompt %q", got)
	}
	if !echoOn(t, slave) {
		t.Error("echo left off after the password was read")
	}
}

// ctrl+c while the password is asked for ends the command at once and puts
// the terminal's echo back.
func TestPasswordPromptInterrupted(t *testing.T) {
	_, slave := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := readPassword(ctx, &Globals{Stdin: slave, Stderr: &bytes.Buffer{}}, "alice")
		done <- err
	}()
	for echoOn(t, slave) { // wait until the prompt has turned echo off
		runtime.Gosched()
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted prompt returned %v", err)
	}
	if !echoOn(t, slave) {
		t.Fatal("echo left off after an interrupted prompt")
	}
}
