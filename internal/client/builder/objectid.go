package builder

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"time"
)

// A Mongo ObjectId: Unix seconds (4 bytes), 5 random bytes per process, a counter (3). Our campaign ids
// put the bot's mark in the first three of the five: a bot's list shows whether the server keeps our ids.
var (
	objectIDProcess string
	objectIDCounter atomic.Uint32
)

func init() {
	random := make([]byte, 9)
	_, _ = rand.Read(random) // never fails: crypto/rand crashes the program instead
	objectIDProcess = string(random[:5])
	objectIDCounter.Store(binary.BigEndian.Uint32(random[5:]))
}

// NewObjectID returns a new Mongo ObjectId as 24 lowercase hexadecimal digits.
func NewObjectID() string { return newObjectIDAt(time.Now(), objectIDProcess[:3]) }

// NewCampaignID is a new id for a campaign of bot, on the client's clock, with the bot's mark.
func (c *Client) NewCampaignID(organization, bot string) string {
	return newObjectIDAt(c.http.Now(), botMark(organization, bot))
}

// botMark is SHA-256("organization/bot")[:3]: a server's random id carries it one time in 16 million.
func botMark(organization, bot string) string {
	sum := sha256.Sum256([]byte(organization + "/" + bot))
	return string(sum[:3])
}

// madeHere tells whether id is one this provider made for the bot.
func madeHere(id, organization, bot string) bool {
	raw, err := hex.DecodeString(id)
	return err == nil && len(raw) == 12 && string(raw[4:7]) == botMark(organization, bot)
}

// ObjectIDTime is when an ObjectId was made, by its first 4 bytes (Unix seconds, big-endian).
func ObjectIDTime(id string) (time.Time, bool) {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != 12 {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint32(raw)), 0), true
}

func newObjectIDAt(now time.Time, mark string) string {
	id := binary.BigEndian.AppendUint32(nil, uint32(now.Unix()))
	id = append(append(id, mark...), objectIDProcess[len(mark):]...)
	count := objectIDCounter.Add(1)
	return hex.EncodeToString(append(id, byte(count>>16), byte(count>>8), byte(count)))
}

// ValidObjectID reports whether s is an ObjectId as the server spells it: 24 lowercase hex digits.
func ValidObjectID(s string) bool {
	return len(s) == 24 && strings.Trim(s, "0123456789abcdef") == ""
}
