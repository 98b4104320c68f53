// Command loadgen is the benchmark load generator of bench/compare.py: it opens many
// WebSocket connections to one server (TopicsFlow, a Socket.IO server, or Centrifugo with
// its JSON or its Protobuf protocol), joins them to rooms, and on command publishes
// timestamped payloads at a fixed rate and measures publish-to-delivery latency.
//
// Usage:
//
//	loadgen -protocol topicsflow|socketio|centrifugo|centrifugo-protobuf -url WS_URL -spec CONNS.json
//	        [-shard I -shards N] [-connect-concurrency 64] [-payload-bytes 128] [-setup-seconds 300]
//
// CONNS.json is a JSON array of ConnSpec; this process opens those whose index modulo N
// is I. Once every connection is set up it prints one JSON line {"event":"ready",...}
// and then reads commands from stdin, one per line:
//
//	step ID ROOMS PUBLISHERS RATE DURATION GRACE
//	    every connection with room_index < ROOMS and member_index < PUBLISHERS sends
//	    RATE messages/s (random phase) for DURATION seconds; GRACE seconds later the
//	    step's figures are printed as one JSON line {"event":"step",...}
//	quit
//	    close every connection and print {"event":"done","cpu_seconds":...}
//
// Every payload text is exactly -payload-bytes long and starts "ts=<unix ns, 19
// digits>;step=<6 digits>;". Latency is receive time minus that timestamp (same machine
// clock for every process), kept in a 2 %-resolution log histogram per step whose
// buckets ([index, count], bucket i = [1.02^i, 1.02^(i+1)) µs) merge across processes.
// cpu_seconds is this process's user+system CPU time (getrusage) and wall_seconds the
// wall time, both over the whole step (publishing and grace). publish_cpu_seconds and
// publish_wall_seconds are the same over the publishing window only: from this process's
// first publish of the step to the end of DURATION (grace excluded; both 0 when it
// published nothing), the loadgen's own cost while it offers the load.
//
// With -rest create|list it is instead a REST client of our node: -rest-concurrency
// workers POST /api/chat-rooms (create) or GET /api/chat-rooms (list) with the bearer tokens of the
// specs for -rest-seconds, each token used at most -rest-per-token times, and it prints
// one JSON line {"event":"rest",...} (statuses, latency histogram, cpu_seconds).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	protocolName := flag.String("protocol", "topicsflow", "topicsflow, socketio, centrifugo or centrifugo-protobuf")
	url := flag.String("url", "", "WebSocket URL")
	specPath := flag.String("spec", "", "JSON array of connection specs")
	shard := flag.Int("shard", 0, "this process's shard")
	shards := flag.Int("shards", 1, "number of loadgen processes")
	concurrency := flag.Int("connect-concurrency", 64, "connections set up at once")
	setupSeconds := flag.Float64("setup-seconds", 300, "give up on connections not set up by then")
	payloadBytes := flag.Int("payload-bytes", 128, "payload text length")
	rest := flag.String("rest", "", "REST mode: create or list (then -url is the base URL)")
	restConcurrency := flag.Int("rest-concurrency", 50, "REST workers")
	restSeconds := flag.Float64("rest-seconds", 10, "REST run length")
	restPerToken := flag.Int("rest-per-token", 50, "REST requests per token at most")
	flag.DurationVar(&KeepAliveInterval, "keepalive", KeepAliveInterval,
		"client ping interval of the protocols whose clients ping (topicsflow)")
	flag.Parse()
	if KeepAliveInterval <= 0 {
		fmt.Fprintln(os.Stderr, "-keepalive must be positive")
		os.Exit(2)
	}
	if *rest != "" {
		specs, err := loadSpecs(*specPath, 0, 1)
		if err != nil || len(specs) == 0 {
			fmt.Fprintln(os.Stderr, "loadgen: -spec with tokens is required:", err)
			os.Exit(1)
		}
		tokens := make([]string, len(specs))
		for index, spec := range specs {
			tokens[index] = spec.Token
		}
		emit(runRest(RestOptions{
			Kind: *rest, BaseURL: *url, Tokens: tokens, Concurrency: *restConcurrency,
			Duration: time.Duration(*restSeconds * float64(time.Second)), PerToken: *restPerToken,
		}))
		return
	}
	setupDeadline = time.Now().Add(time.Duration(*setupSeconds * float64(time.Second)))
	if err := run(*protocolName, *url, *specPath, *shard, *shards, *concurrency, *payloadBytes); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(protocolName, url, specPath string, shard, shards, concurrency, payloadBytes int) error {
	proto, err := protocolNamed(protocolName)
	if err != nil {
		return err
	}
	if url == "" || specPath == "" || shards < 1 || shard < 0 || shard >= shards {
		return fmt.Errorf("-url, -spec and 0 <= -shard < -shards are required")
	}
	if payloadBytes < 40 {
		return fmt.Errorf("-payload-bytes must be at least 40")
	}
	raiseFileLimit()
	specs, err := loadSpecs(specPath, shard, shards)
	if err != nil {
		return err
	}
	stats := NewStats()
	stop := make(chan struct{})
	started := time.Now()
	conns, failed := connectAll(proto, url, specs, stats, concurrency, stop)
	emit(map[string]any{
		"event": "ready", "connected": len(conns), "failed": failed,
		"setup_seconds": time.Since(started).Seconds(), "errors_sample": stats.errorSamples(),
		"cpu_seconds": cpuSeconds(),
	})
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "step":
			step, err := parseStep(fields[1:])
			if err != nil {
				return err
			}
			emit(runStep(step, conns, stats, payloadBytes))
		case "quit":
			close(stop)
			for _, conn := range conns {
				conn.close()
			}
			emit(map[string]any{"event": "done", "cpu_seconds": cpuSeconds()})
			return nil
		default:
			return fmt.Errorf("unknown command %q", fields[0])
		}
	}
	return scanner.Err()
}

