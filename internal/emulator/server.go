package emulator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"time"
)

// Server is an Emulator listening on a loopback port, Builder at the root and Evolux under /api/v1/.
type Server struct {
	*Emulator

	httpServer    *http.Server
	url           string
	stopScheduler context.CancelFunc
	running       sync.WaitGroup // the scheduler and the server
	closeOnce     sync.Once
	closeErr      error
}

// Start serves a new emulator on a free port of 127.0.0.1.
func Start(cfg Config) (*Server, error) { return StartOn(cfg, "127.0.0.1:0") }

// StartOn serves a new emulator on addr, which must be loopback: the emulator takes well-known passwords.
func StartOn(cfg Config, addr string) (*Server, error) {
	if err := cmp.Or(cfg.Validate(), checkLoopback(addr)); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	listener, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, err
	}
	e := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Emulator: e, httpServer: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second},
		url: "http://" + listener.Addr().String(), stopScheduler: cancel}
	if cfg.SchedulerInterval > 0 {
		s.running.Go(func() {
			for sleepContext(ctx, cfg.SchedulerInterval) {
				e.AdvanceSchedule(time.Now())
			}
		})
	}
	s.running.Go(func() { _ = s.httpServer.Serve(listener) })
	return s, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("emulator address %q: refusing to listen beyond loopback (use 127.0.0.1, ::1 or localhost): the emulator accepts well-known credentials", addr)
}

// URL is the origin of both APIs, such as "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// Close stops the scheduler and the server at once, cutting off requests in flight.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.stopScheduler()
		s.closeErr = s.httpServer.Close()
		s.running.Wait()
	})
	return s.closeErr
}

// Shutdown stops the scheduler and the server, waiting for requests in flight until ctx ends, then closes.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopScheduler()
	err := s.httpServer.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.Close())
	}
	s.running.Wait()
	return err
}

// Transport serves requests in this process, with no socket. Faults keep their meaning: FaultDropAfter and
// FaultSlow do the work, then fail the round trip at once; FaultRefused and FaultDropBefore serve nothing.
func (e *Emulator) Transport() http.RoundTripper { return inProcess{e} }

type inProcess struct{ e *Emulator }

// errTimedOut is what a client sees when the answer comes after its timeout.
type errTimedOut struct{}

func (errTimedOut) Error() string   { return "timeout awaiting response headers" }
func (errTimedOut) Timeout() bool   { return true }
func (errTimedOut) Temporary() bool { return true }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	kind, _ := req.Context().Value(faultKey{}).(FaultKind)
	switch kind {
	case FaultRefused:
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	case FaultDropBefore:
		return nil, io.ErrUnexpectedEOF
	case FaultDropAfter, FaultSlow:
		req = req.WithContext(WithFault(req.Context(), faultNone)) // served whole, then lost
	}
	served := req.Clone(req.Context())
	served.Body, served.Host = cmp.Or(served.Body, io.ReadCloser(http.NoBody)), cmp.Or(served.Host, req.URL.Host)
	served.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	if aborted := serveRecovering(t.e, rec, served); aborted || kind == FaultDropAfter {
		return nil, io.ErrUnexpectedEOF
	}
	if kind == FaultSlow {
		return nil, errTimedOut{}
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// serveRecovering serves r, reporting a handler that aborted the answer (a queued or random dropped connection).
func serveRecovering(e *Emulator, w http.ResponseWriter, r *http.Request) (aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			aborted = true
		}
	}()
	e.ServeHTTP(w, r)
	return false
}
