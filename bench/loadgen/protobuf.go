package main

import (
	"fmt"
	"net/http"

	"github.com/gorilla/websocket"
)

// The few messages of Centrifugo's Protobuf protocol the load generator needs, encoded
// and decoded by hand. Field numbers are those of github.com/centrifugal/protocol
// v0.19.2, definitions/client.proto (the version Centrifugo v6.9.1 builds with):
//
//	message Command { uint32 id = 1; ConnectRequest connect = 4; SubscribeRequest subscribe = 5;
//	                  PublishRequest publish = 7; ... }
//	message Reply   { uint32 id = 1; Error error = 2; Push push = 4; ... PublishResult publish = 8; ... }
//	message Error   { uint32 code = 1; string message = 2; bool temporary = 3; }
//	message ConnectRequest   { string token = 1; ... string name = 4; ... }
//	message SubscribeRequest { string channel = 1; ... }
//	message PublishRequest   { string channel = 1; bytes data = 2; ... }
//
// Over WebSocket (subprotocol "centrifuge-protobuf") every binary frame holds one or more
// messages, each prefixed by its length as a varint. The server pings with an empty
// Reply (a zero-length message) and the client answers with an empty Command.
const (
	commandID        = 1
	commandConnect   = 4
	commandSubscribe = 5
	commandPublish   = 7

	replyID    = 1
	replyError = 2

	errorCode    = 1
	errorMessage = 2

	connectToken     = 1
	connectName      = 4
	subscribeChannel = 1
	publishChannel   = 1
	publishData      = 2

	wireVarint = 0
	wire64     = 1
	wireBytes  = 2
	wire32     = 5
)

// appendVarint appends value as a protobuf base-128 varint.
func appendVarint(data []byte, value uint64) []byte {
	for value >= 0x80 {
		data = append(data, byte(value)|0x80)
		value >>= 7
	}
	return append(data, byte(value))
}

// appendVarintField appends field = value (wire type 0); zero is left out, as proto3 does.
func appendVarintField(data []byte, field int, value uint64) []byte {
	if value == 0 {
		return data
	}
	data = appendVarint(data, uint64(field)<<3|wireVarint)
	return appendVarint(data, value)
}

// appendBytesField appends a length-delimited field (string, bytes or message).
func appendBytesField(data []byte, field int, value []byte) []byte {
	data = appendVarint(data, uint64(field)<<3|wireBytes)
	data = appendVarint(data, uint64(len(value)))
	return append(data, value...)
}

// commandFrame is a frame holding one Command with id and one request field.
func commandFrame(id uint64, requestField int, request []byte) []byte {
	command := appendVarintField(make([]byte, 0, len(request)+16), commandID, id)
	command = appendBytesField(command, requestField, request)
	frame := appendVarint(make([]byte, 0, len(command)+3), uint64(len(command)))
	return append(frame, command...)
}

// readVarint decodes the varint at the start of data; n is its length, 0 when data is
// truncated or the varint is longer than 10 bytes.
func readVarint(data []byte) (value uint64, n int) {
	for index := 0; index < len(data) && index < 10; index++ {
		value |= uint64(data[index]&0x7f) << (7 * index)
		if data[index] < 0x80 {
			return value, index + 1
		}
	}
	return 0, 0
}

// nextMessage splits the first length-delimited message off a frame; ok is false when
// the frame is malformed.
func nextMessage(frame []byte) (message, rest []byte, ok bool) {
	length, n := readVarint(frame)
	if n == 0 || uint64(len(frame)-n) < length {
		return nil, nil, false
	}
	end := n + int(length)
	return frame[n:end], frame[end:], true
}

// protoField is one decoded field: varint value or length-delimited bytes.
type protoField struct {
	number int
	wire   int
	value  uint64
	data   []byte
}

// nextField decodes the first field of a message; ok is false when it is malformed or
// of a wire type protobuf 3 does not use (groups).
func nextField(message []byte) (field protoField, rest []byte, ok bool) {
	key, n := readVarint(message)
	if n == 0 {
		return field, nil, false
	}
	field.number, field.wire, message = int(key>>3), int(key&7), message[n:]
	switch field.wire {
	case wireVarint:
		field.value, n = readVarint(message)
		if n == 0 {
			return field, nil, false
		}
		return field, message[n:], true
	case wireBytes:
		length, n := readVarint(message)
		if n == 0 || uint64(len(message)-n) < length {
			return field, nil, false
		}
		field.data = message[n : n+int(length)]
		return field, message[n+int(length):], true
	case wire64:
		if len(message) < 8 {
			return field, nil, false
		}
		return field, message[8:], true
	case wire32:
		if len(message) < 4 {
			return field, nil, false
		}
		return field, message[4:], true
	}
	return field, nil, false
}

// protoReply is what the load generator reads of a Reply.
type protoReply struct {
	id       uint64
	hasError bool
	// errorPart is the Error message's bytes when hasError.
	errorPart []byte
}

