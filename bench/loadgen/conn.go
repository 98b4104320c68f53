package main

import (
	"bytes"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// ConnSpec is one connection of the run: its credentials, room and place in the room.
// RoomIndex and MemberIndex decide whether it publishes in a step (see Step).
type ConnSpec struct {
	Token       string `json:"token"`
	Room        string `json:"room"`
	RoomIndex   int    `json:"room_index"`
	MemberIndex int    `json:"member_index"`
}

// writeTimeout bounds one frame write.
const writeTimeout = 10 * time.Second

// Conn is one open WebSocket with its protocol; writes are serialised by a mutex.
type Conn struct {
	ws      *websocket.Conn
	proto   Protocol
	spec    ConnSpec
	stats   *Stats
	nextID  atomic.Int64
	writeMu sync.Mutex
	closed  atomic.Bool
}

func (conn *Conn) write(frame []byte) error {
	conn.writeMu.Lock()
	defer conn.writeMu.Unlock()
	_ = conn.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return conn.ws.WriteMessage(conn.proto.FrameType(), frame)
}

// readLoop records every delivery in the frames it reads and hands each frame to the
// protocol's control handler, until the socket ends. Frames are read into one buffer
// reused for the connection's life (gorilla's ReadMessage allocates a new slice per
// frame), so the delivery path allocates nothing per frame; HandleControl copies what
// it keeps.
func (conn *Conn) readLoop() {
	var buffer bytes.Buffer
	for {
		frame, err := conn.readFrame(&buffer)
		if err != nil {
			if !conn.closed.Load() {
				conn.stats.connectionLost(err)
			}
			return
		}
		now := time.Now().UnixNano()
		recordDeliveries(conn.stats, frame, now)
		conn.proto.HandleControl(conn, frame)
	}
}

// readFrame reads the next data frame into buffer (reset first); the slice returned is
// valid until the next call.
func (conn *Conn) readFrame(buffer *bytes.Buffer) ([]byte, error) {
	_, reader, err := conn.ws.NextReader()
	if err != nil {
		return nil, err
	}
	buffer.Reset()
	if _, err := buffer.ReadFrom(reader); err != nil {
		return nil, err
	}
	return buffer.Bytes(), nil
}

// keepAlive sends the protocol's client ping every KeepAliveInterval until stop closes.
// The first ping comes at a random point of the first interval, as from clients that
// connected at different times: connections set up together would otherwise all ping in
// the same few milliseconds, every interval, for the whole run.
func (conn *Conn) keepAlive(stop <-chan struct{}) {
	if conn.proto.KeepAliveFrame(conn) == nil {
		return
	}
	phase := time.NewTimer(time.Duration(rand.Int63n(int64(KeepAliveInterval))))
	select {
	case <-stop:
		phase.Stop()
		return
	case <-phase.C:
	}
	if err := conn.write(conn.proto.KeepAliveFrame(conn)); err != nil {
		return
	}
	ticker := time.NewTicker(KeepAliveInterval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			if err := conn.write(conn.proto.KeepAliveFrame(conn)); err != nil {
				return
			}
		}
	}
}

func (conn *Conn) close() {
	conn.closed.Store(true)
	conn.writeMu.Lock()
	_ = conn.ws.SetWriteDeadline(time.Now().Add(time.Second))
	_ = conn.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	conn.writeMu.Unlock()
	_ = conn.ws.Close()
}

var (
	tsMarker   = []byte("ts=")
	stepMarker = []byte(";step=")
)

// parseDigits reads a fixed-width decimal number; ok is false on a non-digit.
func parseDigits(data []byte) (value int64, ok bool) {
	for _, digit := range data {
		if digit < '0' || digit > '9' {
			return 0, false
		}
		value = value*10 + int64(digit-'0')
	}
	return value, true
}

// recordDeliveries finds every payload marker "ts=<19 digits>;step=<6 digits>;" in frame
// and records now minus that timestamp for that step.
func recordDeliveries(stats *Stats, frame []byte, now int64) {
	for {
		index := bytes.Index(frame, tsMarker)
		if index < 0 {
			return
		}
		frame = frame[index+len(tsMarker):]
		if len(frame) < 19+len(stepMarker)+6 || !bytes.HasPrefix(frame[19:], stepMarker) {
			continue
		}
		sent, okSent := parseDigits(frame[:19])
		step, okStep := parseDigits(frame[19+len(stepMarker) : 19+len(stepMarker)+6])
		if okSent && okStep {
			stats.delivered(int(step), float64(now-sent)/1000.0)
		}
		frame = frame[19+len(stepMarker)+6:]
	}
}
