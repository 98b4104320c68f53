package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// Protocol is one server's wire protocol: how to open, authenticate and subscribe a
// connection, how to frame a publish, and how to answer the server's control frames.
// Every payload text is carried verbatim (JSON-escaped only), so the "ts=" marker of a
// delivery is found in the raw frame without decoding it.
type Protocol interface {
	// Dial opens the WebSocket for spec.
	Dial(url string, spec ConnSpec) (*websocket.Conn, error)
	// FrameType is the WebSocket message type of the frames the client sends.
	FrameType() int
	// Connect completes the protocol's handshake and authentication. Join (called only
	// when spec.Room is set) joins the room. Both read frames synchronously, before the
	// connection's read loop starts.
	Connect(conn *Conn) error
	Join(conn *Conn) error
	// PublishFrame is the frame that sends text to the connection's room.
	PublishFrame(conn *Conn, text string) []byte
	// HandleControl reacts to a frame that is not only a delivery: pings, acks, errors.
	HandleControl(conn *Conn, frame []byte)
	// KeepAliveFrame is a client ping to send every KeepAliveInterval, or nil.
	KeepAliveFrame(conn *Conn) []byte
}

// KeepAliveInterval is how often client-driven protocols ping (the -keepalive flag); the
// default is below our protocol's advertised 25 s.
var KeepAliveInterval = 20 * time.Second

// setupTimeout bounds each read during Connect and Join.
const setupTimeout = 60 * time.Second

// setupDeadline is when connectAll stops opening and joining connections (-setup-seconds).
var setupDeadline time.Time

func newDialer(subprotocols []string) *websocket.Dialer {
	return &websocket.Dialer{
		HandshakeTimeout: setupTimeout,
		Subprotocols:     subprotocols,
		ReadBufferSize:   16384,
		WriteBufferSize:  4096,
	}
}

func dial(dialer *websocket.Dialer, url string, header http.Header) (*websocket.Conn, error) {
	ws, response, err := dialer.Dial(url, header)
	if response != nil && response.Body != nil {
		_ = response.Body.Close()
	}
	if err != nil {
		if response != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %d)", err, response.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	return ws, nil
}

// readUntil reads frames until match returns true or fail returns an error.
func readUntil(conn *Conn, match func([]byte) bool, fail func([]byte) error) error {
	for {
		_ = conn.ws.SetReadDeadline(time.Now().Add(setupTimeout))
		_, frame, err := conn.ws.ReadMessage()
		if err != nil {
			return err
		}
		if fail != nil {
			if err := fail(frame); err != nil {
				return err
			}
		}
		if match(frame) {
			_ = conn.ws.SetReadDeadline(time.Time{})
			return nil
		}
		conn.proto.HandleControl(conn, frame)
	}
}

func jsonString(value string) string {
	encoded, _ := json.Marshal(value)
	return string(encoded)
}

// TopicsFlow is our protocol (docs/PROTOCOL.md), JSON subprotocol, bearer-header auth.
type TopicsFlow struct{}

// FrameType implements Protocol: text frames.
func (TopicsFlow) FrameType() int { return websocket.TextMessage }

// Dial implements Protocol.
func (TopicsFlow) Dial(url string, spec ConnSpec) (*websocket.Conn, error) {
	header := http.Header{}
	header.Set("Authorization", "Bearer "+spec.Token)
	return dial(newDialer([]string{"topicsflow.v1.json"}), url, header)
}

// Connect implements Protocol: the bearer header authenticated the upgrade.
func (TopicsFlow) Connect(*Conn) error { return nil }

// Join implements Protocol: subscribe, retrying "internal" errors a few times.
func (TopicsFlow) Join(conn *Conn) error {
	var lastError error
	for attempt := 0; attempt < 6; attempt++ {
		id := conn.nextID.Add(1)
		frame := fmt.Sprintf(`{"type":"subscribe","id":%d,"channel":%s}`, id, jsonString(conn.spec.Room))
		if err := conn.write([]byte(frame)); err != nil {
			return err
		}
		idField := []byte(fmt.Sprintf(`"id":%d,`, id))
		var replyError []byte
		err := readUntil(conn, func(frame []byte) bool {
			if !bytes.Contains(frame, idField) {
				return false
			}
			if bytes.HasPrefix(frame, []byte(`{"type":"error"`)) {
				replyError = frame
			}
			return true
		}, nil)
		if err != nil {
			return err
		}
		if replyError == nil {
			return nil
		}
		lastError = fmt.Errorf("subscribe: %s", replyError)
		time.Sleep(time.Duration(attempt+1) * 500 * time.Millisecond)
	}
	return lastError
}

