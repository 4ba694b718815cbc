package builder

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// A Mongo ObjectId: 4 bytes of big-endian Unix seconds, 5 random bytes fixed
// per process, and a 3-byte counter that starts at a random value.
var (
	objectIDProcess = randomBytes(5)
	objectIDCounter = func() *atomic.Uint32 {
		var counter atomic.Uint32
		counter.Store(binary.BigEndian.Uint32(randomBytes(4)))
		return &counter
	}()
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails: crypto/rand crashes the program instead
	return b
}

// NewObjectID returns a new Mongo ObjectId as 24 lowercase hexadecimal digits.
func NewObjectID() string { return newObjectIDAt(time.Now()) }

// NewCampaignID is a new campaign id made on the client's clock.
func (c *Client) NewCampaignID() string { return newObjectIDAt(c.http.Now()) }

// objectIDTime is when an ObjectId was made, by its first 4 bytes.
func objectIDTime(id string) (time.Time, bool) {
	if !ValidObjectID(strings.ToLower(id)) {
		return time.Time{}, false
	}
	seconds, err := strconv.ParseUint(id[:8], 16, 32)
	return time.Unix(int64(seconds), 0), err == nil
}

func newObjectIDAt(now time.Time) string {
	var id [12]byte
	binary.BigEndian.PutUint32(id[0:4], uint32(now.Unix()))
	copy(id[4:9], objectIDProcess)
	count := objectIDCounter.Add(1)
	id[9], id[10], id[11] = byte(count>>16), byte(count>>8), byte(count)
	return hex.EncodeToString(id[:])
}

// ValidObjectID reports whether s is an ObjectId in the server's own
// spelling: 24 lowercase hexadecimal digits.
func ValidObjectID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
