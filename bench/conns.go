package bench

import (
	"bufio"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// clientPorts is the set of local ports of the TCP sockets on this machine
// whose remote end is the emulator's port (any state: open, or waiting to
// close after a process exited). Two snapshots around a command tell how
// many connections it opened: keep-alive makes that the number of requests
// in flight at once, not the number of requests. Linux only; nil elsewhere.
func clientPorts(emulatorURL string) map[string]bool {
	u, err := url.Parse(emulatorURL)
	if err != nil {
		return nil
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return nil
	}
	remote := strings.ToUpper(strconv.FormatInt(int64(port), 16))
	for len(remote) < 4 {
		remote = "0" + remote
	}
	ports := map[string]bool{}
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		scanner := bufio.NewScanner(f)
		for scanner.Scan() {
			// sl local_address rem_address st ...
			fields := strings.Fields(scanner.Text())
			if len(fields) < 4 || !strings.HasSuffix(fields[2], ":"+remote) {
				continue
			}
			ports[fields[1]] = true
		}
		_ = f.Close()
	}
	return ports
}

// newPorts counts the ports in after that were not in before.
func newPorts(before, after map[string]bool) int {
	n := 0
	for port := range after {
		if !before[port] {
			n++
		}
	}
	return n
}