func emit(value map[string]any) {
	encoded, _ := json.Marshal(value)
	fmt.Println(string(encoded))
}

func loadSpecs(path string, shard, shards int) ([]ConnSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var all []ConnSpec
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	mine := make([]ConnSpec, 0, len(all)/shards+1)
	for index, spec := range all {
		if index%shards == shard {
			mine = append(mine, spec)
		}
	}
	return mine, nil
}

// connectAll sets every spec up in two phases, concurrency at a time: first every
// connection is opened and authenticated, then every connection with a room joins it.
// A connection's read loop and keep-alive start as soon as it is fully set up (one that
// stopped reading while others join would be closed by the server as a slow consumer).
// Joining only after everyone has connected keeps the servers' "user came online"
// announcements (our node sends presence to every room of the user) out of the rooms:
// nobody is subscribed yet when they are sent.
func connectAll(proto Protocol, url string, specs []ConnSpec, stats *Stats, concurrency int, stop <-chan struct{}) ([]*Conn, int) {
	opened := make([]*Conn, len(specs))
	inParallel(len(specs), concurrency, func(index int) {
		if time.Now().After(setupDeadline) {
			stats.noteError("setup deadline passed")
			return
		}
		ws, err := proto.Dial(url, specs[index])
		if err != nil {
			stats.noteError("dial: " + err.Error())
			return
		}
		conn := &Conn{ws: ws, proto: proto, spec: specs[index], stats: stats}
		if err := proto.Connect(conn); err != nil {
			stats.noteError("connect: " + err.Error())
			_ = ws.Close()
			return
		}
		opened[index] = conn
		if conn.spec.Room == "" {
			go conn.readLoop()
			go conn.keepAlive(stop)
		}
	})
	inParallel(len(specs), concurrency, func(index int) {
		conn := opened[index]
		if conn == nil || conn.spec.Room == "" {
			return
		}
		if time.Now().After(setupDeadline) {
			stats.noteError("setup deadline passed")
			_ = conn.ws.Close()
			opened[index] = nil
			return
		}
		if err := proto.Join(conn); err != nil {
			stats.noteError("join: " + err.Error())
			_ = conn.ws.Close()
			opened[index] = nil
			return
		}
		go conn.readLoop()
		go conn.keepAlive(stop)
	})
	var conns []*Conn
	for _, conn := range opened {
		if conn != nil {
			conns = append(conns, conn)
		}
	}
	return conns, len(specs) - len(conns)
}

// inParallel calls work(0..count-1) from at most concurrency goroutines and waits.
func inParallel(count, concurrency int, work func(index int)) {
	jobs := make(chan int)
	var workers sync.WaitGroup
	for range max(1, concurrency) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for index := range jobs {
				work(index)
			}
		}()
	}
	for index := range count {
		jobs <- index
	}
	close(jobs)
	workers.Wait()
}

// Step is one "step" command.
type Step struct {
	ID         int
	Rooms      int
	Publishers int
	Rate       float64
	Duration   time.Duration
	Grace      time.Duration
}

