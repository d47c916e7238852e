package wrapper

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/migrate"
)

// importSynopsis is the import command's usage line.
const importSynopsis = "import nssm NAME | winsw FILE.xml [--out FILE] [--replace]"

// maxXML bounds the WinSW file read: a configuration is a few kilobytes.
const maxXML = 1 << 20

// cmdImport turns an NSSM service or a WinSW XML into the wrapper's YAML,
// prints it or writes it to --out, lists on stderr what it could not map,
// and with --replace runs the old service with the wrapper.
func cmdImport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("import", importSynopsis, stdout)
	out := fs.String("out", "", "write the YAML to `file`, which must not exist (default: print it)")
	replace := fs.Bool("replace", false, "Windows: then run the old service with the wrapper and that YAML (needs --out)")
	n := 0 // the kind and its target come first, the flags after them
	for n < 2 && n < len(args) && !strings.HasPrefix(args[n], "-") {
		n++
	}
	if code, done := parseFlags(fs, args[n:], stderr); done {
		return code
	}
	if n != 2 || args[0] != "nssm" && args[0] != "winsw" {
		fmt.Fprintf(stderr, "wrapper import: want nssm NAME or winsw FILE.xml\nUsage: wrapper %s\n", importSynopsis)
		return ExitUsage
	}
	kind, target := args[0], args[1]
	switch {
	case *replace && *out == "":
		fmt.Fprintln(stderr, "wrapper import: --replace needs --out FILE: the YAML is written, and checked, before the service changes")
		return ExitUsage
	case runtime.GOOS != "windows" && *replace:
		fmt.Fprintln(stderr, "wrapper import: --replace needs Windows (the service is the SCM's)")
		return ExitUsage
	case runtime.GOOS != "windows" && kind == "nssm":
		fmt.Fprintln(stderr, "wrapper import: nssm needs Windows (NSSM keeps a service's settings in the registry)")
		return ExitUsage
	}
	im := importer{out: *out, stdout: stdout, stderr: stderr}
	if code := im.load(kind, target); code != ExitOK {
		return code
	}
	cfg, code := im.write()
	if code != ExitOK || !*replace {
		return code
	}
	if cfg == nil {
		fmt.Fprintf(stderr, "wrapper import: --replace refused: %s does not load; fix it, then switch the service by hand "+
			"(docs/windows.md, \"Replacing by hand\")\n", im.out)
		return ExitUsage
	}
	if !strings.EqualFold(cfg.Name, im.s.OldName) {
		fmt.Fprintf(stderr, "wrapper import: --replace refused: the YAML names the service %q, the SCM %q\n", cfg.Name, im.s.OldName)
		return ExitUsage
	}
	return replaceService(im.s.OldName, cfg.File, cfg.Log.Dir, stdout, stderr)
}

// importer holds one import in progress.
type importer struct {
	out            string // --out, made absolute; "" prints
	stdout, stderr io.Writer
	exe            string
	s              migrate.Service
	source         string // the header's first comment line
}

// load reads and maps the old configuration into im.s.
func (im *importer) load(kind, target string) int {
	var err error
	if im.exe, err = executable(); err != nil {
		fmt.Fprintf(im.stderr, "wrapper import: %v\n", err)
		return ExitError
	}
	configDir := ""
	if im.out != "" {
		if im.out, err = filepath.Abs(im.out); err != nil {
			fmt.Fprintf(im.stderr, "wrapper import: --out: %v\n", err)
			return ExitUsage
		}
		configDir = filepath.Dir(im.out)
	}
	keep := []string{im.exe}
	if kind == "nssm" {
		keys, err := migrate.ReadNSSM(target)
		if err == nil {
			im.s, err = migrate.NSSM(keys, migrate.NSSMOptions{ConfigDir: configDir, Keep: keep})
		}
		if err != nil {
			fmt.Fprintf(im.stderr, "wrapper import: %v\n", err)
		}
		switch {
		case errors.Is(err, migrate.ErrNoService):
			return ExitNotRunning
		case errors.Is(err, migrate.ErrNotNSSM):
			return ExitUsage
		case err != nil:
			return ExitError // the registry could not be read
		}
		im.source = fmt.Sprintf("Imported by wrapper import from the NSSM service %s (its registry values).", target)
		return ExitOK
	}
	data, path, err := readXML(target)
	if err == nil {
		im.s, err = migrate.WinSW(data, migrate.WinSWOptions{Dir: filepath.Dir(path),
			BaseName: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), ConfigDir: configDir, Keep: keep})
	}
	if err != nil {
		fmt.Fprintf(im.stderr, "wrapper import: %s: %v\n", target, err)
		return ExitUsage
	}
	im.source = fmt.Sprintf("Imported by wrapper import from the WinSW configuration %s.", path)
	return ExitOK
}

// readXML reads a WinSW file, of at most maxXML bytes, and returns it with
// its absolute path.
func readXML(name string) ([]byte, string, error) {
	path, err := filepath.Abs(name)
	if err != nil {
		return nil, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxXML+1))
	if err == nil && len(data) > maxXML {
		err = fmt.Errorf("larger than %d bytes: not a WinSW configuration", maxXML)
	}
	return data, path, err
}

// write lists what was not mapped, prints or writes the YAML, and loads
// it with the wrapper's loader. cfg is nil when it does not load (which is
// reported, not an error: the user edits the file next).
func (im *importer) write() (*config.Config, int) {
	for _, u := range im.s.Unmapped {
		fmt.Fprintf(im.stderr, "wrapper import: not imported: %s\n", u)
	}
	for _, n := range im.s.Notes {
		fmt.Fprintf(im.stderr, "wrapper import: note: %s\n", n)
	}
	yaml := migrate.Render(im.s, im.source)
	path := im.out
	if path == "" {
		_, _ = im.stdout.Write(yaml)
		wd, _ := os.Getwd()
		path = filepath.Join(wd, im.s.Name+".yaml") // for BASE and messages
	} else if err := writeNew(path, yaml); err != nil {
		fmt.Fprintf(im.stderr, "wrapper import: %v\n", err)
		return nil, ExitUsage
	}
	cfg, err := config.Parse(path, yaml, configOptions(im.exe))
	if err != nil {
		fmt.Fprintf(im.stderr, "wrapper import: warning: as written, the YAML does not load on this machine:\n")
		reportConfigError(im.stderr, err)
		cfg = nil
	}
	if im.out != "" {
		fmt.Fprintf(im.stdout, "wrote %s: %d settings not imported, %d approximated (listed at its top); check it with: wrapper validate --config %s\n",
			im.out, len(im.s.Unmapped), len(im.s.Notes), im.out)
	}
	return cfg, ExitOK
}

// writeNew writes data to path, which must not exist: an import never
// overwrites a YAML someone may have edited.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: remove it or choose another --out", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
