package builder

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// A Mongo ObjectId: 4 bytes of big-endian Unix seconds, 5 random bytes fixed
// per process, and a 3-byte counter that starts at a random value. A
// campaign id this provider makes puts its bot's mark in the first three of
// the five (botMark), so that a bot's list shows whether the server keeps
// the ids it is sent.
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
func NewObjectID() string { return newObjectIDAt(time.Now(), objectIDProcess[:3]) }

// NewCampaignID is a new id for a campaign of bot, made on the client's
// clock and carrying the bot's mark.
func (c *Client) NewCampaignID(organization, bot string) string {
	mark := botMark(organization, bot)
	return newObjectIDAt(c.http.Now(), mark[:])
}

// botMark is the mark of the ids this provider makes for a bot: the first
// three bytes of SHA-256("organization/bot"). An id the server made (by
// MongoDB's rules, five random bytes) carries it one time in 16 million.
func botMark(organization, bot string) [3]byte {
	sum := sha256.Sum256([]byte(organization + "/" + bot))
	return [3]byte{sum[0], sum[1], sum[2]}
}

// madeHere tells whether id is one this provider made for the bot.
func madeHere(id, organization, bot string) bool {
	raw, err := hex.DecodeString(strings.ToLower(id))
	mark := botMark(organization, bot)
	return err == nil && len(raw) == 12 && [3]byte(raw[4:7]) == mark
}

// objectIDTime is when an ObjectId was made, by its first 4 bytes.
func objectIDTime(id string) (time.Time, bool) {
	if !ValidObjectID(strings.ToLower(id)) {
		return time.Time{}, false
	}
	seconds, err := strconv.ParseUint(id[:8], 16, 32)
	return time.Unix(int64(seconds), 0), err == nil
}

func newObjectIDAt(now time.Time, mark []byte) string {
	var id [12]byte
	binary.BigEndian.PutUint32(id[0:4], uint32(now.Unix()))
	copy(id[4:9], objectIDProcess)
	copy(id[4:7], mark)
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
