package main

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// The expected bytes below were produced by github.com/centrifugal/protocol v0.19.2's own
// encoders (ProtobufCommandEncoder, ProtobufReplyEncoder, ProtobufDataEncoder), the
// library Centrifugo v6.9.1 speaks with.

func unhex(t *testing.T, text string) []byte {
	t.Helper()
	data, err := hex.DecodeString(text)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCommandFrames(t *testing.T) {
	connect := appendBytesField(nil, connectToken, []byte("tok"))
	connect = appendBytesField(connect, connectName, []byte("loadgen"))
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		// Command{id: 1, connect: {token: "tok", name: "loadgen"}}
		{"connect", commandFrame(1, commandConnect, connect), "120801220e0a03746f6b22076c6f616467656e"},
		// Command{id: 2, subscribe: {channel: "r100_0"}}
		{"subscribe", commandFrame(2, commandSubscribe, appendBytesField(nil, subscribeChannel, []byte("r100_0"))),
			"0c08022a080a06723130305f30"},
		// Command{id: 300, publish: {channel: "r100_0", data: {"text":"ts=1"}}}
		{"publish", commandFrame(300, commandPublish, publishRequest("r100_0", "ts=1")),
			"1e08ac023a190a06723130305f30120f7b2274657874223a2274733d31227d"},
		// Command{} (the pong)
		{"pong", centrifugoProtobufPong, "00"},
	}
	for _, c := range cases {
		if want := unhex(t, c.want); !bytes.Equal(c.got, want) {
			t.Errorf("%s: got %x, want %x", c.name, c.got, want)
		}
	}
}

func TestVarint(t *testing.T) {
	for _, value := range []uint64{0, 1, 127, 128, 300, 16383, 16384, 1 << 35, 1<<64 - 1} {
		encoded := appendVarint(nil, value)
		decoded, n := readVarint(encoded)
		if decoded != value || n != len(encoded) {
			t.Errorf("%d: encoded %x, decoded %d (%d bytes)", value, encoded, decoded, n)
		}
	}
	if _, n := readVarint([]byte{0x80, 0x80}); n != 0 {
		t.Errorf("truncated varint read as %d bytes", n)
	}
}

func TestDecodeReplies(t *testing.T) {
	cases := []struct {
		name      string
		message   string
		id        uint64
		hasError  bool
		errorText string
	}{
		// Reply{id: 300, publish: {}}
		{"publish reply", "08ac024200", 300, false, ""},
		// Reply{id: 7, error: {code: 103, message: "permission denied"}}
		{"error reply", "08071215086712117065726d697373696f6e2064656e696564", 7, true, "code 103: permission denied"},
		// Reply{push: {channel: "r100_0", pub: {data: {"text":"ts=1"}, offset: 5}}}
		{"push", "221d1206723130305f302213220f7b2274657874223a2274733d31227d3005", 0, false, ""},
		// Reply{id: 1, connect: {client: "abc", version: "6.9.1", ping: 25, pong: true}}
		{"connect reply", "08012a100a036162631205362e392e3138194001", 1, false, ""},
	}
	for _, c := range cases {
		reply, ok := decodeReply(unhex(t, c.message))
		if !ok || reply.id != c.id || reply.hasError != c.hasError {
			t.Errorf("%s: got %+v ok=%v", c.name, reply, ok)
		}
		if c.hasError && describeError(reply.errorPart) != c.errorText {
			t.Errorf("%s: error %q", c.name, describeError(reply.errorPart))
		}
	}
	if _, ok := decodeReply([]byte{0x08}); ok {
		t.Error("a truncated reply decoded")
	}
}

func TestBatchedFrame(t *testing.T) {
	// Reply{id: 9, publish: {}}, Reply{} (the ping), Reply{push: {channel: "c", pub: {data: "x"}}}
	frame := unhex(t, "0408094200000a22081201632203220178")
	var ids []uint64
	empty := 0
	for rest := frame; len(rest) > 0; {
		message, next, ok := nextMessage(rest)
		if !ok {
			t.Fatalf("malformed at %x", rest)
		}
		rest = next
		if len(message) == 0 {
			empty++
			continue
		}
		reply, ok := decodeReply(message)
		if !ok {
			t.Fatalf("reply %x did not decode", message)
		}
		ids = append(ids, reply.id)
	}
	if empty != 1 || len(ids) != 2 || ids[0] != 9 || ids[1] != 0 {
		t.Errorf("ids %v, %d pings", ids, empty)
	}
	if _, _, ok := nextMessage([]byte{0x05, 0x01}); ok {
		t.Error("a message longer than its frame was split off")
	}
}

func TestProtobufDeliveryMarker(t *testing.T) {
	stats := NewStats()
	text := "ts=0000000000000001000;step=000003;xxxx"
	push := appendBytesField(nil, 4, appendBytesField(nil, 4, appendBytesField(nil, 4, []byte(`{"text":"`+text+`"}`))))
	frame := appendVarint(nil, uint64(len(push)))
	frame = append(frame, push...)
	recordDeliveries(stats, frame, 2_000_000)
	if count := stats.steps[3].histogram.Count(); count != 1 {
		t.Errorf("%d deliveries recorded", count)
	}
}