func parseStep(fields []string) (Step, error) {
	var step Step
	var duration, grace float64
	if len(fields) != 6 {
		return step, fmt.Errorf("step needs ID ROOMS PUBLISHERS RATE DURATION GRACE")
	}
	_, err := fmt.Sscan(strings.Join(fields, " "), &step.ID, &step.Rooms, &step.Publishers, &step.Rate, &duration, &grace)
	if err != nil || step.ID < 0 || step.ID >= maxSteps || step.Rate <= 0 {
		return step, fmt.Errorf("bad step %v: %v", fields, err)
	}
	step.Duration = time.Duration(duration * float64(time.Second))
	step.Grace = time.Duration(grace * float64(time.Second))
	return step, nil
}

// publishWindow is when a step's publishing began in this process: the moment of its
// first publish, with this process's CPU seconds then.
type publishWindow struct {
	once    sync.Once
	started time.Time
	cpu     float64
}

// begin marks the first publish (only the first call counts).
func (window *publishWindow) begin() {
	window.once.Do(func() {
		window.cpu, window.started = cpuSeconds(), time.Now()
	})
}

// runStep publishes for the step's duration, waits its grace, and reports the figures.
func runStep(step Step, conns []*Conn, stats *Stats, payloadBytes int) map[string]any {
	counters := &stats.steps[step.ID]
	acksBefore, errorsBefore, lostBefore := stats.acks.Load(), stats.publishErrors.Load(), stats.lostConns.Load()
	cpuBefore, started := cpuSeconds(), time.Now()
	window := &publishWindow{}
	var publishers sync.WaitGroup
	publishing := 0
	for _, conn := range conns {
		if conn.spec.RoomIndex < step.Rooms && conn.spec.MemberIndex < step.Publishers {
			publishing++
			publishers.Add(1)
			go func(conn *Conn) {
				defer publishers.Done()
				publish(conn, step, started, counters, payloadBytes, window)
			}(conn)
		}
	}
	publishers.Wait()
	time.Sleep(time.Until(started.Add(step.Duration)))
	publishCPU, publishWall := 0.0, 0.0
	if !window.started.IsZero() { // publishers.Wait orders their writes before this read
		publishCPU, publishWall = cpuSeconds()-window.cpu, time.Since(window.started).Seconds()
	}
	time.Sleep(time.Until(started.Add(step.Duration + step.Grace)))
	return map[string]any{
		"event": "step", "step": step.ID, "publishers": publishing,
		"sent": counters.sent.Load(), "received": counters.histogram.Count(),
		"acked":                  stats.acks.Load() - acksBefore,
		"publish_errors":         stats.publishErrors.Load() - errorsBefore,
		"lost_connections":       stats.lostConns.Load() - lostBefore,
		"lost_connections_total": stats.lostConns.Load(),
		"histogram":              counters.histogram.Snapshot(),
		"cpu_seconds":            cpuSeconds() - cpuBefore,
		"wall_seconds":           time.Since(started).Seconds(),
		"publish_cpu_seconds":    publishCPU,
		"publish_wall_seconds":   publishWall,
		"errors_sample":          stats.errorSamples(),
	}
}

// publish sends step.Rate messages/s from conn at a random phase until the step's
// duration ends; a failed write ends this publisher (counted as a lost connection by
// the read loop when the socket is gone). The first publish of the process opens window.
func publish(conn *Conn, step Step, started time.Time, counters *StepCounters, payloadBytes int, window *publishWindow) {
	interval := time.Duration(float64(time.Second) / step.Rate)
	next := started.Add(time.Duration(rand.Int63n(int64(interval))))
	end := started.Add(step.Duration)
	padding := strings.Repeat("x", payloadBytes-len("ts=0000000000000000000;step=000000;"))
	for next.Before(end) {
		time.Sleep(time.Until(next))
		window.begin()
		text := fmt.Sprintf("ts=%019d;step=%06d;%s", time.Now().UnixNano(), step.ID, padding)
		if err := conn.write(conn.proto.PublishFrame(conn, text)); err != nil {
			conn.stats.noteError("publish: " + err.Error())
			return
		}
		counters.sent.Add(1)
		next = next.Add(interval)
	}
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
}

func raiseFileLimit() {
	var limit syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit) == nil && limit.Cur < limit.Max {
		limit.Cur = limit.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limit)
	}
}
