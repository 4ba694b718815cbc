package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
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
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	listener, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, err
	}
	e := New(cfg)
	s := &Server{
		Emulator: e,
		httpServer: &http.Server{
			Handler:           e,
			ReadHeaderTimeout: 10 * time.Second,
		},
		url: "http://" + listener.Addr().String(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopScheduler = cancel
	if cfg.SchedulerInterval > 0 {
		s.running.Go(func() { e.runScheduler(ctx, cfg.SchedulerInterval) })
	}
	s.running.Go(func() { _ = s.httpServer.Serve(listener) })
	return s, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
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