// decodeReply reads a Reply's id and error; ok is false when it is malformed.
func decodeReply(message []byte) (reply protoReply, ok bool) {
	for len(message) > 0 {
		var field protoField
		field, message, ok = nextField(message)
		if !ok {
			return reply, false
		}
		switch {
		case field.number == replyID && field.wire == wireVarint:
			reply.id = field.value
		case field.number == replyError && field.wire == wireBytes:
			reply.hasError, reply.errorPart = true, field.data
		}
	}
	return reply, true
}

// describeError renders an Error message as "code N: message" (for error samples).
func describeError(message []byte) string {
	var code uint64
	var text []byte
	for len(message) > 0 {
		field, rest, ok := nextField(message)
		if !ok {
			break
		}
		switch {
		case field.number == errorCode && field.wire == wireVarint:
			code = field.value
		case field.number == errorMessage && field.wire == wireBytes:
			text = field.data
		}
		message = rest
	}
	return fmt.Sprintf("code %d: %s", code, text)
}

// CentrifugoProtobuf is Centrifugo's bidirectional Protobuf protocol: the same commands as
// Centrifugo (JSON) in binary frames. The publication data is the same JSON object
// {"text": "..."} as the JSON variant sends, as raw bytes, so both carry equal payloads
// and the "ts=" marker of a delivery is found in the raw frame.
type CentrifugoProtobuf struct{}

// centrifugoProtobufPong is the empty Command answering the server's empty-Reply ping.
var centrifugoProtobufPong = []byte{0}

// Dial implements Protocol.
func (CentrifugoProtobuf) Dial(url string, _ ConnSpec) (*websocket.Conn, error) {
	return dial(newDialer([]string{"centrifuge-protobuf"}), url, http.Header{})
}

// FrameType implements Protocol.
func (CentrifugoProtobuf) FrameType() int { return websocket.BinaryMessage }

// protobufReply is the readUntil pair waiting for the Reply with id.
func protobufReply(id uint64) (func([]byte) bool, func([]byte) error) {
	find := func(frame []byte) (protoReply, bool) {
		for rest := frame; len(rest) > 0; {
			message, next, ok := nextMessage(rest)
			if !ok {
				return protoReply{}, false
			}
			if reply, ok := decodeReply(message); ok && reply.id == id {
				return reply, true
			}
			rest = next
		}
		return protoReply{}, false
	}
	match := func(frame []byte) bool {
		_, found := find(frame)
		return found
	}
	fail := func(frame []byte) error {
		if reply, found := find(frame); found && reply.hasError {
			return fmt.Errorf("centrifugo: %s", describeError(reply.errorPart))
		}
		return nil
	}
	return match, fail
}

// protobufRequest writes a Command with a fresh id and one request, and waits its Reply.
func protobufRequest(conn *Conn, field int, request []byte) error {
	id := uint64(conn.nextID.Add(1))
	if err := conn.write(commandFrame(id, field, request)); err != nil {
		return err
	}
	match, fail := protobufReply(id)
	return readUntil(conn, match, fail)
}

// Connect implements Protocol: the connect command with the JWT.
func (CentrifugoProtobuf) Connect(conn *Conn) error {
	request := appendBytesField(nil, connectToken, []byte(conn.spec.Token))
	request = appendBytesField(request, connectName, []byte("loadgen"))
	if err := protobufRequest(conn, commandConnect, request); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	return nil
}

// Join implements Protocol: subscribe to the room's channel.
func (CentrifugoProtobuf) Join(conn *Conn) error {
	request := appendBytesField(nil, subscribeChannel, []byte(conn.spec.Room))
	if err := protobufRequest(conn, commandSubscribe, request); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// publishRequest is the PublishRequest of text to channel: data {"text": text} as JSON.
func publishRequest(channel, text string) []byte {
	data := `{"text":` + jsonString(text) + `}`
	request := make([]byte, 0, len(channel)+len(data)+8)
	request = appendBytesField(request, publishChannel, []byte(channel))
	return appendBytesField(request, publishData, []byte(data))
}

// PublishFrame implements Protocol.
func (CentrifugoProtobuf) PublishFrame(conn *Conn, text string) []byte {
	return commandFrame(uint64(conn.nextID.Add(1)), commandPublish, publishRequest(conn.spec.Room, text))
}

// HandleControl implements Protocol: answer pings (empty Reply), count replies with an id
// as acks and those with an error as publish errors; pushes (no id) are deliveries.
func (CentrifugoProtobuf) HandleControl(conn *Conn, frame []byte) {
	for rest := frame; len(rest) > 0; {
		message, next, ok := nextMessage(rest)
		if !ok {
			conn.stats.publishError([]byte(fmt.Sprintf("malformed frame %x", frame[:min(len(frame), 64)])))
			return
		}
		rest = next
		if len(message) == 0 {
			_ = conn.write(centrifugoProtobufPong)
			continue
		}
		reply, ok := decodeReply(message)
		switch {
		case !ok:
			conn.stats.publishError([]byte(fmt.Sprintf("malformed reply %x", message[:min(len(message), 64)])))
		case reply.hasError:
			conn.stats.publishError([]byte("centrifugo: " + describeError(reply.errorPart)))
		case reply.id != 0:
			conn.stats.acked()
		}
	}
}

// KeepAliveFrame implements Protocol: the server pings.
func (CentrifugoProtobuf) KeepAliveFrame(*Conn) []byte { return nil }