// PublishFrame implements Protocol.
func (TopicsFlow) PublishFrame(conn *Conn, text string) []byte {
	return []byte(fmt.Sprintf(`{"type":"send_message","id":%d,"channel":%s,"text":%s}`,
		conn.nextID.Add(1), jsonString(conn.spec.Room), jsonString(text)))
}

var (
	topicsFlowAck   = []byte(`{"type":"ack"`)
	topicsFlowError = []byte(`{"type":"error"`)
)

// HandleControl implements Protocol: count acks and error replies.
func (TopicsFlow) HandleControl(conn *Conn, frame []byte) {
	switch {
	case bytes.HasPrefix(frame, topicsFlowAck):
		conn.stats.acked()
	case bytes.HasPrefix(frame, topicsFlowError):
		conn.stats.publishError(frame)
	}
}

// KeepAliveFrame implements Protocol: the server closes connections silent for 60 s.
func (TopicsFlow) KeepAliveFrame(conn *Conn) []byte {
	return []byte(fmt.Sprintf(`{"type":"ping","id":%d}`, conn.nextID.Add(1)))
}

// SocketIO is Socket.IO v4 over Engine.IO v4, WebSocket transport only, default namespace.
// The server's handler joins a room on "join" (acknowledged) and broadcasts the payload
// of "send" to the room as "message".
type SocketIO struct{}

// FrameType implements Protocol: text frames.
func (SocketIO) FrameType() int { return websocket.TextMessage }

// Dial implements Protocol.
func (SocketIO) Dial(url string, _ ConnSpec) (*websocket.Conn, error) {
	return dial(newDialer(nil), url, nil)
}

func socketIORefused(frame []byte) error {
	if bytes.HasPrefix(frame, []byte("44")) {
		return fmt.Errorf("namespace refused: %s", frame)
	}
	return nil
}

// Connect implements Protocol: open packet, then the default namespace's connect.
func (SocketIO) Connect(conn *Conn) error {
	isOpen := func(frame []byte) bool { return len(frame) > 0 && frame[0] == '0' }
	if err := readUntil(conn, isOpen, nil); err != nil {
		return fmt.Errorf("engine.io open: %w", err)
	}
	if err := conn.write([]byte("40")); err != nil {
		return err
	}
	if err := readUntil(conn, func(frame []byte) bool { return bytes.HasPrefix(frame, []byte("40")) }, socketIORefused); err != nil {
		return fmt.Errorf("socket.io connect: %w", err)
	}
	return nil
}

// Join implements Protocol: "join" with an ack.
func (SocketIO) Join(conn *Conn) error {
	if err := conn.write([]byte(`421["join",` + jsonString(conn.spec.Room) + `]`)); err != nil {
		return err
	}
	return readUntil(conn, func(frame []byte) bool { return bytes.HasPrefix(frame, []byte("431")) }, socketIORefused)
}

// PublishFrame implements Protocol.
func (SocketIO) PublishFrame(conn *Conn, text string) []byte {
	return []byte(`42["send",{"room":` + jsonString(conn.spec.Room) + `,"text":` + jsonString(text) + `}]`)
}

var (
	engineIOPong       = []byte("3")
	socketIODisconnect = []byte("41")
	socketIOConnectErr = []byte("44")
	engineIOClose      = []byte("1")
)

// HandleControl implements Protocol: answer Engine.IO pings, count disconnects.
func (SocketIO) HandleControl(conn *Conn, frame []byte) {
	switch {
	case len(frame) == 1 && frame[0] == '2':
		_ = conn.write(engineIOPong)
	case bytes.HasPrefix(frame, socketIODisconnect) || bytes.HasPrefix(frame, socketIOConnectErr) || bytes.HasPrefix(frame, engineIOClose):
		conn.stats.publishError(frame)
	}
}

// KeepAliveFrame implements Protocol: the server pings.
func (SocketIO) KeepAliveFrame(*Conn) []byte { return nil }

