package emulator

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
)

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
	if served.Body == nil {
		served.Body = http.NoBody
	}
	if served.Host == "" {
		served.Host = req.URL.Host
	}
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
