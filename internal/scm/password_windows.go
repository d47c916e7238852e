package scm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/windows"
)

// PromptPassword reads a password from the console without echoing it.
func PromptPassword(stdin *os.File, stderr io.Writer, account string) (string, error) {
	h := windows.Handle(stdin.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return "", errors.New("no console to prompt on")
	}
	fmt.Fprintf(stderr, "Password for %s: ", account)
	_ = windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT)
	defer windows.SetConsoleMode(h, mode)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	fmt.Fprintln(stderr)
	if err != nil && line == "" {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
