package main

import "testing"

func TestNextLine(t *testing.T) {
	var lines []string
	for rest := []byte("{\"id\":1,\"publish\":{}}\n{}\n{\"push\":{}}"); len(rest) > 0; {
		var line []byte
		line, rest = nextLine(rest)
		lines = append(lines, string(line))
	}
	if len(lines) != 3 || lines[0] != `{"id":1,"publish":{}}` || lines[1] != "{}" || lines[2] != `{"push":{}}` {
		t.Errorf("lines %q", lines)
	}
}

func TestCentrifugoReply(t *testing.T) {
	match, fail := centrifugoReply(12)
	if match([]byte("{\"id\":1,\"connect\":{}}\n{}")) {
		t.Error("matched another id")
	}
	if !match([]byte("{}\n{\"id\":12,\"subscribe\":{}}")) {
		t.Error("missed its reply in a batch")
	}
	if fail([]byte("{}\n{\"id\":12,\"error\":{\"code\":103}}")) == nil {
		t.Error("missed an error reply")
	}
}

func TestCentrifugoHandleControlCounts(t *testing.T) {
	stats := NewStats()
	conn := &Conn{stats: stats}
	Centrifugo{}.HandleControl(conn, []byte("{\"id\":5,\"publish\":{}}\n{\"push\":{\"channel\":\"c\"}}\n{\"id\":6,\"error\":{\"code\":1}}"))
	if stats.acks.Load() != 1 || stats.publishErrors.Load() != 1 {
		t.Errorf("acks %d, errors %d", stats.acks.Load(), stats.publishErrors.Load())
	}
}

func TestProtobufHandleControlCounts(t *testing.T) {
	stats := NewStats()
	conn := &Conn{stats: stats}
	// Reply{id: 300, publish: {}}, Reply{id: 7, error: {code: 103, ...}}, a push.
	frame := unhex(t, "0508ac024200"+"1908071215086712117065726d697373696f6e2064656e696564"+"1f221d1206723130305f302213220f7b2274657874223a2274733d31227d3005")
	CentrifugoProtobuf{}.HandleControl(conn, frame)
	if stats.acks.Load() != 1 || stats.publishErrors.Load() != 1 {
		t.Errorf("acks %d, errors %d: %v", stats.acks.Load(), stats.publishErrors.Load(), stats.errorSamples())
	}
}