// Centrifugo is Centrifugo's bidirectional JSON protocol (connect with a JWT, subscribe,
// publish, push). Frames may batch several newline-separated replies.
type Centrifugo struct{}

// FrameType implements Protocol: text frames.
func (Centrifugo) FrameType() int { return websocket.TextMessage }

// Dial implements Protocol.
func (Centrifugo) Dial(url string, _ ConnSpec) (*websocket.Conn, error) {
	return dial(newDialer(nil), url, nil)
}

// nextLine splits off the first newline-terminated line of data (all of it when there is
// no newline) without allocating; rest is what follows the newline.
func nextLine(data []byte) (line, rest []byte) {
	if index := bytes.IndexByte(data, '\n'); index >= 0 {
		return data[:index], data[index+1:]
	}
	return data, nil
}

func centrifugoReply(id int64) (func([]byte) bool, func([]byte) error) {
	prefix := []byte(`{"id":` + strconv.FormatInt(id, 10) + `,`)
	var matched []byte
	match := func(frame []byte) bool {
		for rest := frame; len(rest) > 0; {
			var line []byte
			line, rest = nextLine(rest)
			if bytes.HasPrefix(line, prefix) {
				matched = line
				return true
			}
		}
		return false
	}
	fail := func(frame []byte) error {
		if match(frame) && bytes.Contains(matched, centrifugoErrorField) {
			return fmt.Errorf("centrifugo: %s", matched)
		}
		return nil
	}
	return match, fail
}

// Connect implements Protocol: the connect command with the JWT.
func (Centrifugo) Connect(conn *Conn) error {
	id := conn.nextID.Add(1)
	frame := fmt.Sprintf(`{"id":%d,"connect":{"token":%s,"name":"loadgen"}}`, id, jsonString(conn.spec.Token))
	if err := conn.write([]byte(frame)); err != nil {
		return err
	}
	match, fail := centrifugoReply(id)
	if err := readUntil(conn, match, fail); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	return nil
}

// Join implements Protocol: subscribe to the room's channel.
func (Centrifugo) Join(conn *Conn) error {
	id := conn.nextID.Add(1)
	frame := fmt.Sprintf(`{"id":%d,"subscribe":{"channel":%s}}`, id, jsonString(conn.spec.Room))
	if err := conn.write([]byte(frame)); err != nil {
		return err
	}
	match, fail := centrifugoReply(id)
	if err := readUntil(conn, match, fail); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// PublishFrame implements Protocol.
func (Centrifugo) PublishFrame(conn *Conn, text string) []byte {
	return []byte(fmt.Sprintf(`{"id":%d,"publish":{"channel":%s,"data":{"text":%s}}}`,
		conn.nextID.Add(1), jsonString(conn.spec.Room), jsonString(text)))
}

var (
	centrifugoPing       = []byte("{}")
	centrifugoIDPrefix   = []byte(`{"id":`)
	centrifugoErrorField = []byte(`"error":`)
)

// HandleControl implements Protocol: answer pings ({}), count publish replies.
func (Centrifugo) HandleControl(conn *Conn, frame []byte) {
	for rest := frame; len(rest) > 0; {
		var line []byte
		line, rest = nextLine(rest)
		switch {
		case bytes.Equal(line, centrifugoPing):
			_ = conn.write(centrifugoPing)
		case !bytes.HasPrefix(line, centrifugoIDPrefix):
		case bytes.Contains(line, centrifugoErrorField):
			conn.stats.publishError(line)
		default:
			conn.stats.acked()
		}
	}
}

// KeepAliveFrame implements Protocol: the server pings.
func (Centrifugo) KeepAliveFrame(*Conn) []byte { return nil }

// protocolNamed maps the -protocol flag to an implementation.
func protocolNamed(name string) (Protocol, error) {
	switch name {
	case "topicsflow":
		return TopicsFlow{}, nil
	case "socketio":
		return SocketIO{}, nil
	case "centrifugo":
		return Centrifugo{}, nil
	case "centrifugo-protobuf":
		return CentrifugoProtobuf{}, nil
	}
	return nil, fmt.Errorf("unknown protocol %q (topicsflow, socketio, centrifugo, centrifugo-protobuf)", name)
}
